/**
 * The progress line shown on standard error while a large dump is read and analysed, before the
 * browser takes the screen. Only on a terminal, only once reading takes noticeable time, and at
 * most a few updates a second.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Nothing is shown for inputs read faster than this. */
const QUIET_MS = 250;
const UPDATE_MS = 100;

export class ProgressLine {
  private readonly started: number;
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.started = now();
  }

  private get enabled(): boolean {
    return this.out.isTTY === true;
  }

  private draw(text: string): void {
    this.out.write(`\r\u001b[2K${text}`);
    this.shown = true;
  }

  /** Bytes read so far. */
  reading(name: string, bytes: number): void {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.started < QUIET_MS || t - this.lastDraw < UPDATE_MS) return;
    this.lastDraw = t;
    this.draw(`reading ${name}: ${(bytes / 1e6).toFixed(1)} MB`);
  }

  /** A step that cannot report progress (parsing, building the service view). */
  step(text: string, sizeBytes: number): void {
    // Small inputs take no noticeable time; say nothing.
    if (!this.enabled || (!this.shown && sizeBytes < 4e6)) return;
    this.draw(text);
  }

  /** Clears the line. */
  done(): void {
    if (this.shown) this.out.write('\r\u001b[2K');
    this.shown = false;
  }
}

/** Passes bytes through unchanged, telling `progress` how many have gone by. */
export function countingStream(name: string, progress: ProgressLine): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      bytes += chunk.length;
      progress.reading(name, bytes);
      done(null, chunk);
    },
  });
}
