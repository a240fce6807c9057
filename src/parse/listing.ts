/**
 * Reader for `iptables [-t TABLE] -L [CHAIN] [-n] [-v] [-x] [--line-numbers]` listings, one
 * or several concatenated (`iptables -t nat -nvL; iptables -t filter -nvL`), with prompts and
 * prose around them, and for listing rows without `Chain` headers (grep fragments).
 *
 * The line structure (`Chain` headers, column headers, rows) is read here; each row becomes a
 * Rule in listing-rule.ts. A listing never names its table: chains are collected into table
 * drafts, and fragment-tables.ts names each draft's table from `--table`, an echoed command,
 * or its chain names and targets.
 */
import { Ruleset } from '../model/ruleset.js';
import { parseListingNumber } from './listing-counters.js';
import { LineCursor, ProblemLog, readLegacyWarning } from './context.js';
import { finishRuleset } from './finish.js';
import { groupListedOrphans } from './fragment-listing.js';
import {
  DraftSequence,
  isBuiltinName,
  placeDrafts,
  TableDraft,
  TABLE_NAMES,
  type ChainDraft,
} from './fragment-tables.js';
import { buildListedRule, ListingFacts } from './listing-rule.js';
import { parseRow, readColumnHeader, type RowLayout } from './listing-row.js';
import { BUILTIN_CHAINS } from '../model/ruleset.js';
import { resetRuleCaches } from './rule-builder.js';
import type { Counters } from '../model/rule.js';

const CHAIN_RE =
  /^Chain (\S+) \((?:policy (\S+)(?: (\S+) packets, (\S+) bytes)?|(\d+) references?)\)$/;

/** The order iptables lists built-in chains in; a listing that goes back starts a new table. */
const BUILTIN_ORDER = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

export interface ListingReaderOptions {
  readonly file: string;
  readonly format: 'listing' | 'listing-fragment';
  /** `--table`: the tables of the listings in the input, in order. */
  readonly tables: readonly string[];
}

function policyCounters(packets: string | undefined, bytes: string | undefined): Counters | null {
  if (packets === undefined || bytes === undefined) return null;
  const p = parseListingNumber(packets);
  const b = parseListingNumber(bytes);
  if (p === null || b === null) return null;
  if (p.exact && b.exact) return { packets: p.low, bytes: b.low, exact: true };
  return { packets: p.low, bytes: b.low, exact: false, packetsUpper: p.high, bytesUpper: b.high };
}

/** Whether chain `name` cannot belong to the same listing as the chains of `draft`. */
function startsNewTable(draft: TableDraft, name: string): boolean {
  if (draft.closed || draft.chain(name) !== undefined) return true;
  if (!isBuiltinName(name)) return false;
  if (draft.chains.some((c) => !isBuiltinName(c.name))) return true;
  const at = BUILTIN_ORDER.indexOf(name);
  return draft.chains.some((c) => BUILTIN_ORDER.indexOf(c.name) >= at);
}

/** A listing of a whole table shows exactly that table's built-in chains. */
function showsWholeTable(draft: TableDraft): boolean {
  const builtins = draft.chains.filter((c) => isBuiltinName(c.name)).map((c) => c.name);
  return TABLE_NAMES.some((t) => {
    const b = BUILTIN_CHAINS[t];
    return b.length === builtins.length && b.every((n) => builtins.includes(n));
  });
}

export function readListing(text: string, options: ListingReaderOptions): Ruleset {
  const ruleset = new Ruleset(options.file, options.format);
  const log = new ProblemLog(options.file, ruleset.problems);
  resetRuleCaches();
  const facts = new ListingFacts();
  const sequence = new DraftSequence();
  const drafts = sequence.drafts;
  let chain: ChainDraft | null = null;
  let layout: RowLayout | null = null;
  let sawChainHeader = false;
  const at = new LineCursor(log, text, true);

  while (at.next()) {
    const { start, end } = at;
    const line = text.slice(start, end);

    if (line.startsWith('Chain ')) {
      const m = CHAIN_RE.exec(line);
      if (m !== null) {
        sawChainHeader = true;
        const name = m[1];
        const open = sequence.current;
        const draft = open === null || startsNewTable(open, name) ? sequence.start(at.line) : open;
        chain = draft.addChain(name, at.line, true);
        if (m[2] !== undefined) {
          chain.policy = m[2];
          chain.counters = policyCounters(m[3], m[4]);
        } else chain.references = Number(m[5]);
        layout = null;
        continue;
      }
    }
    const header = readColumnHeader(line);
    if (header !== null) {
      layout = header;
      continue;
    }
    if (readLegacyWarning(at, line, 'listing')) continue;
    const row = parseRow(text, start, end, layout);
    if (row !== null) {
      const draft = sequence.current ?? sequence.start(at.line);
      const rule = buildListedRule(text, end, row, chain?.name ?? '', at, facts);
      if (chain !== null) chain.rules.push(rule);
      else draft.orphans.push(rule);
      if (at.last && rule.unknowns?.includes('match-details')) {
        ruleset.addLoss('truncated');
        at.reportLine(
          'warning',
          'skipped-line',
          'the input ends inside this row without a final newline: it may be cut short',
        );
      }
      continue;
    }
    ruleset.skippedLines++;
    if (sequence.readEcho(at, line)) {
      chain = null;
      continue;
    }
    // A listing pasted up to the next prompt (`/ #`, `user@host:~$`) is complete.
    const prompt = /[#$>%]$/.test(line) || /^\S+@\S+:/.test(line);
    const cut = at.last && chain !== null && !prompt;
    if (cut) ruleset.addLoss('truncated');
    at.reportLine(
      'warning',
      'skipped-line',
      cut
        ? 'not a listing row: the input ends here, probably cut short inside a chain'
        : 'not part of an iptables listing; skipped',
      'Chain NAME (...), a column header, or a rule row',
    );
    chain = null;
  }

  for (const d of drafts) if (d.chains.length > 0 && !showsWholeTable(d)) d.partial = true;
  placeDrafts(ruleset, drafts, log, {
    given: options.tables,
    groupOrphans: groupListedOrphans,
  });
  if (drafts.some((d) => d.orphans.length > 0)) {
    ruleset.addLoss('no-chain-headers');
    const first = drafts.find((d) => d.orphans.length > 0)!.orphans[0];
    log.add(
      'info',
      'format-guess',
      first.line,
      1,
      '',
      sawChainHeader
        ? 'rows outside any "Chain" section: their chains are unknown, so they are kept in "(unknown chain)" groups'
        : 'listing rows without "Chain" headers (a grep of iptables -L?): their chains are unknown, so they are kept in "(unknown chain)" groups; rows proven to share a chain are grouped together',
      'Chain NAME (...) headers',
    );
  }
  ruleset.hasCounters = facts.counters;
  if (!facts.counters && ruleset.ruleCount > 0) ruleset.addLoss('no-counters');
  if (facts.rounded) ruleset.addLoss('rounded-counters');
  if (facts.names) ruleset.addLoss('names-not-numeric');
  if (facts.noInterfaces) ruleset.addLoss('no-interfaces');
  // Rows only guess a family that nothing stated; an ip6tables command states it.
  ruleset.family = sequence.ipv6 ? 'ipv6' : facts.family;
  finishPartial(ruleset, drafts);
  quoteTargetColumn(ruleset, text);
  return ruleset;
}

/**
 * The shared checks quote `-j` for a jump to an undeclared chain; a listing has no `-j`, so
 * quote the target column they point at instead.
 */
function quoteTargetColumn(ruleset: Ruleset, text: string): void {
  const problems = ruleset.problems;
  const wanted = new Set<number>();
  for (const p of problems)
    if (p.code === 'undeclared-chain' && (p.text === '-j' || p.text === '-g')) wanted.add(p.line);
  if (wanted.size === 0) return;
  const lines = new Map<number, string>();
  let lineNo = 0;
  for (let pos = 0; pos <= text.length;) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    lineNo++;
    if (wanted.has(lineNo)) lines.set(lineNo, text.slice(pos, eol));
    pos = eol + 1;
  }
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    if (p.code !== 'undeclared-chain' || !wanted.has(p.line)) continue;
    const word = /^\S*/.exec((lines.get(p.line) ?? '').slice(p.column - 1))?.[0] ?? '';
    if (word !== '') problems[i] = { ...p, text: word };
  }
}

/**
 * The checks every reader runs, without the "undeclared chain" errors for chains a partial
 * listing (`-L CHAIN`, `-S CHAIN`) simply does not show.
 */
export function finishPartial(ruleset: Ruleset, drafts: readonly TableDraft[]): void {
  const before = ruleset.problems.length;
  finishRuleset(ruleset);
  const partialLines = new Set<number>();
  for (const d of drafts) if (d.partial) for (const r of d.allRules()) partialLines.add(r.line);
  if (partialLines.size === 0) return;
  const kept = ruleset.problems
    .slice(before)
    .filter((p) => !(p.code === 'undeclared-chain' && partialLines.has(p.line)));
  ruleset.problems.splice(before, ruleset.problems.length - before, ...kept);
}
