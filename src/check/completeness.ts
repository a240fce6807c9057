/**
 * Whether the input shows whole tables. Findings about what is absent ("nothing jumps to this
 * chain", "this chain has no rules", "no rule before this one catches...") need whole tables:
 * in a truncated dump or a grep fragment the missing part may hold the answer.
 */
import type { Ruleset } from '../model/ruleset.js';

const INCOMPLETE: readonly string[] = [
  'truncated',
  'no-chain-declarations',
  'no-chain-headers',
  'partial-table',
];

export function showsWholeTables(ruleset: Ruleset): boolean {
  if (ruleset.format === 'save-fragment' || ruleset.format === 'listing-fragment') return false;
  const losses: readonly string[] = ruleset.losses;
  return !losses.some((l) => INCOMPLETE.includes(l));
}
