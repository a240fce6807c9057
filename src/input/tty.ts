/**
 * The terminal `browse` draws on and takes keys from. When the dump arrives through a pipe,
 * standard input is the pipe, so keys come from the controlling terminal (/dev/tty), as less and
 * fzf do; when standard output is redirected, the screen goes to /dev/tty as well.
 */
import { closeSync, openSync } from 'node:fs';
import tty from 'node:tty';

export interface Terminal {
  readonly input: tty.ReadStream;
  readonly output: tty.WriteStream;
  /** True when the keys come from /dev/tty rather than standard input. */
  readonly inputFromDevTty: boolean;
  /** Closes the streams this module opened; the process's own streams are left alone. */
  close(): void;
}

export class NoTerminalError extends Error {}

export interface OpenTerminalOptions {
  /** Standard input carries the dump, so it cannot carry keys. */
  readonly stdinIsInput: boolean;
  /** The controlling terminal's device; a parameter so tests can name one that is missing. */
  readonly device?: string;
}

function openDevice(device: string, flags: 'r' | 'w'): number {
  let fd: number;
  try {
    fd = openSync(device, flags);
  } catch (err) {
    // ENXIO: no controlling terminal (cron, CI, `setsid`); ENOENT/EACCES: no device at all.
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new NoTerminalError(`cannot open ${device} (${code})`);
  }
  if (!tty.isatty(fd)) {
    closeSync(fd);
    throw new NoTerminalError(`${device} is not a terminal`);
  }
  return fd;
}

/** The part of Node's tty.WriteStream that re-reads the window size (not in its typings). */
interface RefreshableSize {
  _refreshSize?: () => void;
}

/**
 * Node refreshes the size of process.stdout on SIGWINCH but not of a stream opened here, so the
 * screen drawn on /dev/tty would never hear of a resize without this. The public
 * getWindowSize() only returns the size last read; `_refreshSize` reads it from the terminal
 * and emits 'resize' when it changed (it is what Node runs for process.stdout).
 */
function watchResize(output: tty.WriteStream): () => void {
  const refresh = (output as unknown as RefreshableSize)._refreshSize;
  if (typeof refresh !== 'function') return () => {};
  const onWinch = (): void => refresh.call(output);
  process.on('SIGWINCH', onWinch);
  return () => {
    process.off('SIGWINCH', onWinch);
  };
}

/**
 * Finds a terminal for keys and screen. Throws NoTerminalError when there is none (no controlling
 * terminal and standard input/output are not terminals).
 */
export function openTerminal(opts: OpenTerminalOptions): Terminal {
  const device = opts.device ?? '/dev/tty';
  const opened: Array<tty.ReadStream | tty.WriteStream> = [];
  try {
    let input: tty.ReadStream;
    let inputFromDevTty = false;
    if (!opts.stdinIsInput && process.stdin.isTTY) {
      input = process.stdin;
    } else {
      input = new tty.ReadStream(openDevice(device, 'r'));
      inputFromDevTty = true;
      opened.push(input);
    }
    let output: tty.WriteStream;
    let stopResizeWatch = (): void => {};
    if (process.stdout.isTTY) {
      output = process.stdout;
    } else {
      output = new tty.WriteStream(openDevice(device, 'w'));
      opened.push(output);
      stopResizeWatch = watchResize(output);
    }
    return {
      input,
      output,
      inputFromDevTty,
      close: () => {
        stopResizeWatch();
        for (const stream of opened) stream.destroy();
      },
    };
  } catch (err) {
    for (const stream of opened) stream.destroy();
    throw err;
  }
}
