/**
 * `k8s-ipt services` as text: one line about the node, one table row per service port, then the
 * warnings, the leftover chains, and what the input cannot tell.
 */
import type { KubeModel, ServicePort } from '../kube/model.js';
import { escapeText } from './escape.js';
import {
  affinityCell,
  clusterCell,
  describeNode,
  endpointsCell,
  externalCell,
  limitationLines,
  nodePortCell,
  policyCell,
  serviceName,
  typeCell,
} from './services-format.js';
import { plural } from './plural.js';
import { renderTable, type TableCell } from './table.js';

export interface ServicesTableOptions {
  /** Extra columns: service chain, traffic, source ranges, health-check port, warnings. */
  readonly wide: boolean;
  /** True when a filter narrowed the list (the summary then says "of N"). */
  readonly filtered: boolean;
}

const HEAD = [
  'NAMESPACE/NAME:PORT',
  'TYPE',
  'CLUSTER-IP:PORT/PROTO',
  'NODEPORT',
  'EXTERNAL',
  'ENDPOINTS',
  'AFFINITY',
  'POLICY',
];
const WIDE_HEAD = ['CHAIN', 'NEW-CONNS', 'SOURCE-RANGES', 'HEALTH-CHECK', 'WARNINGS'];

function serviceChain(s: ServicePort): string {
  const c = s.chains.svc ?? s.chains.svl ?? s.chains.xlb ?? s.chains.ext ?? s.chains.fw;
  return c === null ? '-' : escapeText(c.name);
}

function trafficCell(s: ServicePort): string {
  if (s.traffic === null) return '-';
  return `${s.traffic.exact ? '' : '≥'}${s.traffic.packets}`;
}

function row(s: ServicePort, wide: boolean): TableCell[] {
  const cells: TableCell[] = [
    serviceName(s),
    typeCell(s),
    clusterCell(s),
    nodePortCell(s),
    externalCell(s),
    endpointsCell(s),
    affinityCell(s),
    policyCell(s),
  ];
  if (wide) {
    cells.push(
      serviceChain(s),
      trafficCell(s),
      s.loadBalancerSourceRanges.length === 0
        ? '-'
        : s.loadBalancerSourceRanges.map(escapeText).join(','),
      s.healthCheckNodePort === null ? '-' : s.healthCheckNodePort,
      s.warnings
        .filter((w) => w.severity !== 'info')
        .map((w) => w.code)
        .join(',') || '-',
    );
  }
  return cells;
}

export function renderServicesTable(
  model: KubeModel,
  services: readonly ServicePort[],
  opts: ServicesTableOptions,
): string {
  const out: string[] = [describeNode(model)];
  // Node-wide warnings (IPVS mode) explain an empty table, so they come first.
  for (const w of model.warnings) out.push(`note: ${escapeText(w.message)}`);
  if (model.mode === 'nftables-leftovers' || model.mode === 'none' || model.mode === 'unknown') {
    out.push(...model.modeEvidence.map((e) => escapeText(e.fact)));
  }
  if (services.length > 0) {
    const head = opts.wide ? [...HEAD, ...WIDE_HEAD] : HEAD;
    out.push(
      renderTable(
        head,
        services.map((s) => row(s, opts.wide)),
      ),
    );
  }
  const total = model.services.length;
  const endpoints = services.reduce((a, s) => a + s.endpoints.length, 0);
  out.push(
    opts.filtered
      ? `${services.length} of ${plural(total, 'service port')}, ${plural(endpoints, 'endpoint')}`
      : `${plural(total, 'service port')}, ${plural(endpoints, 'endpoint')}`,
  );

  // "No traffic" is common on quiet nodes: one line for all of them.
  const quiet = services.filter((s) => s.warnings.some((w) => w.code === 'no-traffic'));
  if (quiet.length > 0) {
    out.push(
      `note: no new connection counted since the counters were zeroed: ${quiet.map(serviceName).join(', ')}`,
    );
  }
  for (const s of services) {
    for (const w of s.warnings) {
      if (w.severity === 'info') continue;
      out.push(
        `${w.severity === 'error' ? 'error' : w.severity === 'warning' ? 'warning' : 'note'}: ${serviceName(s)}: ${escapeText(w.message)}`,
      );
    }
  }
  if (model.staleChains.length > 0 && model.mode !== 'ipvs') {
    const named = model.staleChains.map(
      (c) =>
        `${escapeText(c.chain.name)} (${c.reason}${c.service !== null ? `, ${escapeText(c.service)}` : ''})`,
    );
    out.push(
      `note: ${model.staleChains.length} leftover chain(s) no service uses: ${named.join(', ')}`,
    );
  }
  const unknownIdentity = services.filter((s) => s.identity.source === 'none').length;
  if (unknownIdentity > 0) {
    out.push(
      `note: ${unknownIdentity} service port(s) have no comment and a chain hash that matches no known name: shown by address`,
    );
  }
  out.push(...limitationLines(model));
  return out.join('\n') + '\n';
}
