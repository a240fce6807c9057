/**
 * One `iptables -L` row to a Rule, through the same typed builders as the save format: the
 * columns give counters, protocol, fragment, interfaces and addresses; the option text is
 * translated to save-format options (listing-options.ts) and built by buildMatch/buildTarget.
 * Values are normalised to what iptables-save prints (`10.96.0.10` → `10.96.0.10/32`,
 * protocol `6` → `tcp`, `0.0.0.0/0` → no address match), so the two models compare equal.
 */
import type { Match } from '../model/matches.js';
import { parseIp } from '../model/ip.js';
import { AddressMatch, Rule } from '../model/rule.js';
import type { Target } from '../model/targets.js';
import type { LineContext } from './context.js';
import { listingCounters } from './listing-counters.js';
import { readListedOptions } from './listing-options.js';
import { PROTOCOL_NAMES, type ListedRow, type Negatable } from './listing-row.js';
import { buildMatch } from './matches.js';
import { buildTarget } from './targets.js';
import { parseAddress, ValueError } from './values.js';

/** What the rows of one input showed, for the ruleset's losses and family. */
export class ListingFacts {
  /** `-L` without `-n`: `anywhere`, host names or service names appeared. */
  names = false;
  rounded = false;
  counters = false;
  interfaces = false;
  /** Rows without in/out columns were read. */
  noInterfaces = false;
  family: 'ipv4' | 'ipv6' | 'unknown' = 'unknown';
  /** Module words already reported as untranslated, so each is reported once. */
  readonly untranslated = new Set<string>();
}

function protocolOf(p: Negatable): Rule['protocol'] {
  const name = (PROTOCOL_NAMES[p.text] ?? p.text).toLowerCase();
  if (name === 'all' || name === '0') return p.negated ? { negated: true, name: 'all' } : null;
  return { negated: p.negated, name };
}

function addressOf(
  a: Negatable,
  rule: Rule,
  ctx: LineContext,
  facts: ListingFacts,
): AddressMatch | null {
  const { text, negated } = a;
  if (text === '0.0.0.0/0' || text === '::/0') {
    if (facts.family === 'unknown') facts.family = text === '::/0' ? 'ipv6' : 'ipv4';
    if (!negated) return null;
  }
  if (text === 'anywhere') {
    facts.names = true;
    if (!negated) return null;
  }
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  let canonical = text;
  if (ip !== null) {
    if (facts.family === 'unknown') facts.family = ip.family === 6 ? 'ipv6' : 'ipv4';
    // iptables prints a host address without its prefix; iptables-save with /32 or /128.
    if (slash === -1) canonical = `${text}/${ip.family === 6 ? 128 : 32}`;
  } else if (text !== 'anywhere') {
    facts.names = true;
    rule.markUnknown('address-names');
  }
  try {
    return parseAddress(canonical, negated);
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    ctx.report('error', 'bad-value', a.start, text, err.message, err.expected);
    return new AddressMatch(negated, canonical);
  }
}

function hasUnresolvedPort(m: Match): boolean {
  if (m.kind === 'ports') return m.sourcePort?.range === null || m.destinationPort?.range === null;
  if (m.kind === 'multiport')
    return [m.sourcePorts, m.destinationPorts, m.ports].some(
      (l) => l !== null && l.ranges.includes(null),
    );
  return false;
}

function hasPortName(m: Match): boolean {
  const texts: string[] = [];
  if (m.kind === 'ports') {
    if (m.sourcePort !== null) texts.push(m.sourcePort.text);
    if (m.destinationPort !== null) texts.push(m.destinationPort.text);
  } else if (m.kind === 'multiport') {
    for (const l of [m.sourcePorts, m.destinationPorts, m.ports])
      if (l !== null) texts.push(l.text);
  }
  return texts.some((t) => /[A-Za-z]/.test(t));
}

/**
 * Builds the rule of a row in `text[..end)`. The rule's table is '' until the reader knows
 * it; `chain` is the chain the row was listed under.
 */
export function buildListedRule(
  text: string,
  end: number,
  row: ListedRow,
  chain: string,
  ctx: LineContext,
  facts: ListingFacts,
): Rule {
  const rule = new Rule('', chain, ctx.line, ctx.column(row.targetStart));
  if (row.lineNumber !== null) rule.index = row.lineNumber;

  if (row.packets !== null && row.bytes !== null) {
    facts.counters = true;
    rule.counters = listingCounters(row.packets, row.bytes);
    if (rule.counters !== null && !rule.counters.exact) facts.rounded = true;
  } else rule.markUnknown('counters');

  rule.protocol = protocolOf(row.protocol);
  if (row.fragment !== null) rule.fragment = { negated: row.fragment === 'not' };
  if (row.layout.interfaces) {
    facts.interfaces = true;
    if (row.inInterface !== null)
      rule.inInterface = { negated: row.inInterface.negated, name: row.inInterface.text };
    if (row.outInterface !== null)
      rule.outInterface = { negated: row.outInterface.negated, name: row.outInterface.text };
  } else {
    facts.noInterfaces = true;
    rule.markUnknown('interfaces');
  }
  rule.source = addressOf(row.source, rule, ctx, facts);
  rule.destination = addressOf(row.destination, rule, ctx, facts);

  const listed = readListedOptions(text, row.restStart, end, row.target);
  const matches: Match[] = [];
  for (const m of listed.modules) {
    if (!m.known) {
      rule.markUnknown('match-details');
      if (!facts.untranslated.has(m.module)) {
        facts.untranslated.add(m.module);
        ctx.report(
          'info',
          'format-guess',
          m.start,
          text.slice(m.start, m.end),
          `listing text kept verbatim: this tool does not translate "${m.module}" back to its options`,
          null,
        );
      }
      matches.push({ kind: 'generic', module: m.module, options: m.options, extra: [] });
      continue;
    }
    try {
      const match = buildMatch(m.module, m.options);
      if (hasPortName(match)) facts.names = true;
      if (hasUnresolvedPort(match)) rule.markUnknown('port-names');
      matches.push(match);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      ctx.report(
        'error',
        'bad-value',
        m.start,
        text.slice(m.start, m.end),
        `${m.module}: ${err.message}`,
        err.expected,
      );
      matches.push({ kind: 'generic', module: m.module, options: m.options, extra: [] });
    }
  }
  rule.matches = matches;
  rule.target = targetOf(row, listed, rule, ctx, text, end);
  if (rule.target !== null) rule.targetColumn = ctx.column(row.targetStart);
  return rule;
}

function targetOf(
  row: ListedRow,
  listed: ReturnType<typeof readListedOptions>,
  rule: Rule,
  ctx: LineContext,
  text: string,
  end: number,
): Target | null {
  if (row.target === '') return null;
  const options = listed.target?.options ?? [];
  const unparsed = listed.target?.unparsed ?? null;
  if (unparsed !== null) {
    rule.markUnknown('target-options');
    if (options.length === 0)
      return { kind: 'generic', name: row.target, options: [], extra: [], unparsed };
  }
  try {
    return buildTarget(row.target, listed.goto, options, '').target;
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    const at = listed.target?.start ?? row.targetStart;
    ctx.report(
      'error',
      'bad-value',
      at,
      text.slice(at, end),
      `${row.target}: ${err.message}`,
      err.expected,
    );
    return { kind: 'generic', name: row.target, options, extra: [], unparsed };
  }
}
