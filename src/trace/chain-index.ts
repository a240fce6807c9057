/**
 * Skipping rules that cannot match, without changing rule order. A long chain (KUBE-SERVICES,
 * KUBE-NODEPORTS, filter KUBE-EXTERNAL-SERVICES) is keyed by the one packet field its rules
 * mostly pin down (destination host, or destination port); rules that do not pin it stay in a
 * "wildcard" list. The next rule worth evaluating from position i is the smaller of the next
 * keyed rule for this packet's key and the next wildcard rule: exactly the rules a linear scan
 * would consider, in the same order.
 */
import type { Chain } from '../model/ruleset.js';
import type { Rule } from '../model/rule.js';
import { hostKeyOf } from './address.js';

/** Chains shorter than this are scanned linearly: indexing them would cost more than it saves. */
const MIN_INDEXED_RULES = 24;

export type IndexDimension = 'destination' | 'destination-port';

export interface ChainIndex {
  readonly dimension: IndexDimension;
  readonly keyed: ReadonlyMap<string, readonly number[]>;
  readonly wildcard: readonly number[];
}

function destinationKey(rule: Rule): string | null {
  return hostKeyOf(rule.destination);
}

function destinationPortKey(rule: Rule): string | null {
  for (const m of rule.matches) {
    if (m.kind !== 'ports' || m.destinationPort === null) continue;
    const p = m.destinationPort;
    if (p.negated || p.range === null || p.range.from !== p.range.to) return null;
    return String(p.range.from);
  }
  return null;
}

function build(chain: Chain, keyOf: (r: Rule) => string | null, dimension: IndexDimension) {
  const keyed = new Map<string, number[]>();
  const wildcard: number[] = [];
  chain.rules.forEach((rule, i) => {
    const k = keyOf(rule);
    if (k === null) wildcard.push(i);
    else {
      const list = keyed.get(k);
      if (list === undefined) keyed.set(k, [i]);
      else list.push(i);
    }
  });
  return { dimension, keyed, wildcard };
}

export function buildChainIndex(chain: Chain): ChainIndex | null {
  // Counted without parsing: a deferred read leaves short per-service chains unparsed.
  if (chain.ruleCount < MIN_INDEXED_RULES) return null;
  const n = chain.rules.length;
  const byDestination = build(chain, destinationKey, 'destination');
  const best =
    byDestination.wildcard.length * 4 <= n
      ? byDestination
      : (() => {
          const byPort = build(chain, destinationPortKey, 'destination-port');
          return byPort.wildcard.length < byDestination.wildcard.length ? byPort : byDestination;
        })();
  // An index that leaves most rules as wildcards saves nothing.
  return best.wildcard.length * 2 <= n ? best : null;
}

/** First element of a sorted list that is >= from, or Infinity. */
function firstAtOrAfter(list: readonly number[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo] : Infinity;
}

/**
 * The position of the next rule at or after `from` that could match a packet whose key (for
 * this index's dimension) is `key`; -1 when none is left.
 */
export function nextCandidate(index: ChainIndex, key: string, from: number): number {
  const keyed = index.keyed.get(key);
  const a = keyed === undefined ? Infinity : firstAtOrAfter(keyed, from);
  const b = firstAtOrAfter(index.wildcard, from);
  const next = Math.min(a, b);
  return next === Infinity ? -1 : next;
}
