/**
 * Listing rows without `Chain` headers (`iptables -t nat -L | grep svc`): their chains are
 * unknown. A few shapes still prove that rows belong together, and only those are used:
 *
 * - a rule marking packets from host S, followed by a DNAT to S with the same comment (the
 *   hairpin rule and the DNAT of one endpoint chain);
 * - a probability ladder: rules with `statistic random` probabilities 1/n, 1/(n-1), ... 1/2,
 *   then one without, all jumping to chains (the rules of one load-balancing chain).
 *
 * Each group holds rules that are certainly in one chain, in order (the chain may hold more);
 * everything else stays in one group of rules whose chains are unknown.
 */
import type { Rule } from '../model/rule.js';

function statisticProbability(rule: Rule): number | null {
  for (const m of rule.matches)
    if (m.kind === 'statistic' && m.mode === 'random') return m.probability;
  return null;
}

function hostAddress(text: string): string {
  const slash = text.indexOf('/');
  return slash === -1 ? text : text.slice(0, slash);
}

function isHost(text: string): boolean {
  return /\/(32|128)$/.test(text);
}

/** `rules[i]` marks packets from a host and `rules[i + 1]` DNATs to that host. */
function isEndpointPair(rules: readonly Rule[], i: number): boolean {
  const mark = rules[i];
  const dnat = rules[i + 1];
  if (dnat === undefined || mark.target?.kind !== 'chain' || dnat.target?.kind !== 'dnat')
    return false;
  const src = mark.source;
  if (src === null || src.negated || !isHost(src.text)) return false;
  if (dnat.target.destinations.length !== 1) return false;
  const to = dnat.target.destinations[0].addressFrom;
  return to === hostAddress(src.text) && mark.comment === dnat.comment;
}

/** Length of the probability ladder starting at `rules[i]`, or 0. */
function ladderLength(rules: readonly Rule[], i: number): number {
  const p = statisticProbability(rules[i]);
  if (p === null || p <= 0) return 0;
  const n = Math.round(1 / p);
  if (n < 2 || i + n > rules.length) return 0;
  for (let k = 0; k < n; k++) {
    const rule = rules[i + k];
    if (rule.target?.kind !== 'chain') return 0;
    const q = statisticProbability(rule);
    if (k === n - 1) {
      if (q !== null) return 0;
    } else if (q === null || Math.abs(q - 1 / (n - k)) > 1e-4) return 0;
  }
  return n;
}

/** Splits rows of unknown chains into groups: first the unplaced rows, then proven groups. */
export function groupListedOrphans(rules: readonly Rule[]): Rule[][] {
  const rest: Rule[] = [];
  const groups: Rule[][] = [];
  for (let i = 0; i < rules.length;) {
    if (isEndpointPair(rules, i)) {
      groups.push([rules[i], rules[i + 1]]);
      i += 2;
      continue;
    }
    const n = ladderLength(rules, i);
    if (n > 0) {
      groups.push(rules.slice(i, i + n));
      i += n;
      continue;
    }
    rest.push(rules[i]);
    i++;
  }
  return rest.length > 0 ? [rest, ...groups] : groups;
}
