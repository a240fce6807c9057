/**
 * When does a rule's target take a packet out of its chain for good? ACCEPT, DROP, REJECT, the
 * NAT targets and RETURN do; a goto does (the callee returns to this chain's caller); a jump
 * does only when the callee cannot come back for the packets the jump sends it. A callee
 * "cannot come back" when it has no RETURN, every goto in it leads to a chain that cannot come
 * back either, and one of its rules takes every such packet out for good before its end.
 *
 * Also: which targets can change packet state (marks, conntrack, sets, headers), so that the
 * subsumption test knows when state-dependent matches may be compared across rules.
 */
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset, Table } from '../model/ruleset.js';
import { covers } from './subsumption.js';

const NAT_TARGETS: ReadonlySet<string> = new Set(['dnat', 'snat', 'masquerade', 'redirect']);

export class ChainExits {
  /** Per entry rule (the packets sent in), per chain: why the chain cannot return, or null. */
  private readonly noReturn = new WeakMap<Rule, Map<Chain, string | null>>();
  private readonly mutating = new Map<Chain, boolean>();
  private readonly exiting = new Map<Chain, boolean>();
  private readonly tables = new Map<string, Table>();

  constructor(ruleset: Ruleset) {
    for (const t of ruleset.tables) this.tables.set(t.name, t);
  }

  private chainOf(table: string, name: string): Chain | undefined {
    return this.tables.get(table)?.chain(name);
  }

  /**
   * Why every packet that matches `rule` and reaches its target leaves the rule's chain for
   * good; null when that cannot be shown. `entry` describes the packets (defaults to the rule).
   */
  leaves(rule: Rule, entry: Rule = rule, visiting: Set<Chain> = new Set()): string | null {
    const t = rule.target;
    if (t === null) return null;
    switch (t.kind) {
      case 'verdict':
        if (t.name === 'RETURN') return 'RETURN leaves the chain';
        return `${t.name} ends the packet's way through the table`;
      case 'reject':
        return 'REJECT ends the packet';
      case 'chain': {
        if (t.goto) {
          return `-g ${t.chain}: when that chain ends, the packet returns to this chain's caller, not here`;
        }
        const callee = this.chainOf(rule.table, t.chain);
        const why = callee === undefined ? null : this.cannotReturn(callee, entry, visiting);
        return why === null ? null : `${t.chain} never returns: ${why}`;
      }
      default:
        if (NAT_TARGETS.has(t.kind)) return `${t.name} is a terminating target`;
        return null;
    }
  }

  /**
   * False when `leaves` is sure to say null without looking anywhere else (a target that lets
   * the packet go on: a mark, a log, none); true when it may say otherwise.
   */
  mayLeave(rule: Rule): boolean {
    const t = rule.target;
    if (t === null) return false;
    switch (t.kind) {
      case 'verdict':
      case 'reject':
        return true;
      case 'chain': {
        if (t.goto) return true;
        // A jump leaves only through a callee rule that does (see walk).
        const callee = this.chainOf(rule.table, t.chain);
        return callee !== undefined && !callee.builtin && this.hasExit(callee);
      }
      default:
        return NAT_TARGETS.has(t.kind);
    }
  }

  /** Whether any rule of `chain` has a target that may take a packet out. */
  private hasExit(chain: Chain): boolean {
    let known = this.exiting.get(chain);
    if (known === undefined) {
      known = chain.rules.some((r) => {
        const t = r.target;
        return (
          t !== null &&
          (t.kind === 'verdict' ||
            t.kind === 'reject' ||
            t.kind === 'chain' ||
            NAT_TARGETS.has(t.kind))
        );
      });
      this.exiting.set(chain, known);
    }
    return known;
  }

  /** Whether `rule`'s target may change state a later match could test. */
  mutates(rule: Rule): boolean {
    const t = rule.target;
    if (t === null) return false;
    switch (t.kind) {
      case 'mark':
      case 'generic':
        return true;
      case 'chain': {
        // A goto never comes back to this chain, so what the callee changes is not seen here.
        if (t.goto) return false;
        const callee = this.chainOf(rule.table, t.chain);
        return callee === undefined || this.chainMutates(callee, new Set());
      }
      default:
        return false;
    }
  }

  private chainMutates(chain: Chain, visiting: Set<Chain>): boolean {
    const known = this.mutating.get(chain);
    if (known !== undefined) return known;
    if (visiting.has(chain)) return true;
    visiting.add(chain);
    let result = false;
    for (const r of chain.rules) {
      const t = r.target;
      if (t === null) continue;
      if (t.kind === 'mark' || t.kind === 'generic') result = true;
      else if (t.kind === 'chain') {
        const callee = this.chainOf(chain.table, t.chain);
        result = callee === undefined || this.chainMutates(callee, visiting);
      }
      if (result) break;
    }
    visiting.delete(chain);
    this.mutating.set(chain, result);
    return result;
  }

  private cannotReturn(chain: Chain, entry: Rule, visiting: Set<Chain>): string | null {
    let memo = this.noReturn.get(entry);
    if (memo === undefined) {
      memo = new Map();
      this.noReturn.set(entry, memo);
    }
    const known = memo.get(chain);
    if (known !== undefined || memo.has(chain)) return known ?? null;
    if (visiting.has(chain)) return null; // a loop: assume it may return
    visiting.add(chain);
    const why = this.walk(chain, entry, visiting);
    visiting.delete(chain);
    memo.set(chain, why);
    return why;
  }

  private walk(chain: Chain, entry: Rule, visiting: Set<Chain>): string | null {
    if (chain.builtin) return null;
    let stateStable = true;
    for (const r of chain.rules) {
      const t = r.target;
      if (t !== null && t.kind === 'verdict' && t.name === 'RETURN') return null;
      if (t !== null && t.kind === 'chain' && t.goto) {
        const callee = this.chainOf(chain.table, t.chain);
        if (callee === undefined || this.cannotReturn(callee, entry, visiting) === null)
          return null;
      }
      if (covers(r, entry, { stateStable }).covers) {
        const out = this.leaves(r, entry, visiting);
        if (out !== null) return `its rule ${r.index} takes every such packet (${out})`;
      }
      if (this.mutates(r)) stateStable = false;
    }
    return null;
  }
}
