/**
 * `k8s-ipt browse [FILE]` (alias `tui`): an interactive terminal UI over a dump. The dump may come
 * through a pipe: it is read to its end, then keys come from the controlling terminal.
 */
import type { Command } from 'commander';
import { runChecks } from '../../check/run.js';
import { buildKubeModel } from '../../kube/build.js';
import { isPerServicePortChain } from '../../kube/naming.js';
import type { KubeModel } from '../../kube/model.js';
import { readStream, type InputText } from '../../input/source.js';
import { NoTerminalError, openTerminal, type Terminal } from '../../input/tty.js';
import { readRuleset } from '../../parse/read.js';
import { labelOutcomes } from '../../trace/labels.js';
import { PacketError, tracePacket } from '../../trace/packet.js';
// Nothing imported here may load React or ink: prepareInk must run first (the screens are
// imported with `import()` after it).
import { countingStream, ProgressLine } from '../../tui/progress.js';
import type { RunTrace } from '../../tui/screen.js';
import { colorsWanted } from '../../tui/no-color.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import {
  readInputOrFail,
  reportLateProblems,
  reportProblems,
  withInputOptions,
  type InputOptions,
} from '../input.js';

/**
 * Above this many rules `check` is not run for the marks: it takes seconds on a large dump, and
 * the screen would not answer keys meanwhile (`k8s-ipt check` reports them). The service view's
 * own warnings are marked whatever the size.
 */
const CHECK_RULE_LIMIT = 20_000;

function findTerminal(fromStdin: boolean): Terminal {
  try {
    return openTerminal({ stdinIsInput: fromStdin });
  } catch (err) {
    if (err instanceof NoTerminalError) {
      throw new CliError(
        `browse needs a terminal to take keys from, and there is none (${err.message}); ` +
          'run it from an interactive shell, or use a non-interactive command such as parse',
        EXIT_USAGE,
      );
    }
    throw err;
  }
}

async function readDump(file: string | undefined, progress: ProgressLine): Promise<InputText> {
  if (file === undefined || file === '-') {
    const text = await readStream(process.stdin.pipe(countingStream('<stdin>', progress)));
    return { name: '<stdin>', text };
  }
  return readInputOrFail(file);
}

/** The tracer as the trace screen calls it: defaults filled in, outcomes named after services. */
function traceRunner(model: KubeModel): RunTrace {
  return (request) => {
    try {
      const result = tracePacket(model.ruleset, request);
      labelOutcomes(result, model);
      return result;
    } catch (err) {
      if (err instanceof PacketError) throw err;
      throw new Error(
        `internal error in the tracer: ${(err as Error).message} (please report it with the input)`,
      );
    }
  };
}

/**
 * Must run before ink is first imported: these settings are read once, at import time.
 * - React runs its development build unless NODE_ENV says production: several times slower per
 *   frame, and it records a performance mark for every component render.
 * - ink draws only the final frame when it thinks it runs in CI (the CI variable); browse is
 *   interactive by definition, so that would leave a blank screen until exit.
 * - chalk judges colour support from file descriptor 1, but the screen may be /dev/tty while
 *   standard output is a pipe; judge the terminal actually drawn on. Under NO_COLOR the screens
 *   add no colour themselves and bold/inverse stay available.
 */
function prepareInk(terminal: Terminal, color: boolean): void {
  process.env.NODE_ENV ??= 'production';
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  if (process.env.FORCE_COLOR !== undefined) return;
  const depth = color ? terminal.output.getColorDepth() : 4;
  process.env.FORCE_COLOR = depth >= 24 ? '3' : depth >= 8 ? '2' : depth >= 4 ? '1' : '0';
}

export function registerBrowse(program: Command): void {
  withInputOptions(
    program
      .command('browse')
      .alias('tui')
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description(
        'browse services, endpoints, chains and traces in an interactive terminal UI (keys: ?)',
      ),
  ).action(async (file: string | undefined, opts: InputOptions) => {
    const fromStdin = file === undefined || file === '-';
    if (fromStdin && process.stdin.isTTY) {
      throw new CliError(
        'no input: give a file, or pipe a dump in (for example: iptables-save | k8s-ipt browse)',
        EXIT_USAGE,
      );
    }
    const progress = new ProgressLine(process.stderr);
    // A missing file is reported as such; a pipe is not read at all when there is no terminal
    // to browse it on, and neither is parsed.
    const fileInput = fromStdin ? null : await readDump(file, progress);
    const terminal = findTerminal(fromStdin);
    try {
      const color = colorsWanted(process.env);
      prepareInk(terminal, color);
      // Loading ink and React takes a moment; let it happen while the pipe is still being read.
      const tui = import('../../tui/run.js');
      // Awaited below; this only keeps a failure from being unhandled if reading fails first.
      tui.catch(() => undefined);
      const input = fileInput ?? (await readDump(file, progress));
      progress.step(
        `parsing ${input.name} (${(input.text.length / 1e6).toFixed(1)} MB)…`,
        input.text.length,
      );
      // The first screen lists services by name and address: the per-service chains (most of
      // a large dump) are parsed, and the services built, after it is shown. --strict must know
      // every problem before the screen opens, so it reads everything first.
      const deferred = opts.strict !== true;
      const ruleset = readRuleset(input.text, {
        file: input.name,
        format: opts.format,
        table: opts.table,
        deferRules: deferred ? isPerServicePortChain : undefined,
      });
      progress.done();
      reportProblems(ruleset, opts);
      const reported = ruleset.problems.length;
      progress.step('finding services…', input.text.length);
      const model = buildKubeModel(ruleset, { deferred });
      progress.done();
      const { runBrowser, warmUpJobs } = await tui;
      const status = await runBrowser({
        model,
        trace: traceRunner(model),
        terminal,
        color,
        warmUp: warmUpJobs(model),
        check: ruleset.ruleCount <= CHECK_RULE_LIMIT ? () => runChecks(ruleset, model) : undefined,
      });
      if (status !== 0) {
        // Ended by a signal: nobody is left to read a report, and the exit should be prompt.
        process.exitCode = status;
        return;
      }
      // Problems in chains read after the first screen: said once the screen is gone (every
      // chain is read now, so none is left unreported).
      ruleset.materializeAll();
      reportLateProblems(ruleset, reported, opts);
    } finally {
      terminal.close();
    }
  });
}
