/**
 * The remaining per-service warnings of the kube view that deserve a stable code of their own:
 * two services on one tuple, a chain hash that contradicts its comments, an endpoint chain
 * without a readable DNAT, and an entry rule that jumps to an empty service chain.
 */
import type { KubeModel, KubeWarningCode } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { showsWholeTables } from './completeness.js';
import { NO_LOCATION, ruleLocation, type Finding, type FindingCode } from './finding.js';

const CODES: Partial<Record<KubeWarningCode, FindingCode>> = {
  'duplicate-tuple': 'duplicate-service-tuple',
  'hash-mismatch': 'chain-hash-mismatch',
  'dnat-unreadable': 'unreadable-dnat',
  'empty-chain': 'empty-chain',
};

export function checkServiceWarnings(kube: KubeModel): Finding[] {
  const out: Finding[] = [];
  const whole = showsWholeTables(kube.ruleset);
  // Empty chains nothing uses are reported by the stale-chain family already.
  const staleEmpty = new Set(
    kube.staleChains.filter((s) => s.reason === 'empty').map((s) => s.chain.name),
  );
  for (const service of kube.services) {
    const label = service.identity.label;
    for (const w of service.warnings) {
      const code = CODES[w.code];
      if (code === undefined) continue;
      if (code === 'empty-chain') {
        if (!whole || w.rules.some((r) => staleEmpty.has(r.jumpChain ?? ''))) continue;
      }
      out.push(
        makeFinding(
          code,
          `${label}: ${w.message}`,
          w.rules.length > 0 ? ruleLocation(w.rules[0], label) : { ...NO_LOCATION, service: label },
          w.rules,
        ),
      );
    }
  }
  return out;
}
