/**
 * Reader for `iptables [-t TABLE] -S [CHAIN] [-v]` output: `-P CHAIN POLICY [-c PKTS BYTES]`,
 * `-N CHAIN`, and `-A CHAIN ...` rule lines (with `-c PKTS BYTES` inline under `-v`), one or
 * several outputs concatenated, with prompts and prose around them. Rule lines go through the
 * same rule grammar as iptables-save (rule-builder.ts); like listings, `-S` never names its
 * table, so chains are collected into table drafts (fragment-tables.ts).
 */
import { Ruleset } from '../model/ruleset.js';
import { LineCursor, ProblemLog, readLegacyWarning } from './context.js';
import {
  DraftSequence,
  placeDrafts,
  TableDraft,
  TABLE_NAMES,
  type ChainDraft,
} from './fragment-tables.js';
import { finishPartial } from './listing.js';
import { readRuleLine, resetRuleCaches } from './rule-builder.js';
import { Rule } from '../model/rule.js';
import { BUILTIN_CHAINS } from '../model/ruleset.js';

const POLICY_RE = /^-P\s+(\S+)\s+(\S+)(?:\s+-c\s+(\d+)\s+(\d+))?$/;
const NEW_CHAIN_RE = /^-N\s+(\S+)$/;

export interface RulesReaderOptions {
  readonly file: string;
  /** `--table`: the tables of the outputs in the input, in order. */
  readonly tables: readonly string[];
}

/** `-S` of a whole table starts with one `-P` line per built-in chain of that table. */
function showsWholeTable(draft: TableDraft): boolean {
  const policies = draft.chains.filter((c) => c.policy !== null).map((c) => c.name);
  return TABLE_NAMES.some((t) => {
    const b = BUILTIN_CHAINS[t];
    return b.length === policies.length && b.every((n) => policies.includes(n));
  });
}

export function readRules(text: string, options: RulesReaderOptions): Ruleset {
  const ruleset = new Ruleset(options.file, 'rules');
  const log = new ProblemLog(options.file, ruleset.problems);
  resetRuleCaches();
  const sequence = new DraftSequence();
  const drafts = sequence.drafts;
  // Once the current draft has had -N or -A lines, a -P starts the next output.
  let pastPolicies = false;
  let counters = false;
  const at = new LineCursor(log, text, true);

  const current = (line: number): TableDraft => {
    const open = sequence.current;
    if (open !== null && !open.closed) return open;
    pastPolicies = false;
    return sequence.start(line);
  };
  const chainOf = (d: TableDraft, name: string, line: number, declared: boolean): ChainDraft => {
    const existing = d.chain(name);
    if (existing !== undefined) return existing;
    return d.addChain(name, line, declared);
  };

  while (at.next()) {
    const { line: lineNo, lineStart, start, end } = at;
    const line = text.slice(start, end);

    if (line.startsWith('-P ') || line.startsWith('-P\t')) {
      const m = POLICY_RE.exec(line);
      if (m !== null) {
        const open = sequence.current;
        if (open !== null && (pastPolicies || open.chain(m[1]) !== undefined)) open.closed = true;
        const d = current(lineNo);
        const chain = chainOf(d, m[1], lineNo, true);
        chain.policy = m[2];
        if (m[3] !== undefined) {
          counters = true;
          chain.counters = { packets: Number(m[3]), bytes: Number(m[4]), exact: true };
        }
        continue;
      }
    }
    if (line.startsWith('-N ') || line.startsWith('-N\t')) {
      const m = NEW_CHAIN_RE.exec(line);
      if (m !== null) {
        const open = sequence.current;
        if (open !== null && open.chain(m[1]) !== undefined) open.closed = true;
        const d = current(lineNo);
        pastPolicies = true;
        chainOf(d, m[1], lineNo, true);
        continue;
      }
    }
    if (line.startsWith('-A ') || line.startsWith('-A\t') || line.startsWith('--append ')) {
      const d = current(lineNo);
      pastPolicies = true;
      const result = readRuleLine(text, start, end, at, (chainName, offset) => {
        if (chainName === null) return null;
        const chain = chainOf(d, chainName, lineNo, false);
        const rule = new Rule('', chainName, lineNo, offset - lineStart + 1);
        chain.rules.push(rule);
        return rule;
      });
      if (result.rule?.counters != null) counters = true;
      continue;
    }
    if (readLegacyWarning(at, line, 'output')) continue;
    ruleset.skippedLines++;
    if (sequence.readEcho(at, line)) continue;
    at.reportLine(
      'warning',
      'skipped-line',
      'not iptables -S output; skipped',
      '-P CHAIN POLICY, -N CHAIN or -A CHAIN ...',
    );
  }

  for (const d of drafts) if (!showsWholeTable(d)) d.partial = true;
  placeDrafts(ruleset, drafts, log, { given: options.tables, groupOrphans: (r) => [[...r]] });
  ruleset.hasCounters = counters;
  if (!counters && ruleset.ruleCount > 0) ruleset.addLoss('no-counters');
  ruleset.family = sequence.ipv6 ? 'ipv6' : 'unknown';
  resetRuleCaches();
  finishPartial(ruleset, drafts);
  return ruleset;
}
