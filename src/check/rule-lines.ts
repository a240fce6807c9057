/** Finding the rules that input problems point at (problems carry lines, not rules). */
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';

/** The first rule on each of `lines`. */
export function rulesByLine(ruleset: Ruleset, lines: ReadonlySet<number>): Map<number, Rule> {
  const out = new Map<number, Rule>();
  if (lines.size === 0) return out;
  for (const rule of ruleset.rules()) {
    if (lines.has(rule.line) && !out.has(rule.line)) out.set(rule.line, rule);
  }
  return out;
}
