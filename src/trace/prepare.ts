/**
 * What the engine computes once per Ruleset and reuses for every trace: the facts the dump
 * shows about its node, and the indexes of long chains. Cached per Ruleset object (rulesets are
 * not changed after they are read).
 */
import type { Chain, Ruleset } from '../model/ruleset.js';
import { hostKeyOf } from './address.js';
import { buildChainIndex, type ChainIndex } from './chain-index.js';
import { inferFacts, type InferredFacts } from './infer.js';

export interface PreparedRuleset {
  readonly ruleset: Ruleset;
  readonly facts: InferredFacts;
  readonly chainIndexes: ReadonlyMap<Chain, ChainIndex>;
  /**
   * ipKey of every host address a nat or filter rule tests with a plain `-d`: service addresses
   * (filter too, for services whose only rule is a REJECT).
   */
  readonly ruleDestinations: ReadonlySet<string>;
}

const cache = new WeakMap<Ruleset, PreparedRuleset>();

function collectRuleDestinations(ruleset: Ruleset): Set<string> {
  const out = new Set<string>();
  for (const table of ruleset.tables) {
    if (table.name !== 'nat' && table.name !== 'filter') continue;
    for (const chain of table.chains) {
      // Per-service chains only repeat addresses KUBE-SERVICES and the filter chains name.
      const n = chain.name;
      if (n.startsWith('KUBE-SEP-') || n.startsWith('KUBE-SVC-') || n.startsWith('KUBE-SVL-'))
        continue;
      for (const rule of chain.rules) {
        const key = hostKeyOf(rule.destination);
        if (key !== null && !key.startsWith('127.') && key !== '::1') out.add(key);
      }
    }
  }
  return out;
}

/** `make(ruleset)`, computed once per Ruleset. */
function perRuleset<T>(make: (ruleset: Ruleset) => T): (ruleset: Ruleset) => T {
  const made = new WeakMap<Ruleset, T>();
  return (ruleset) => {
    let value = made.get(ruleset);
    if (value === undefined) {
      value = make(ruleset);
      made.set(ruleset, value);
    }
    return value;
  };
}

const chainIndexesOf = perRuleset((ruleset) => {
  const chainIndexes = new Map<Chain, ChainIndex>();
  for (const table of ruleset.tables)
    for (const chain of table.chains) {
      const index = buildChainIndex(chain);
      if (index !== null) chainIndexes.set(chain, index);
    }
  return chainIndexes;
});
const factsOf = perRuleset(inferFacts);
const ruleDestinationsOf = perRuleset(collectRuleDestinations);

export function prepareTrace(ruleset: Ruleset): PreparedRuleset {
  const hit = cache.get(ruleset);
  if (hit !== undefined) return hit;
  const prepared: PreparedRuleset = {
    ruleset,
    facts: factsOf(ruleset),
    chainIndexes: chainIndexesOf(ruleset),
    ruleDestinations: ruleDestinationsOf(ruleset),
  };
  cache.set(ruleset, prepared);
  return prepared;
}

/**
 * prepareTrace in three parts (each some tens of milliseconds on a large dump), for a caller
 * that does it ahead of time a piece at a time; prepareTrace then only puts them together.
 */
export function prepareTraceJobs(ruleset: Ruleset): Array<() => void> {
  return [
    () => void chainIndexesOf(ruleset),
    () => void factsOf(ruleset),
    () => void ruleDestinationsOf(ruleset),
    () => void prepareTrace(ruleset),
  ];
}
