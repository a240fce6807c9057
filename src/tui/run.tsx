/**
 * Runs the browser on a terminal until the user quits: the alternate screen while it runs (so
 * the shell's screen comes back untouched), raw keys from the given input stream, and the
 * terminal restored however it ends (q, Ctrl-C, SIGTERM, SIGHUP).
 */
import { render } from 'ink';
import type { Finding } from '../check/finding.js';
import type { KubeModel } from '../kube/model.js';
import type { Terminal } from '../input/tty.js';
import { Browser } from './app.js';
import { prepareChainIndex } from './screens/chain-index.js';
import type { RunTrace } from './screen.js';

export { warmUpJobs } from './warm-up.js';

const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

export interface RunBrowserOptions {
  readonly model: KubeModel;
  readonly trace: RunTrace | null;
  readonly terminal: Terminal;
  readonly color: boolean;
  /**
   * Work to do once the first screen is up rather than before it (warmUpJobs: the rest of a
   * deferred read and model, the tracer's indexes, the roles of all chains): the user is reading
   * the screen, and later screens then answer at once. One job per turn of the event loop.
   */
  readonly warmUp?: ReadonlyArray<() => void>;
  /** Runs `check`, also after the first screen; its findings then join the marks. */
  readonly check?: () => readonly Finding[];
}

/** Resolves when the browser has ended and the terminal is back as it was; the exit status to use. */
export async function runBrowser(opts: RunBrowserOptions): Promise<number> {
  const { input, output } = opts.terminal;
  output.write(ENTER_ALTERNATE_SCREEN);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    output.write(LEAVE_ALTERNATE_SCREEN + SHOW_CURSOR);
  };
  // Last resort: whatever ends the process, the user's screen comes back.
  process.once('exit', restore);

  const browser = (findings: readonly Finding[] | null) => (
    <Browser model={opts.model} trace={opts.trace} color={opts.color} findings={findings} />
  );
  const instance = render(browser(null), {
    stdin: input,
    stdout: output,
    stderr: process.stderr,
    exitOnCtrlC: true,
    patchConsole: false,
    // ink 6.8's incremental mode leaves stale lines behind when a screen changes on the
    // alternate screen (seen in tmux); a full redraw of ~40 lines per key is cheap.
    incrementalRendering: false,
    maxFps: 60,
  });

  // One job per turn of the event loop, so a key typed meanwhile waits for one job at most.
  const jobs: Array<() => void> = [...(opts.warmUp ?? []), () => prepareChainIndex(opts.model)];
  const check = opts.check;
  if (check !== undefined) jobs.push(() => instance.rerender(browser(check())));
  let jobTimer: NodeJS.Timeout | null = null;
  const runJobs = (): void => {
    try {
      jobs.shift()?.();
    } catch {
      // These jobs only save time later (or add marks): if one fails, the screen that needs
      // its work does it again when asked and reports the error there.
    }
    jobTimer = jobs.length > 0 ? setTimeout(runJobs, 0) : null;
  };
  jobTimer = setTimeout(runJobs, 0);

  let status = 0;
  // Listening for these also stops ink's signal-exit from killing the process before the
  // terminal is restored; the exit status then says which signal ended it.
  const onSignal = (signalNumber: number) => (): void => {
    status = 128 + signalNumber;
    instance.unmount();
  };
  const onTerm = onSignal(15);
  const onHup = onSignal(1);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  try {
    await instance.waitUntilExit();
  } finally {
    if (jobTimer !== null) clearTimeout(jobTimer);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
    instance.cleanup();
    restore();
    process.off('exit', restore);
  }
  return status;
}
