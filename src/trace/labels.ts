/**
 * Names outcomes in Kubernetes terms (`default/web:http → 10.244.1.5:8080`) from the Kubernetes
 * view. Only labels: the outcomes themselves come from the rules alone.
 */
import { chainRole } from '../kube/lookup.js';
import type { KubeModel, ServicePort } from '../kube/model.js';
import type { TraceOutcome, TraceResult, TraceStep } from './types.js';

function serviceOfStep(model: KubeModel, step: TraceStep): ServicePort | null {
  if (step.rule === null) return null;
  const role = chainRole(model, step.table, step.chain);
  if (role?.service) return role.service;
  for (const s of model.services) {
    if (s.filterRules.some((f) => f.rule === step.rule)) return s;
    if (s.entryRules.some((e) => e.rule === step.rule)) return s;
  }
  return null;
}

function labelOf(model: KubeModel, outcome: TraceOutcome): string | null {
  const deciding = outcome.decidingStep;
  if (outcome.verdict === 'DNAT') {
    const role = chainRole(model, deciding.table, deciding.chain);
    if (role?.service) {
      const endpoint = role.endpoint?.address ?? null;
      return endpoint !== null
        ? `${role.service.identity.label} → ${endpoint}`
        : role.service.identity.label;
    }
  }
  const direct = serviceOfStep(model, deciding);
  if (direct !== null) return direct.identity.label;
  // The last service chain the flow went through (e.g. an EXT chain it fell off).
  for (let i = outcome.path.length - 1; i >= 0; i--) {
    const s = serviceOfStep(model, outcome.path[i]);
    if (s !== null) return s.identity.label;
  }
  return null;
}

/** Fills `label` on each outcome (the only mutable field of a TraceResult). */
export function labelOutcomes(result: TraceResult, model: KubeModel): void {
  for (const o of result.outcomes) o.label = labelOf(model, o);
}

// kube-proxy's comment shapes that name a service port (reference §4): "<svc> cluster IP",
// "<svc> has no endpoints", "<svc> -> 10.0.0.1:80", "masquerade traffic for <svc> external
// destinations", and the bare "<svc>" on KUBE-NODEPORTS / KUBE-SEP rules.
const COMMENT_SERVICE: readonly RegExp[] = [
  /^(\S+) (?:cluster IP|external IP|loadbalancer IP)$/,
  /^(\S+) has no (?:local )?endpoints$/,
  /^(\S+) -> \S+$/,
  /^(?:masquerade |route |pod )?(?:LOCAL )?traffic for (\S+) (?:external destinations|LB IP)/,
  /^([a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*(?::[-a-z0-9]*)?)$/,
];

function serviceInComment(comment: string): string | null {
  for (const re of COMMENT_SERVICE) {
    const m = re.exec(comment);
    if (m !== null) return m[1];
  }
  return null;
}

/**
 * Labels from kube-proxy's rule comments along each path, for dumps too large to build the
 * Kubernetes view quickly. Comments label, they never decide (they are missing on KUBE-SEP rules
 * in large clusters; the KUBE-SERVICES entry rule keeps its comment).
 */
export function labelOutcomesFromComments(result: TraceResult): void {
  for (const o of result.outcomes) {
    let service: string | null = null;
    for (let i = o.path.length - 1; i >= 0 && service === null; i--) {
      const c = o.path[i].comment;
      if (c !== null && o.path[i].chain.startsWith('KUBE-')) service = serviceInComment(c);
    }
    if (service === null) continue;
    o.label =
      o.verdict === 'DNAT' && o.destination !== null
        ? `${service} → ${o.destination.address.includes(':') ? `[${o.destination.address}]` : o.destination.address}:${o.destination.port}`
        : service;
  }
}
