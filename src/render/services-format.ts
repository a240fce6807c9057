/**
 * Words and cells shared by the services and endpoints presenters (and, where the report's
 * Markdown says the same, by markdown-report.ts). Every value that came from the dump is escaped
 * here or by the caller; "?" always means "this input cannot tell".
 */
import type { EndpointsStatus, KubeModel, ServicePort } from '../kube/model.js';
import { escapeText } from './escape.js';

export const UNKNOWN = '?';

/** `10.96.0.10:80`, `[fd00::10]:80`, `10.96.0.10:?` when the port is not in the input. */
export function joinAddress(ip: string, port: number | null): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `${host}:${port === null ? UNKNOWN : port}`;
}

/** 33.33% (two decimals, or more with `digits`). */
export function percent(p: number | null, digits = 2): string {
  if (p === null) return UNKNOWN;
  return `${(p * 100).toFixed(digits)}%`;
}

export function typeCell(s: ServicePort): string {
  return s.unknowns.includes('type') ? UNKNOWN : s.type;
}

export function serviceName(s: ServicePort): string {
  return escapeText(s.identity.label);
}

export function clusterCell(s: ServicePort): string {
  const proto = (s.protocol ?? UNKNOWN).toUpperCase();
  if (s.clusterIP === null) return `${UNKNOWN}:${s.port ?? UNKNOWN}/${proto}`;
  return `${escapeText(joinAddress(s.clusterIP, s.port))}/${proto}`;
}

export function nodePortCell(s: ServicePort): string {
  if (s.nodePorts.length === 0) return s.unknowns.includes('type') ? UNKNOWN : '-';
  return s.nodePorts.join(',');
}

export function externalCell(s: ServicePort): string {
  const either = s.unknowns.includes('external-kind') ? ' (ext or LB)' : '';
  const parts = [
    ...s.externalIPs.map((ip) => `${escapeText(ip)}${either}`),
    ...s.loadBalancerIPs.map((ip) => `${escapeText(ip)} (LB)`),
  ];
  if (parts.length === 0) return s.unknowns.includes('type') ? UNKNOWN : '-';
  return parts.join(', ');
}

/** What the endpoints cell reads: a service port, or the report document's copy of one. */
export interface EndpointsSource {
  readonly endpointsStatus: EndpointsStatus;
  readonly endpoints: readonly { readonly local: boolean | null }[];
}

export function endpointsCell(s: EndpointsSource): string {
  switch (s.endpointsStatus) {
    case 'listed': {
      const local = s.endpoints.filter((e) => e.local === true).length;
      const known = s.endpoints.some((e) => e.local !== null);
      return known ? `${s.endpoints.length} (${local} local)` : String(s.endpoints.length);
    }
    case 'none':
      return '0 (REJECT)';
    case 'no-local':
      return '0 local (DROP)';
    case 'ipvs':
      return 'in IPVS';
    case 'unknown':
      return UNKNOWN;
  }
}

export function affinityCell(s: ServicePort): string {
  if (s.sessionAffinity === null) return s.endpointsStatus === 'listed' ? 'None' : '-';
  const t = s.sessionAffinity.timeoutSeconds;
  return `ClientIP ${t === null ? UNKNOWN : `${t}s`}`;
}

/** `ext Local`, `int Cluster`: the traffic policies the rules show (the report's copy too). */
export function trafficPolicies(s: {
  readonly externalTrafficPolicy: string | null;
  readonly internalTrafficPolicy: string | null;
}): string[] {
  const parts: string[] = [];
  if (s.externalTrafficPolicy !== null) parts.push(`ext ${s.externalTrafficPolicy}`);
  if (s.internalTrafficPolicy !== null) parts.push(`int ${s.internalTrafficPolicy}`);
  return parts;
}

/** `ext Local, int Cluster`; `-` where the rules show no such path. */
export function policyCell(s: ServicePort): string {
  const parts = trafficPolicies(s);
  if (parts.length === 0) return s.unknowns.includes('type') ? UNKNOWN : '-';
  return parts.join(', ');
}

/** One line on the node: mode, era, what else shares the tables. */
export function describeNode(model: KubeModel): string {
  const parts: string[] = [
    model.mode === 'unknown'
      ? 'kube-proxy mode unknown'
      : model.mode === 'none'
        ? 'no kube-proxy rules'
        : `kube-proxy ${model.mode} mode`,
  ];
  if (model.era.label !== 'unknown') {
    const layout = model.era.layout === 'unknown' ? '' : `, ${model.era.layout} layout`;
    parts.push(`rules of kube-proxy ${model.era.label}${layout}`);
  }
  if (model.family !== 'unknown') parts.push(model.family === 'ipv6' ? 'IPv6' : 'IPv4');
  if (model.largeClusterMode) parts.push('large-cluster mode (no endpoint comments)');
  if (model.commentsAbsent) parts.push('no comments');
  if (model.software.length > 0)
    parts.push(`also: ${model.software.map((s) => escapeText(s.name)).join(', ')}`);
  return `${escapeText(model.ruleset.file)}: ${parts.join('; ')}`;
}

/** What the input cannot tell, for the footnotes of both commands. */
export function limitationLines(model: KubeModel): string[] {
  return model.limitations.map((l) => `note: ${escapeText(l)}`);
}
