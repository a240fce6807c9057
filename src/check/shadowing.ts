/**
 * Rules that can never match, and rules repeated exactly.
 *
 * A later rule is shadowed when an earlier rule of the same chain matches every packet it could
 * match (subsumption.ts proves this condition by condition) and the earlier rule's target takes
 * each such packet out of the chain for good (chain-exit.ts). Every packet is evaluated against
 * a chain's rules in order from the top, so a packet that reaches the later rule has passed the
 * earlier one. When either proof fails, nothing is claimed.
 *
 * Exact duplicates (the same rule text twice in one chain) are reported on their own: a repeated
 * marking or counting rule is harmless but confusing; a repeated balancing rule changes shares.
 *
 * Cost: candidates for covering a rule are the earlier rules with no host destination and those
 * with the same host destination, so KUBE-SERVICES with thousands of ClusterIP rules stays
 * close to linear.
 */
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset } from '../model/ruleset.js';
import { printRule } from '../render/save.js';
import { ChainExits } from './chain-exit.js';
import { makeFinding } from './codes.js';
import { ruleAt } from './describe.js';
import { ruleLocation, type Finding } from './finding.js';
import { covers } from './subsumption.js';

/** The destination address when it names one host; such a rule covers only that host. */
function hostKey(rule: Rule): string | null {
  const d = rule.destination;
  if (d === null || d.negated) return null;
  const net = d.net;
  if (net === null) return `name:${d.text}`;
  const bits = net.family === 4 ? 32 : 128;
  return net.prefix === bits ? `${net.family}:${net.address}` : null;
}

function ruleText(rule: Rule): string {
  return printRule(rule);
}

function sameTarget(a: Rule, b: Rule): boolean {
  return JSON.stringify(a.target) === JSON.stringify(b.target);
}

interface Shadow {
  readonly earlier: Rule;
  readonly later: Rule;
  readonly reasons: readonly string[];
  readonly leaves: string;
}

interface ChainScan {
  /** First rule → the later rules that repeat it exactly. */
  readonly copies: Map<Rule, Rule[]>;
  readonly shadows: Shadow[];
  /** Copies that can never match (their first twin catches all they would). */
  readonly deadCopies: Set<Rule>;
}

const NONE: readonly number[] = [];

function scanChain(chain: Chain, exits: ChainExits): ChainScan {
  const rules = chain.rules;
  const out: ChainScan = { copies: new Map(), shadows: [], deadCopies: new Set() };
  if (rules.length < 2) return out;

  // mutations[i]: rules before i whose target may change packet state. Worked out only when a
  // pair with rules between them is compared: most chains of a large dump never need it.
  let mutations: number[] | null = null;
  const stateStable = (i: number, j: number): boolean => {
    if (j - i <= 1) return true;
    if (mutations === null) {
      mutations = [0];
      for (const r of rules)
        mutations.push(mutations[mutations.length - 1] + (exits.mutates(r) ? 1 : 0));
    }
    return mutations[j] - mutations[i + 1] === 0;
  };

  // Why each rule takes packets out for good (null: it may not), asked only of a rule that
  // covers a later one: proving it can mean walking the chains it jumps to.
  const leaving: (string | null | undefined)[] = rules.map(() => undefined);
  const leaves = (i: number): string | null => {
    let why = leaving[i];
    if (why === undefined) leaving[i] = why = exits.leaves(rules[i]);
    return why;
  };
  // Earlier rules that may take packets out, by host destination: a rule with one host
  // destination covers only that host.
  const wide: number[] = [];
  const byHost = new Map<string, number[]>();
  const firstByText = new Map<string, number>();

  for (let j = 0; j < rules.length; j++) {
    const later = rules[j];
    const key = hostKey(later);
    const same = key === null ? NONE : (byHost.get(key) ?? NONE);

    // The earlier rules in order: the wide ones and those of the same host, both ascending.
    let shadow: Shadow | null = null;
    for (let w = 0, h = 0; w < wide.length || h < same.length;) {
      const i = h >= same.length || (w < wide.length && wide[w] < same[h]) ? wide[w++] : same[h++];
      const c = covers(rules[i], later, { stateStable: stateStable(i, j) });
      if (!c.covers) continue;
      const why = leaves(i);
      if (why !== null) {
        shadow = { earlier: rules[i], later, reasons: c.reasons, leaves: why };
        break;
      }
    }

    // A listing that dropped fields prints different rules alike: only whole rules compare.
    const complete = (later.unknowns?.length ?? 0) === 0;
    const text = ruleText(later);
    const twin = complete ? firstByText.get(text) : undefined;
    if (twin !== undefined) {
      const list = out.copies.get(rules[twin]) ?? [];
      list.push(later);
      out.copies.set(rules[twin], list);
      if (shadow !== null) out.deadCopies.add(later);
    } else {
      if (complete) firstByText.set(text, j);
      if (shadow !== null) out.shadows.push(shadow);
    }

    if (!exits.mayLeave(later)) continue;
    if (key === null) wide.push(j);
    else {
      const list = byHost.get(key) ?? [];
      list.push(j);
      byHost.set(key, list);
    }
  }
  return out;
}

function ruleList(rules: readonly Rule[]): string {
  const numbers = rules.map((r) => r.index);
  return numbers.length === 1 ? `rule ${numbers[0]}` : `rules ${numbers.join(', ')}`;
}

function duplicateFinding(first: Rule, copies: readonly Rule[], dead: ReadonlySet<Rule>): Finding {
  const balancing = first.matches.some((m) => m.kind === 'statistic');
  const allDead = copies.every((c) => dead.has(c));
  const effect = allDead
    ? `the ${copies.length === 1 ? 'copy' : 'copies'} can never match: ${ruleAt(first)} takes every packet ${copies.length === 1 ? 'it' : 'they'} would`
    : balancing
      ? 'a repeated statistic rule draws again, which changes the shares of the rules after it'
      : `the copies match the packets ${ruleAt(first)} let through, so whatever the target does happens again`;
  return makeFinding(
    'rule-duplicate',
    `${first.table} ${first.chain} ${ruleList(copies)} ${copies.length === 1 ? 'repeats' : 'repeat'} ${ruleAt(first)} exactly`,
    ruleLocation(copies[0]),
    [first, ...copies],
    [
      `${copies.map(ruleAt).join(', ')} ${copies.length === 1 ? 'has' : 'have'} the same matches and target as ${ruleAt(first)}`,
      effect,
      'kube-proxy never writes a rule twice into one chain; copies usually come from `iptables -A`/`-I` run by hand or by a script more than once',
    ],
  );
}

function shadowFinding(s: Shadow): Finding {
  const { earlier, later } = s;
  const redundant = sameTarget(earlier, later);
  const explanation = [
    `every packet reaches ${ruleAt(earlier)} before ${ruleAt(later)} (rules of a chain are tried in order from the top)`,
    `every packet that matches ${ruleAt(later)} also matches ${ruleAt(earlier)}:`,
    ...(s.reasons.length > 0
      ? s.reasons.map((r) => `  ${r}`)
      : [`  ${ruleAt(earlier)} has no condition that can fail`]),
    `and ${ruleAt(earlier)} takes each of them out of the chain for good: ${s.leaves}`,
  ];
  if (redundant) {
    explanation.push(
      `both rules have the same target, so nothing is lost: ${ruleAt(later)} is redundant (kube-proxy writes such pairs itself, e.g. one health check node port shared by several ports of a service)`,
    );
    return makeFinding(
      'rule-redundant',
      `${later.table} ${later.chain} ${ruleAt(later)} can never match, but ${ruleAt(earlier)}, which catches its packets, does the same`,
      ruleLocation(later),
      [later, earlier],
      explanation,
    );
  }
  return makeFinding(
    'rule-shadowed',
    `${later.table} ${later.chain} ${ruleAt(later)} can never match: ${ruleAt(earlier)} catches every packet it would and does something else`,
    ruleLocation(later),
    [later, earlier],
    explanation,
  );
}

export function checkShadowing(ruleset: Ruleset): Finding[] {
  // A fragment (grep output) may have lost rules anywhere, so no rule can be shown dead.
  if (ruleset.format === 'save-fragment' || ruleset.format === 'listing-fragment') return [];
  // A truncated dump still shows every rule before the cut, which is all shadowing needs.
  const exits = new ChainExits(ruleset);
  const out: Finding[] = [];
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      const scan = scanChain(chain, exits);
      for (const s of scan.shadows) out.push(shadowFinding(s));
      for (const [first, copies] of scan.copies)
        out.push(duplicateFinding(first, copies, scan.deadCopies));
    }
  }
  return out;
}
