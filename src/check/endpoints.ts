/**
 * Services that cannot reach an endpoint from this node: no endpoint anywhere (filter REJECT
 * "has no endpoints") and traffic policy Local without a local endpoint (DROP "has no local
 * endpoints", or ≤1.24 KUBE-MARK-DROP). The kube view decides which services these are; this
 * family splits them by the traffic concerned and points at the rules.
 */
import type { Rule } from '../model/rule.js';
import type { KubeModel, KubeWarning, ServicePort } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { describeFilterEntry, ruleRef } from './describe.js';
import { NO_LOCATION, ruleLocation, type Finding, type FindingLocation } from './finding.js';

function location(service: ServicePort, rules: readonly Rule[]): FindingLocation {
  const label = service.identity.label;
  return rules.length > 0 ? ruleLocation(rules[0], label) : { ...NO_LOCATION, service: label };
}

function noEndpoints(service: ServicePort, warning: KubeWarning): Finding {
  const rejects = service.filterRules.filter((f) => f.kind === 'reject-no-endpoints');
  const what = rejects.map(describeFilterEntry);
  const label = service.identity.label;
  return makeFinding(
    'service-no-endpoints',
    `${label} has no endpoints: new connections to ${what.length > 0 ? what.join(', ') : 'it'} are rejected`,
    location(service, warning.rules),
    warning.rules,
    [
      ...rejects.map(
        (f) => `${ruleRef(f.rule)} rejects ${describeFilterEntry(f)} ("has no endpoints")`,
      ),
      'kube-proxy writes these REJECT rules when no endpoint of the service is ready or serving on any node: check the pods behind the selector and their readiness',
    ],
  );
}

type Direction = 'internal' | 'external';

/**
 * Which traffic a no-local-endpoints rule drops: the filter rule's entry kind says it directly;
 * a ≤1.24 KUBE-MARK-DROP says it by its chain (XLB is external only, SVL serves both policies).
 */
function directionsOf(service: ServicePort, rule: Rule): Direction[] {
  const filter = service.filterRules.find((f) => f.rule === rule);
  if (filter !== undefined) return [filter.entry === 'cluster-ip' ? 'internal' : 'external'];
  if (rule.chain === service.chains.xlb?.name) return ['external'];
  const out: Direction[] = [];
  if (service.internalTrafficPolicy === 'Local') out.push('internal');
  if (service.externalTrafficPolicy === 'Local') out.push('external');
  return out;
}

function noLocalEndpoints(service: ServicePort, warning: KubeWarning): Finding[] {
  const byDirection = new Map<Direction, Rule[]>();
  for (const rule of warning.rules) {
    for (const d of directionsOf(service, rule)) {
      const list = byDirection.get(d) ?? [];
      list.push(rule);
      byDirection.set(d, list);
    }
  }
  if (byDirection.size === 0) {
    // No drop rule: the external chain just ends (modern eTP=Local) or the ladder is empty.
    const d: Direction = service.externalTrafficPolicy === 'Local' ? 'external' : 'internal';
    byDirection.set(d, []);
  }
  const label = service.identity.label;
  const out: Finding[] = [];
  for (const [direction, rules] of byDirection) {
    const filters = service.filterRules.filter((f) => rules.includes(f.rule));
    const what = filters.length > 0 ? ` (${filters.map(describeFilterEntry).join(', ')})` : '';
    const explanation = [
      warning.message,
      ...rules.map(
        (r) =>
          `${ruleRef(r)} drops or marks for drop${r.comment !== null ? ` ("${r.comment}")` : ''}`,
      ),
    ];
    if (direction === 'external') {
      explanation.push(
        'with externalTrafficPolicy=Local a node only forwards external traffic to endpoints on itself; load balancers avoid such nodes through the health check node port, but NodePort traffic sent to this node directly is dropped',
      );
      out.push(
        makeFinding(
          'external-no-local-endpoints',
          `${label} has externalTrafficPolicy=Local and no endpoint on this node: external traffic to it here${what} is dropped`,
          location(service, rules),
          rules,
          explanation,
        ),
      );
    } else {
      explanation.push(
        'with internalTrafficPolicy=Local, pods and processes on a node only reach endpoints on that node',
      );
      out.push(
        makeFinding(
          'internal-no-local-endpoints',
          `${label} has internalTrafficPolicy=Local and no endpoint on this node: its ClusterIP traffic from here${what} is dropped`,
          location(service, rules),
          rules,
          explanation,
        ),
      );
    }
  }
  return out;
}

export function checkEndpoints(kube: KubeModel): Finding[] {
  const out: Finding[] = [];
  for (const service of kube.services) {
    for (const w of service.warnings) {
      if (w.code === 'no-endpoints') out.push(noEndpoints(service, w));
      else if (w.code === 'no-local-endpoints') out.push(...noLocalEndpoints(service, w));
    }
  }
  return out;
}
