/**
 * What the service screen shows about one service port, as lines and rows: its addresses and
 * policies, and the chains and endpoints it can open. Every value that came from the dump is
 * escaped here.
 */
import type { Finding } from '../check/finding.js';
import type { Endpoint, ServicePort } from '../kube/model.js';
import type { Chain } from '../model/ruleset.js';
import { escapeText } from '../render/escape.js';
import { percent } from './format.js';

export interface InfoLine {
  readonly label: string;
  readonly value: string;
  readonly tone?: 'warning' | 'error' | 'muted';
}

/** `ip:port`, with brackets for IPv6. */
export function joinHostPort(ip: string, port: number | null): string {
  if (port === null) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const STATUS_TEXT: Readonly<Record<ServicePort['endpointsStatus'], string>> = {
  listed: 'listed',
  none: 'none (REJECT: the service has no endpoints)',
  'no-local': 'none on this node (traffic policy Local)',
  ipvs: 'in the IPVS table, not in this dump',
  unknown: 'unknown (the dump lacks the chains)',
};

const VERDICT_TEXT = {
  consistent: 'counters agree with the probabilities',
  off: 'counters differ from the probabilities',
  'too-few-packets': 'too few packets to compare with the probabilities',
} as const;

function policy(p: string | null): string {
  return p ?? '?';
}

export function serviceInfo(service: ServicePort, hasCounters: boolean): InfoLine[] {
  const lines: InfoLine[] = [];
  const proto = service.protocol ?? '?';
  lines.push({ label: 'type', value: `${service.type}, ${proto}` });
  if (service.clusterIP !== null) {
    lines.push({
      label: 'cluster IP',
      value: escapeText(joinHostPort(service.clusterIP, service.port)),
    });
  } else if (service.port !== null) {
    lines.push({ label: 'port', value: String(service.port) });
  }
  const nodePorts = [...new Set(service.nodePorts)];
  if (nodePorts.length > 0) lines.push({ label: 'node port', value: nodePorts.join(', ') });
  if (service.externalIPs.length > 0) {
    lines.push({ label: 'external IPs', value: service.externalIPs.map(escapeText).join(', ') });
  }
  if (service.loadBalancerIPs.length > 0) {
    lines.push({ label: 'LB IPs', value: service.loadBalancerIPs.map(escapeText).join(', ') });
  }
  if (service.loadBalancerSourceRanges.length > 0) {
    lines.push({
      label: 'LB sources',
      value: service.loadBalancerSourceRanges.map(escapeText).join(', '),
    });
  }
  const affinity = service.sessionAffinity;
  lines.push({
    label: 'affinity',
    value:
      affinity === null
        ? 'None'
        : `ClientIP${affinity.timeoutSeconds === null ? '' : `, ${affinity.timeoutSeconds} s`}`,
  });
  lines.push({
    label: 'policies',
    value: `external ${policy(service.externalTrafficPolicy)}, internal ${policy(service.internalTrafficPolicy)}${service.healthCheckNodePort === null ? '' : `, health check node port ${service.healthCheckNodePort}`}`,
  });
  lines.push({
    label: 'endpoints',
    value:
      service.endpointsStatus === 'listed'
        ? `${service.endpoints.length} listed`
        : STATUS_TEXT[service.endpointsStatus],
    tone: service.endpointsStatus === 'listed' ? undefined : 'warning',
  });
  if (hasCounters && service.traffic !== null) {
    lines.push({
      label: 'traffic',
      value: `${service.traffic.exact ? '' : '≥'}${service.traffic.packets} new connections counted on the entry rules`,
      tone: service.traffic.packets === 0 ? 'muted' : undefined,
    });
  }
  for (const ladder of service.ladders) {
    const test = ladder.test;
    if (test === null || test.verdict === 'no-traffic') continue;
    const verdict = VERDICT_TEXT[test.verdict];
    const figures =
      test.verdict === 'too-few-packets'
        ? `${test.totalPackets} packets`
        : `χ² p = ${test.pValue.toPrecision(2)}, ${test.totalPackets} packets`;
    lines.push({
      label: 'observed',
      value: `${ladder.kind} ladder: ${verdict} (${figures})`,
      tone: test.verdict === 'off' ? 'warning' : undefined,
    });
  }
  return lines;
}

/**
 * What is wrong with the service, worst first, one line each: `check`'s findings for it once
 * they are known (they include the service view's own warnings), else those warnings.
 */
export function serviceWarnings(
  service: ServicePort,
  findings: readonly Finding[] | null,
): InfoLine[] {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const items: ReadonlyArray<{
    readonly severity: 'error' | 'warning' | 'info';
    readonly message: string;
  }> = findings ?? service.warnings;
  return [...items]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .map((w) => ({
      label: w.severity,
      value: escapeText(w.message),
      tone: w.severity === 'info' ? 'muted' : w.severity,
    }));
}

/** A row of the service screen that Enter opens. */
export type ServiceLink =
  | { readonly kind: 'chain'; readonly chain: Chain; readonly what: string }
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint };

const CHAIN_WHAT = {
  svc: 'cluster ladder (ClusterIP traffic)',
  svl: 'local ladder (endpoints on this node)',
  ext: 'external entry (NodePort, external and LB IPs)',
  fw: 'load-balancer firewall',
  xlb: 'local ladder for external traffic',
} as const;

const linkCache = new WeakMap<ServicePort, readonly ServiceLink[]>();

export function serviceLinks(service: ServicePort): readonly ServiceLink[] {
  let links = linkCache.get(service);
  if (links === undefined) {
    const out: ServiceLink[] = [];
    for (const role of ['svc', 'svl', 'ext', 'fw', 'xlb'] as const) {
      const chain = service.chains[role];
      if (chain !== null) out.push({ kind: 'chain', chain, what: CHAIN_WHAT[role] });
    }
    for (const endpoint of service.endpoints) out.push({ kind: 'endpoint', endpoint });
    links = out;
    linkCache.set(service, links);
  }
  return links;
}

/** The path an endpoint's probability and observed share are read from (the primary one). */
export function primaryPath(endpoint: Endpoint): Endpoint['paths'][number] | null {
  if (endpoint.paths.length === 0) return null;
  return endpoint.paths.find((p) => p.probability === endpoint.probability) ?? endpoint.paths[0];
}

export function endpointAddress(endpoint: Endpoint): string {
  return escapeText(endpoint.address ?? endpoint.commentAddress ?? '(unreadable DNAT)');
}

/** Other ladders than the primary one, in words: `local 50.0%`. */
export function otherPaths(endpoint: Endpoint): string {
  const primary = primaryPath(endpoint);
  return endpoint.paths
    .filter((p) => p !== primary)
    .map((p) => `${p.ladder} ${percent(p.probability)}`)
    .join(', ');
}
