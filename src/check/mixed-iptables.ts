/**
 * Signs that the dump was saved by a different iptables than the one that wrote the rules, or
 * that rules live in both the legacy and the nf_tables backend: the reader reports them as input
 * problems (Ruleset.problems); this family turns them into findings, one per sign, with the rule.
 */
import type { Problem, ProblemCode } from '../model/problems.js';
import type { Ruleset } from '../model/ruleset.js';
import { makeFinding } from './codes.js';
import { rulesByLine } from './rule-lines.js';
import { NO_LOCATION, ruleLocation, type Finding, type FindingCode } from './finding.js';

const CODES: Partial<Record<ProblemCode, FindingCode>> = {
  'legacy-tables-present': 'mixed-iptables-backends',
  'unsupported-revision': 'unsupported-revision',
  'garbled-nat': 'garbled-nat',
};

const WHY: Record<string, string> = {
  'mixed-iptables-backends':
    'iptables-nft prints this warning when the legacy (x_tables) backend also holds rules; both sets act on every packet, and kube-proxy uses only one of them (KUBE-IPTABLES-HINT tells which): run iptables-legacy-save too, and make kube-proxy, kubelet and the CNI agree on one backend',
  'unsupported-revision':
    'the iptables binary that printed the dump does not know the match or target revision the rule was written with, so the options are missing; save the rules with the iptables of the host (or of the kube-proxy image) that wrote them',
  'garbled-nat':
    'an iptables binary older than the one that wrote the rule prints its NAT range wrongly (--to-destination :0); the real endpoint is not in this dump and a restore of this dump would write a broken rule',
};

export function checkMixedIptables(ruleset: Ruleset): Finding[] {
  const problems = ruleset.problems.filter((p) => CODES[p.code] !== undefined);
  const rules = rulesByLine(ruleset, new Set(problems.map((p) => p.line)));
  return problems.map((p: Problem) => {
    const code = CODES[p.code] as FindingCode;
    const rule = rules.get(p.line);
    const location =
      rule !== undefined
        ? ruleLocation(rule)
        : { ...NO_LOCATION, line: p.line > 0 ? p.line : null };
    return makeFinding(code, p.message, location, rule !== undefined ? [rule] : [], [
      `${ruleset.file}:${p.line}:${p.column}: ${p.text}`,
      WHY[code],
    ]);
  });
}
