/**
 * Checks every reader runs once its input is read: jumps to chains that were never declared,
 * and the address family when no header named it.
 */
import { VERDICTS } from '../model/targets.js';
import type { Ruleset } from '../model/ruleset.js';
import { ProblemLog } from './context.js';

export function finishRuleset(ruleset: Ruleset): void {
  const log = new ProblemLog(ruleset.file, ruleset.problems);
  const fragment = ruleset.format === 'save-fragment' || ruleset.format === 'listing-fragment';
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      for (const rule of chain.rules) {
        if (ruleset.family === 'unknown') {
          const net = rule.source?.net ?? rule.destination?.net;
          if (net) ruleset.family = net.family === 6 ? 'ipv6' : 'ipv4';
        }
        const target = rule.target;
        if (target === null || target.kind !== 'chain') continue;
        const callee = table.chain(target.chain);
        if (callee !== undefined) {
          // The chain's own name string, so that later lookups of jump targets by name (the
          // Kubernetes view makes hundreds of thousands) compare strings by identity. Targets
          // are shared between rules (and tables) with identical target text.
          const interned = target as { name: string; chain: string };
          interned.name = callee.name;
          interned.chain = callee.name;
          continue;
        }
        if (VERDICTS.has(target.chain)) continue;
        // A fragment shows only part of a table: a missing chain is expected there.
        if (fragment) continue;
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
    }
  }
}
