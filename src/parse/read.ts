/**
 * The one entry point for turning input text into a Ruleset: repair pasted damage, decide the
 * format (or take the one given), hand the text to that format's reader, and map every problem
 * back to the line and column the person pasted.
 */
import { cleanInput, needsCleaning, type CleanedInput } from '../input/clean.js';
import { shortenForProblem, type Problem } from '../model/problems.js';
import type { InputFormat, Ruleset } from '../model/ruleset.js';
import { ProblemLog } from './context.js';
import { sniffFormat } from './detect.js';
import { readSaveFragment } from './fragment-save.js';
import { readListing } from './listing.js';
import { readRules } from './rules-format.js';
import { readSave } from './save.js';

export interface ReadOptions {
  /** Display name for messages. */
  readonly file: string;
  /** Skip detection and read as this format. */
  readonly format?: InputFormat;
  /**
   * The table a listing, `-S` output or fragment shows, when the input does not say
   * (`iptables -t nat -L`). Several listings in one input take a comma-separated list, in order.
   */
  readonly table?: string;
  /**
   * Chains whose rules may be left unparsed until someone reads them (`Chain.rules`,
   * `Ruleset.materializeAll()`); `Chain.ruleCount` counts them without parsing. Only
   * iptables-save input that needed no cleaning is read this way. The problems of a deferred
   * chain's lines are appended to `Ruleset.problems` when its rules are parsed, and while no
   * rule names the address family, `Ruleset.family` may stay `unknown` until then.
   */
  readonly deferRules?: (table: string, chain: string) => boolean;
}

export const INPUT_FORMATS: readonly InputFormat[] = [
  'iptables-save',
  'rules',
  'listing',
  'save-fragment',
  'listing-fragment',
];

export function detectFormat(text: string): InputFormat {
  return sniffFormat(text).format;
}

function readAs(
  format: InputFormat,
  text: string,
  file: string,
  tables: string[],
  deferRules: ReadOptions['deferRules'],
): Ruleset {
  switch (format) {
    case 'iptables-save':
      return readSave(text, { file, deferRules });
    case 'rules':
      return readRules(text, { file, tables });
    case 'listing':
    case 'listing-fragment':
      return readListing(text, { file, format, tables });
    case 'save-fragment':
      return readSaveFragment(text, { file, table: tables[0] ?? null });
  }
}

export function readRuleset(text: string, options: ReadOptions): Ruleset {
  // Clean input (the common case, and million-line dumps) is read as it is.
  const cleaned = needsCleaning(text) ? cleanInput(text) : null;
  const body = cleaned?.text ?? text;
  const detection = options.format === undefined ? sniffFormat(body) : null;
  const format = options.format ?? detection?.format ?? 'iptables-save';
  const tables = (options.table ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  // Problems of cleaned text are mapped back to the pasted text below, once: a chain parsed
  // later would miss that, so cleaned text is read whole.
  const deferRules = cleaned === null ? options.deferRules : undefined;
  const ruleset = readAs(format, body, options.file, tables, deferRules);
  ruleset.format = format;
  if (options.format !== undefined) ruleset.formatSource = 'given';
  const log = new ProblemLog(options.file, ruleset.problems);
  if (detection !== null && !detection.recognised && text.trim() !== '') {
    // First, ahead of the reader's complaints about every line it skipped.
    const first: Problem[] = [];
    new ProblemLog(options.file, first).add(
      'error',
      'unknown-format',
      1,
      1,
      '',
      'this does not look like iptables-save, iptables -S or iptables -L output; read as iptables-save',
      'iptables-save, iptables -S or iptables -L output',
    );
    ruleset.problems.unshift(...first);
  }
  if (cleaned !== null) applyCleaning(ruleset, cleaned, log, text);
  noteTruncation(ruleset, text, log);
  return ruleset;
}

/** Points problems at the original text and reports what the cleaner repaired. */
function applyCleaning(
  ruleset: Ruleset,
  cleaned: CleanedInput,
  log: ProblemLog,
  source: string,
): void {
  const problems = ruleset.problems;
  if (cleaned.map.changed) {
    let original: string[] | null = null;
    for (let i = 0; i < problems.length; i++) {
      const p = problems[i];
      if (!cleaned.map.isChanged(p.line)) continue;
      const at = cleaned.map.original(p.line, p.column);
      // Quote the text as pasted (escape sequences included), from its mapped start to end.
      const cut = p.text.endsWith('…');
      const length = cut ? p.text.length - 1 : p.text.length;
      const end = cleaned.map.original(p.line, p.column + length);
      let text = p.text;
      if (length > 0 && end.line === at.line) {
        original ??= originalLines(source);
        text = shortenForProblem(
          (original[at.line - 1] ?? '').slice(at.column - 1, end.column - 1),
        );
        if (cut && !text.endsWith('…')) text += '…';
      }
      problems[i] = { ...p, ...at, text };
    }
  }
  for (const note of cleaned.notes) {
    if (note.kind === 'ansi')
      log.add(
        'info',
        'pasted-damage',
        note.line,
        note.column,
        note.text,
        'terminal colour codes removed from this line before reading it',
        null,
      );
    else
      log.add(
        'warning',
        'legacy-tables-present',
        note.line,
        note.column,
        note.text,
        'iptables-legacy tables are also present on this node (their rules are not in this input and also act on packets); the warning was written into the middle of this line, and the line was read joined with the next one',
        null,
      );
  }
  problems.sort(byPosition);
}

function originalLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || a.column - b.column;
}

/** A save dump that stops inside a table, without a final newline, may end mid-rule. */
function noteTruncation(ruleset: Ruleset, text: string, log: ProblemLog): void {
  if (!ruleset.problems.some((p) => p.code === 'missing-commit')) return;
  ruleset.addLoss('truncated');
  if (text.endsWith('\n') || text.length === 0) return;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  const last = text.slice(text.lastIndexOf('\n') + 1);
  log.add(
    'warning',
    'missing-commit',
    lines,
    1,
    last,
    'the input ends inside a table without a final newline: this last line may be cut short',
    null,
  );
}
