/** The reverse of the jump graph of the `nat` table, for the chains the view asks about. */
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset } from '../model/ruleset.js';

/**
 * Who jumps to each chain of the table named `nat` (the only table whose callers the view asks
 * about). The index is built on the first question: a dump whose ladders all end in a step that
 * takes every packet, and which has no stale chains, never asks.
 */
export class NatReferences {
  private index: Map<Chain, Rule[]> | null = null;

  constructor(private readonly ruleset: Ruleset) {}

  /** Rules of the `nat` table that jump or go to `chain`. */
  callers(chain: Chain): readonly Rule[] {
    this.index ??= NatReferences.build(this.ruleset);
    return this.index.get(chain) ?? [];
  }

  private static build(ruleset: Ruleset): Map<Chain, Rule[]> {
    const refs = new Map<Chain, Rule[]>();
    const nat = ruleset.table('nat');
    if (nat === undefined) return refs;
    for (const chain of nat.chains) {
      for (const rule of chain.rules) {
        const target = rule.jumpChain;
        if (target === null) continue;
        const callee = nat.chain(target);
        if (callee === undefined) continue;
        const list = refs.get(callee);
        if (list === undefined) refs.set(callee, [rule]);
        else list.push(rule);
      }
    }
    return refs;
  }
}
