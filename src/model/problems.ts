/**
 * Problems found while reading input. Every problem points at file:line:column and quotes the
 * offending text, so a person can find and fix it; readers recover and read on.
 */
export type ProblemSeverity = 'error' | 'warning' | 'info';

export type ProblemCode =
  | 'syntax' // the rule text does not follow the iptables grammar
  | 'bad-value' // an option's argument is malformed (address, number, port)
  | 'outside-table' // a rule or chain line before any `*table`
  | 'missing-commit' // a table that never reached COMMIT: the dump is truncated
  | 'undeclared-chain' // a jump or goto to a chain that was never declared
  | 'duplicate-chain' // a chain declared twice in one table
  | 'unsupported-revision' // `[unsupported revision]`: the binary that saved is older than the rules
  | 'garbled-nat' // `--to-destination :0` and similar: a sign of mixed iptables versions
  | 'legacy-tables-present' // the iptables-nft warning that legacy tables also exist
  | 'skipped-line' // text that is not part of any dump (prompts, prose) and was skipped
  | 'unknown-format' // the input did not look like any format this tool reads
  | 'format-guess' // the reader inferred something the input did not state (a table name)
  | 'pasted-damage'; // terminal colour codes were removed from a line to read it

export interface Problem {
  readonly severity: ProblemSeverity;
  readonly code: ProblemCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The offending text, as it appeared (shortened if very long). */
  readonly text: string;
  readonly message: string;
  /** What the reader expected instead, if there is something to say. */
  readonly expected: string | null;
}

export function formatProblemLocation(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}`;
}

const MAX_QUOTED = 160;

export function shortenForProblem(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED - 1)}…` : text;
}
