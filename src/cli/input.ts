/**
 * Shared by every command: read FILE or standard input into a Ruleset, print its problems to
 * standard error, and apply `--strict`.
 */
import { Command, Option } from 'commander';
import type { InputFormat, Ruleset } from '../model/ruleset.js';
import { INPUT_FORMATS, readRuleset } from '../parse/read.js';
import { InputError, readInput, type InputText } from '../input/source.js';
import { formatProblem, summarizeProblems } from '../render/problems.js';
import { CliError, EXIT_STRICT, EXIT_USAGE } from './exit-codes.js';

export interface InputOptions {
  strict?: boolean;
  format?: InputFormat;
  /** The same, under the name commands whose `--format` names their output use. */
  inputFormat?: InputFormat;
  table?: string;
  quiet?: boolean;
}

export interface InputOptionsShape {
  /** The command's `--format` names its output: take the input format as `--input-format`. */
  readonly formatIsOutput?: boolean;
  /** The command defines its own `--table` (what to draw): do not add the listing hint. */
  readonly ownTable?: boolean;
}

/** Adds the options every command that reads a dump takes. */
export function withInputOptions(cmd: Command, shape: InputOptionsShape = {}): Command {
  cmd
    .option('--strict', 'treat any problem in the input as fatal (exit 3)')
    .addOption(
      new Option(
        shape.formatIsOutput ? '--input-format <format>' : '--format <format>',
        'read the input as this format instead of detecting it',
      ).choices(INPUT_FORMATS as string[]),
    );
  if (!shape.ownTable) {
    cmd.option(
      '-t, --table <table>',
      'the table a listing shows, when the input does not say (several listings: nat,filter)',
    );
  }
  return cmd.option('-q, --quiet', 'do not print problems found in the input');
}

/** Reads FILE or standard input; an unreadable input is a usage error (exit 2). */
export async function readInputOrFail(file: string | undefined): Promise<InputText> {
  try {
    return await readInput(file);
  } catch (err) {
    if (err instanceof InputError) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

/** Prints the input's problems to standard error (unless quiet) and applies `--strict`. */
export function reportProblems(ruleset: Ruleset, opts: InputOptions): void {
  if (!opts.quiet || opts.strict) {
    for (const p of ruleset.problems) process.stderr.write(formatProblem(p) + '\n');
  }
  if (opts.strict && ruleset.problems.length > 0) {
    throw new CliError(
      `${summarizeProblems(ruleset.problems)} in ${ruleset.file} (--strict)`,
      EXIT_STRICT,
    );
  }
}

/**
 * Problems found after `reportProblems` ran (in chains a deferred read parsed later), in input
 * order. --strict never gets here: it reads everything before reporting.
 */
export function reportLateProblems(ruleset: Ruleset, reported: number, opts: InputOptions): void {
  if (opts.quiet) return;
  const late = ruleset.problems
    .slice(reported)
    .sort((a, b) => a.line - b.line || a.column - b.column);
  for (const p of late) process.stderr.write(formatProblem(p) + '\n');
}

export async function loadRuleset(file: string | undefined, opts: InputOptions): Promise<Ruleset> {
  const input = await readInputOrFail(file);
  const ruleset = readRuleset(input.text, {
    file: input.name,
    format: opts.format ?? opts.inputFormat,
    table: opts.table,
  });
  reportProblems(ruleset, opts);
  return ruleset;
}
