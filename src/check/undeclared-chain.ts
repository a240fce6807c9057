/**
 * Jumps to chains the dump never declares (and rules in undeclared chains). The reader reports
 * them as input problems; a jump like that cannot be restored and usually means the dump is
 * truncated or was edited by hand, so `check` reports it as an error with the rule.
 */
import type { Ruleset } from '../model/ruleset.js';
import { makeFinding } from './codes.js';
import { NO_LOCATION, ruleLocation, type Finding } from './finding.js';
import { rulesByLine } from './rule-lines.js';

export function checkUndeclaredChains(ruleset: Ruleset): Finding[] {
  const problems = ruleset.problems.filter((p) => p.code === 'undeclared-chain');
  const rules = rulesByLine(ruleset, new Set(problems.map((p) => p.line)));
  return problems.map((p) => {
    const rule = rules.get(p.line);
    return makeFinding(
      'undeclared-chain',
      p.message,
      rule !== undefined
        ? ruleLocation(rule)
        : { ...NO_LOCATION, line: p.line > 0 ? p.line : null },
      rule !== undefined ? [rule] : [],
      [
        `${ruleset.file}:${p.line}:${p.column}: expected ${p.expected ?? 'a chain declaration'}`,
        'iptables-save declares every chain of a table before its rules, so a missing declaration means the dump was cut or edited; iptables-restore refuses it',
      ],
    );
  });
}
