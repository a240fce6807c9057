/**
 * The diff of two dumps as text for a terminal or a bug report: `~` changed, `+` only in B,
 * `-` only in A, as in a unified diff. Differences that two healthy nodes of one cluster show
 * anyway (which endpoints are local) come last, in their own section, so the ones that matter
 * are read first. Every string from a dump passes through escapeText.
 */
import type {
  ChainDiff,
  DumpInfo,
  EndpointDiff,
  EndpointState,
  FieldChange,
  FieldValue,
  KubeDiff,
  ServiceDiff,
  ServiceSummary,
} from '../diff/model.js';
import { escapeText } from './escape.js';

const FIELD_LABELS: Readonly<Record<string, string>> = {
  type: 'type',
  protocol: 'protocol',
  port: 'port',
  clusterIP: 'ClusterIP',
  nodePorts: 'NodePort',
  externalIPs: 'external IPs',
  loadBalancerIPs: 'load-balancer IPs',
  externalAddresses: 'external/load-balancer IPs',
  loadBalancerSourceRanges: 'loadBalancerSourceRanges',
  sessionAffinity: 'session affinity',
  externalTrafficPolicy: 'externalTrafficPolicy',
  internalTrafficPolicy: 'internalTrafficPolicy',
  healthCheckNodePort: 'healthCheckNodePort',
  masqueradeClusterIP: 'masquerade (ClusterIP traffic)',
  masqueradeExternal: 'masquerade (external traffic)',
  endpointsStatus: 'endpoints',
  chainHash: 'chain hash',
  mode: 'proxy mode',
  era: 'kube-proxy era',
  family: 'address family',
  masqueradeMark: 'masquerade mark',
  localDetector: 'local-traffic detector',
  podCIDRs: 'pod CIDRs',
  software: 'CNI/other software',
  largeClusterMode: 'large-cluster mode (no comments)',
};

export function formatValue(v: FieldValue): string {
  if (v === null) return '-';
  if (Array.isArray(v))
    return v.length === 0 ? 'none' : v.map((x) => escapeText(String(x))).join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return escapeText(String(v));
}

/**
 * Percentages with as many decimals as it takes to tell two different values apart (a ladder
 * rebuilt with 10-digit probabilities differs from 1/n around the 10th decimal).
 */
export function formatShares(a: number | null, b: number | null): [string, string] {
  for (let digits = 2; digits <= 12; digits++) {
    const fa = a === null ? 'not listed' : `${(a * 100).toFixed(digits)}%`;
    const fb = b === null ? 'not listed' : `${(b * 100).toFixed(digits)}%`;
    if (fa !== fb || a === b || a === null || b === null || digits === 12) return [fa, fb];
  }
  return ['', ''];
}

function share(p: number | null): string {
  return formatShares(p, null)[0];
}

function describeService(s: ServiceSummary): string {
  const parts: string[] = [s.type];
  if (s.clusterIP !== null) {
    const port = s.port === null ? '' : `:${s.port}`;
    const proto = s.protocol === null ? '' : `/${s.protocol}`;
    parts.push(`${escapeText(s.clusterIP)}${port}${proto}`);
  }
  if (s.nodePorts.length > 0) parts.push(`NodePort ${s.nodePorts.join(', ')}`);
  parts.push(
    s.endpointsStatus === 'listed'
      ? `${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'}`
      : `endpoints: ${escapeText(s.endpointsStatus)}`,
  );
  return parts.join(', ');
}

function endpointShare(e: EndpointState): string {
  if (e.clusterProbability !== null) return share(e.clusterProbability);
  if (e.localProbability !== null) return `${share(e.localProbability)} of the local ladder`;
  return 'in no ladder';
}

function endpointLines(d: EndpointDiff): string[] {
  const key = escapeText(d.key);
  if (d.status === 'removed' && d.a !== null)
    return [`    - endpoint ${key}  (${endpointShare(d.a)})`];
  if (d.status === 'added' && d.b !== null)
    return [`    + endpoint ${key}  (${endpointShare(d.b)})`];
  if (d.a === null || d.b === null) return [];
  const parts: string[] = [];
  for (const f of d.fields) {
    switch (f) {
      case 'clusterProbability': {
        const [x, y] = formatShares(d.a.clusterProbability, d.b.clusterProbability);
        parts.push(`${x} -> ${y}`);
        break;
      }
      case 'localProbability': {
        const [x, y] = formatShares(d.a.localProbability, d.b.localProbability);
        parts.push(`local ladder ${x} -> ${y}`);
        break;
      }
      case 'local':
        parts.push(`local ${formatValue(d.a.local)} -> ${formatValue(d.b.local)}`);
        break;
      case 'affinity':
        parts.push(`affinity rule ${formatValue(d.a.affinity)} -> ${formatValue(d.b.affinity)}`);
        break;
    }
  }
  return [`    ~ endpoint ${key}  ${parts.join(', ')}`];
}

/** Endpoint lines, marked when a cluster-wide change lists a node-local one beside it. */
function endpointLinesIn(service: ServiceDiff, d: EndpointDiff): string[] {
  const lines = endpointLines(d);
  return d.nodeLocal && !service.nodeLocal ? lines.map((l) => `${l}  (local to a node)`) : lines;
}

function fieldLine(c: FieldChange<string>): string {
  return `    ${FIELD_LABELS[c.field] ?? c.field}: ${formatValue(c.a)} -> ${formatValue(c.b)}`;
}

function serviceLines(d: ServiceDiff): string[] {
  const label = escapeText(d.label);
  if (d.status === 'added' && d.b !== null) return [`+ ${label}  ${describeService(d.b)}`];
  if (d.status === 'removed' && d.a !== null) return [`- ${label}  ${describeService(d.a)}`];
  const lines = [`~ ${label}${d.a !== null ? `  ${describeService(d.a)}` : ''}`];
  for (const c of d.changes) lines.push(fieldLine(c));
  for (const e of d.endpoints) lines.push(...endpointLinesIn(d, e));
  return lines;
}

function dumpLine(name: string, info: DumpInfo): string {
  const facts = [
    escapeText(info.format),
    `mode ${escapeText(info.mode)}`,
    `kube-proxy ${escapeText(info.era)}`,
    `${info.servicePorts} service ports`,
    `${info.endpoints} endpoints`,
  ];
  return `${name}: ${escapeText(info.file)}  (${facts.join(', ')})`;
}

function chainTitle(c: ChainDiff): string {
  const names =
    c.a !== null && c.b !== null && c.a !== c.b
      ? `${escapeText(c.a)} (A) = ${escapeText(c.b)} (B)`
      : escapeText(c.a ?? c.b ?? '');
  const what: string[] = [];
  if (c.role !== null) what.push(c.role);
  if (c.service !== null) what.push(escapeText(c.service));
  if (c.endpoint !== null) what.push(escapeText(c.endpoint));
  const status = c.chainUnknown
    ? c.status === 'changed'
      ? '  compared as one pool, in no order'
      : c.status === 'removed'
        ? '  only in A'
        : '  only in B'
    : c.status === 'removed'
      ? '  only in A'
      : c.status === 'added'
        ? '  only in B'
        : '';
  return `${escapeText(c.table)} ${names}${what.length > 0 ? `  [${what.join(' ')}]` : ''}${status}`;
}

function chainLines(c: ChainDiff): string[] {
  const lines = [chainTitle(c)];
  for (const r of c.removed) lines.push(`  - ${escapeText(r.text)}`);
  for (const r of c.added) lines.push(`  + ${escapeText(r.text)}`);
  if (c.reordered) lines.push('  ~ the rules both have are in a different order');
  return lines;
}

export function renderDiffText(diff: KubeDiff): string {
  const out: string[] = [dumpLine('A', diff.a), dumpLine('B', diff.b)];
  for (const [name, info] of [
    ['A', diff.a],
    ['B', diff.b],
  ] as const) {
    for (const l of info.limitations) out.push(`  ${name} cannot tell: ${escapeText(l)}`);
  }
  for (const note of diff.notes) out.push(`Note: ${escapeText(note)}`);
  if (diff.dump.length > 0) {
    out.push('', 'Dump:');
    for (const c of diff.dump) out.push(fieldLine(c));
  }

  const clusterWide = diff.services.filter((s) => !s.nodeLocal);
  const nodeLocal = diff.services.filter((s) => s.nodeLocal);
  if (clusterWide.length > 0) {
    out.push('', 'Services:');
    for (const s of clusterWide) out.push(...serviceLines(s));
  }
  if (nodeLocal.length > 0) {
    out.push('', 'Only which endpoints are local differs (expected between two nodes):');
    for (const s of nodeLocal) out.push(...serviceLines(s));
  }

  if (diff.rules !== null) {
    out.push(
      '',
      'Rules (counters ignored; hashed chains paired by service and endpoint; rule order ignored in KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES and KUBE-PROXY-FIREWALL):',
    );
    for (const c of diff.rules.chains) out.push(...chainLines(c));
    for (const r of diff.rules.renamedChains) {
      out.push(`${escapeText(r.table)} ${escapeText(r.a)} (A) = ${escapeText(r.b)} (B)  renamed`);
    }
    const n = diff.rules.renamedChains.length;
    const renamed = n > 0 ? `, ${n} paired under another name` : '';
    const differ = diff.rules.chains.length;
    out.push(
      `${differ} chain${differ === 1 ? '' : 's'} differ${differ === 1 ? 's' : ''}, ${diff.rules.unchangedChains} the same${renamed}.`,
    );
  }

  out.push('', summaryLine(diff));
  return out.join('\n') + '\n';
}

function summaryLine(diff: KubeDiff): string {
  if (diff.identical) return 'No differences.';
  if (diff.a.servicePorts === 0 && diff.b.servicePorts === 0) {
    return 'The dumps differ (rule by rule: see above); neither yields service ports to compare.';
  }
  const added = diff.services.filter((s) => s.status === 'added').length;
  const removed = diff.services.filter((s) => s.status === 'removed').length;
  const changed = diff.services.filter((s) => s.status === 'changed' && !s.nodeLocal).length;
  const local = diff.services.filter((s) => s.nodeLocal).length;
  const parts = [
    `${changed} service port${changed === 1 ? '' : 's'} changed`,
    `${added} added (only in B)`,
    `${removed} removed (only in A)`,
  ];
  if (local > 0) parts.push(`${local} differ only in local endpoints`);
  parts.push(`${diff.unchangedServices} the same`);
  return parts.join(', ') + '.';
}
