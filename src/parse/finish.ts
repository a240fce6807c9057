/**
 * Checks every reader runs once its input is read: jumps to chains that were never declared,
 * and the address family when no header named it.
 */
import { VERDICTS } from '../model/targets.js';
import type { Rule } from '../model/rule.js';
import type { Ruleset, Table } from '../model/ruleset.js';
import { ProblemLog } from './context.js';

export function finishRuleset(ruleset: Ruleset): void {
  const log = new ProblemLog(ruleset.file, ruleset.problems);
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      // Deferred rules are finished when they are parsed (the chain's rules all at once).
      if (!chain.materialized) continue;
      for (const rule of chain.rules) finishRule(ruleset, table, rule, log);
    }
  }
}

/**
 * finishRuleset's work for one rule of `table`, once the whole input is read (so every declared
 * chain is known). `log` writes into `ruleset.problems`.
 */
export function finishRule(ruleset: Ruleset, table: Table, rule: Rule, log: ProblemLog): void {
  if (ruleset.family === 'unknown') {
    const net = rule.source?.net ?? rule.destination?.net;
    if (net) ruleset.family = net.family === 6 ? 'ipv6' : 'ipv4';
  }
  const target = rule.target;
  if (target === null || target.kind !== 'chain') return;
  const callee = table.chain(target.chain);
  if (callee !== undefined) {
    // The chain's own name string, so that later lookups of jump targets by name (the
    // Kubernetes view makes hundreds of thousands) compare strings by identity. Targets
    // are shared between rules (and tables) with identical target text.
    const interned = target as { name: string; chain: string };
    interned.name = callee.name;
    interned.chain = callee.name;
    return;
  }
  if (VERDICTS.has(target.chain)) return;
  // A fragment shows only part of a table: a missing chain is expected there.
  if (ruleset.format === 'save-fragment' || ruleset.format === 'listing-fragment') return;
  log.add(
    'error',
    'undeclared-chain',
    rule.line,
    rule.targetColumn || rule.column,
    // Only the flag is quoted: the chain name may have been written with quotes.
    target.goto ? '-g' : '-j',
    `${target.goto ? 'goto' : 'jump'} to chain ${target.chain}, which table ${table.name} never declares (a truncated dump, or a target extension this tool does not know)`,
    `a :${target.chain} line in table ${table.name}`,
  );
}
