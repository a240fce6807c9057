/**
 * A redacted copy of a ruleset: the same tables, chains, rules, lines, counters and problems,
 * with every address, name, comment and hash replaced by its pseudonym. Everything after this
 * (the Kubernetes view, the checks, the report) is built from the copy, so nothing downstream
 * can show an original value that this copy does not hold.
 */
import type { Match, MatchOption } from '../../model/matches.js';
import type { Problem } from '../../model/problems.js';
import { AddressMatch, Rule, type InterfaceMatch } from '../../model/rule.js';
import { Ruleset } from '../../model/ruleset.js';
import type { NatRange, Target } from '../../model/targets.js';
import { learnNames } from './learn.js';
import type { Redactor } from './redactor.js';

/** What the redacted ruleset calls its input. */
export const REDACTED_FILE = 'dump';

function options(r: Redactor, list: readonly MatchOption[]): MatchOption[] {
  return list.map((o) => ({ ...o, args: o.args.map((a) => r.text(a)) }));
}

function iface(r: Redactor, i: InterfaceMatch | null): InterfaceMatch | null {
  return i === null ? null : { negated: i.negated, name: r.iface(i.name) };
}

function match(r: Redactor, m: Match): Match {
  const extra = options(r, m.extra);
  switch (m.kind) {
    case 'comment':
      return { ...m, text: r.comment(m.text), extra };
    case 'recent':
      return { ...m, name: r.recentName(m.name), extra };
    case 'set':
      return { ...m, setName: r.setName(m.setName), extra };
    case 'physdev':
      return {
        ...m,
        physdevIn: iface(r, m.physdevIn),
        physdevOut: iface(r, m.physdevOut),
        extra,
      };
    case 'nfacct':
      return { ...m, name: r.nfacctName(m.name), extra };
    case 'generic':
      return { ...m, options: options(r, m.options), extra };
    default:
      return { ...m, extra };
  }
}

function natRange(r: Redactor, n: NatRange): NatRange {
  return {
    text: r.structured(n.text),
    addressFrom: n.addressFrom === null ? null : r.ip(n.addressFrom),
    addressTo: n.addressTo === null ? null : r.ip(n.addressTo),
    ports: n.ports,
  };
}

function target(r: Redactor, t: Target): Target {
  const extra = options(r, t.extra);
  switch (t.kind) {
    case 'chain': {
      const name = r.chain(t.chain);
      return { ...t, name, chain: name, extra };
    }
    case 'dnat':
      return { ...t, destinations: t.destinations.map((d) => natRange(r, d)), extra };
    case 'snat':
      return { ...t, sources: t.sources.map((d) => natRange(r, d)), extra };
    case 'log':
      return { ...t, prefix: t.prefix === null ? null : r.comment(t.prefix), extra };
    case 'generic':
      return {
        ...t,
        options: options(r, t.options),
        unparsed: t.unparsed === null ? null : r.text(t.unparsed),
        extra,
      };
    default:
      return { ...t, extra };
  }
}

function rule(r: Redactor, from: Rule, chainName: string): Rule {
  const to = new Rule(from.table, chainName, from.line, from.column);
  to.index = from.index;
  to.counters = from.counters;
  to.protocol = from.protocol;
  to.source =
    from.source === null ? null : new AddressMatch(from.source.negated, r.net(from.source.text));
  to.destination =
    from.destination === null
      ? null
      : new AddressMatch(from.destination.negated, r.net(from.destination.text));
  to.inInterface = iface(r, from.inInterface);
  to.outInterface = iface(r, from.outInterface);
  to.fragment = from.fragment;
  to.matches = from.matches.map((m) => match(r, m));
  to.target = from.target === null ? null : target(r, from.target);
  to.unknowns = from.unknowns === null ? null : [...from.unknowns];
  to.targetColumn = from.targetColumn;
  return to;
}

function problem(r: Redactor, p: Problem): Problem {
  return {
    ...p,
    file: REDACTED_FILE,
    text: r.text(p.text),
    message: r.text(p.message),
    expected: p.expected === null ? null : r.text(p.expected),
  };
}

export function redactRuleset(original: Ruleset, r: Redactor): Ruleset {
  learnNames(r, original);
  const out = new Ruleset(REDACTED_FILE, original.format);
  out.generator = original.generator;
  out.family = original.family;
  out.hasCounters = original.hasCounters;
  out.skippedLines = original.skippedLines;
  out.formatSource = original.formatSource;
  for (const loss of original.losses) out.addLoss(loss);
  for (const table of original.tables) {
    const t = out.ensureTable(table.name, table.line);
    t.committed = table.committed;
    t.nameSource = table.nameSource;
    for (const chain of table.chains) {
      const name = chain.builtin ? chain.name : r.chain(chain.name);
      const c = t.ensureChain(name, chain.line);
      c.policy = chain.policy;
      c.counters = chain.counters;
      c.references = chain.references;
      c.declared = chain.declared;
      for (const from of chain.rules) c.rules.push(rule(r, from, name));
    }
  }
  for (const p of original.problems) out.problems.push(problem(r, p));
  return out;
}
