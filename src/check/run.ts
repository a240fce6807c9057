/**
 * `check`: every finding family over one ruleset and its Kubernetes view, sorted (errors first,
 * then by input line) so the output is stable.
 */
import type { KubeModel } from '../kube/model.js';
import type { Ruleset } from '../model/ruleset.js';
import { checkEndpoints } from './endpoints.js';
import { compareFindings, type Finding, type FindingCode } from './finding.js';
import { checkLadders } from './ladders.js';
import { checkLargeClusterMode } from './large-cluster.js';
import { checkMixedIptables } from './mixed-iptables.js';
import { checkObservedShares } from './observed-share.js';
import { checkProxyMode } from './proxy-mode.js';
import { checkServiceWarnings } from './service-warnings.js';
import { checkShadowing } from './shadowing.js';
import { checkStaleChains } from './stale-chains.js';
import { checkUndeclaredChains } from './undeclared-chain.js';

export interface CheckOptions {
  /** Codes to leave out. */
  readonly ignore?: ReadonlySet<FindingCode>;
}

export function runChecks(
  ruleset: Ruleset,
  kube: KubeModel,
  options: CheckOptions = {},
): Finding[] {
  const findings = [
    ...checkProxyMode(kube),
    ...checkMixedIptables(ruleset),
    ...checkUndeclaredChains(ruleset),
    ...checkEndpoints(kube),
    ...checkStaleChains(kube),
    ...checkLadders(kube),
    ...checkObservedShares(kube),
    ...checkServiceWarnings(kube),
    ...checkShadowing(ruleset),
    ...checkLargeClusterMode(kube),
  ];
  const ignore = options.ignore;
  const seen = new Set<string>();
  const kept = findings.filter((f) => {
    if (ignore?.has(f.code)) return false;
    // One input line can carry the same problem twice (two garbled options of one rule).
    const key = `${f.code}\0${f.location.line ?? ''}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return kept.sort(compareFindings);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
