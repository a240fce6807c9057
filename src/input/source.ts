/**
 * Reading the bytes of an input: a file or standard input. Decoding is lenient (invalid UTF-8
 * becomes U+FFFD) because pasted dumps come from anywhere.
 */
import { readFile } from 'node:fs/promises';

export interface InputText {
  /** Name to show in messages: the path, or `<stdin>`. */
  readonly name: string;
  readonly text: string;
}

export class InputError extends Error {}

export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readInput(path: string | undefined): Promise<InputText> {
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY) {
      throw new InputError(
        'no input: give a file, or pipe a dump in (for example: iptables-save | k8s-ipt ...)',
      );
    }
    return { name: '<stdin>', text: await readStream(process.stdin) };
  }
  try {
    const buf = await readFile(path);
    return { name: path, text: buf.toString('utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new InputError(`cannot read ${path}: ${why}`);
  }
}
