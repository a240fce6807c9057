/**
 * Reader for `iptables [-t TABLE] -S [CHAIN] [-v]` output: `-P CHAIN POLICY [-c PKTS BYTES]`,
 * `-N CHAIN`, and `-A CHAIN ...` rule lines (with `-c PKTS BYTES` inline under `-v`), one or
 * several outputs concatenated, with prompts and prose around them. Rule lines go through the
 * same rule grammar as iptables-save (rule-builder.ts); like listings, `-S` never names its
 * table, so chains are collected into table drafts (fragment-tables.ts).
 */
import { Ruleset } from '../model/ruleset.js';
import { LEGACY_WARNING, readCommandEcho, type CommandEcho } from '../input/clean.js';
import { LineContext, ProblemLog } from './context.js';
import { placeDrafts, TableDraft, TABLE_NAMES, type ChainDraft } from './fragment-tables.js';
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

interface Echo {
  readonly echo: CommandEcho;
  readonly line: number;
  readonly text: string;
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
  const drafts: TableDraft[] = [];
  // The draft being filled; `pastPolicies` once it has had -N or -A lines (a -P after them
  // starts the next output).
  const state: { draft: TableDraft | null; pastPolicies: boolean; echo: Echo | null } = {
    draft: null,
    pastPolicies: false,
    echo: null,
  };
  let counters = false;
  let family: Ruleset['family'] = 'unknown';
  let lineNo = 0;
  let pos = 0;
  const length = text.length;

  const current = (line: number): TableDraft => {
    if (state.draft !== null && !state.draft.closed) return state.draft;
    const e = state.echo;
    const d = new TableDraft(
      line,
      e !== null && e.echo.table !== null
        ? { name: e.echo.table, line: e.line, via: e.text }
        : null,
    );
    if (e !== null && e.echo.chain !== null) d.partial = true;
    if (e !== null && e.echo.family === 'ipv6') family = 'ipv6';
    state.echo = null;
    state.pastPolicies = false;
    drafts.push(d);
    state.draft = d;
    return d;
  };
  const chainOf = (d: TableDraft, name: string, line: number, declared: boolean): ChainDraft => {
    const existing = d.chain(name);
    if (existing !== undefined) return existing;
    return d.addChain(name, line, declared);
  };

  while (pos < length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = length;
    lineNo++;
    const lineStart = pos;
    pos = eol + 1;
    let end = eol;
    while (end > lineStart) {
      const c = text.charCodeAt(end - 1);
      if (c !== 13 && c !== 32 && c !== 9) break;
      end--;
    }
    let start = lineStart;
    while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
    if (start === end) continue;
    const line = text.slice(start, end);
    const column = start - lineStart + 1;

    if (line.startsWith('-P ') || line.startsWith('-P\t')) {
      const m = POLICY_RE.exec(line);
      if (m !== null) {
        const open = state.draft;
        if (open !== null && (state.pastPolicies || open.chain(m[1]) !== undefined))
          open.closed = true;
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
        const open = state.draft;
        if (open !== null && open.chain(m[1]) !== undefined) open.closed = true;
        const d = current(lineNo);
        state.pastPolicies = true;
        chainOf(d, m[1], lineNo, true);
        continue;
      }
    }
    if (line.startsWith('-A ') || line.startsWith('-A\t') || line.startsWith('--append ')) {
      const ctx = new LineContext(log, lineNo, lineStart);
      const d = current(lineNo);
      state.pastPolicies = true;
      const result = readRuleLine(text, start, end, ctx, (chainName, offset) => {
        if (chainName === null) return null;
        const chain = chainOf(d, chainName, lineNo, false);
        const rule = new Rule('', chainName, lineNo, offset - lineStart + 1);
        chain.rules.push(rule);
        return rule;
      });
      if (result.rule?.counters != null) counters = true;
      continue;
    }
    if (line.startsWith(LEGACY_WARNING)) {
      log.add(
        'warning',
        'legacy-tables-present',
        lineNo,
        column,
        line,
        'iptables-legacy tables are also present on this node: rules in the other backend are not in this output and also act on packets',
        null,
      );
      continue;
    }
    ruleset.skippedLines++;
    const e = readCommandEcho(line);
    if (e !== null && e.kind !== 'save') {
      state.echo = { echo: e, line: lineNo, text: line };
      const open = state.draft;
      if (open !== null && !open.isEmpty) open.closed = true;
      log.add(
        'info',
        'skipped-line',
        lineNo,
        column,
        line,
        e.table !== null
          ? `command line: what follows is table ${e.table}${e.tableGiven ? '' : " (iptables' default)"}${e.chain !== null ? `, chain ${e.chain} only` : ''}`
          : 'command line; skipped',
        null,
      );
      continue;
    }
    log.add(
      'warning',
      'skipped-line',
      lineNo,
      column,
      line,
      'not iptables -S output; skipped',
      '-P CHAIN POLICY, -N CHAIN or -A CHAIN ...',
    );
  }

  for (const d of drafts) if (!showsWholeTable(d)) d.partial = true;
  placeDrafts(ruleset, drafts, log, { given: options.tables, groupOrphans: (r) => [[...r]] });
  ruleset.hasCounters = counters;
  if (!counters && ruleset.ruleCount > 0) ruleset.addLoss('no-counters');
  ruleset.family = family;
  resetRuleCaches();
  finishPartial(ruleset, drafts);
  return ruleset;
}
