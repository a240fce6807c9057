/**
 * The service list's rows, computed once per model: the cells as they are shown (escaped) and a
 * lower-case search text for the incremental filter, so a key press in the filter costs one
 * substring test per service and nothing else.
 */
import type { KubeModel, ServicePort } from '../kube/model.js';
import { escapeText } from '../render/escape.js';

export interface ServiceRow {
  readonly service: ServicePort;
  /** `namespace/name:port` (or the chain / address when the identity is unknown). */
  readonly label: string;
  readonly type: string;
  readonly clusterIP: string;
  /** `80/tcp`. */
  readonly port: string;
  readonly nodePorts: string;
  /** Endpoint count, `?` when the dump cannot tell (IPVS, fragments). */
  readonly endpoints: string;
  /** The most severe warning, or null. */
  readonly severity: 'error' | 'warning' | null;
  readonly search: string;
}

function severityOf(service: ServicePort): ServiceRow['severity'] {
  let worst: ServiceRow['severity'] = null;
  for (const w of service.warnings) {
    if (w.severity === 'error') return 'error';
    if (w.severity === 'warning') worst = 'warning';
  }
  return worst;
}

function endpointCount(service: ServicePort): string {
  switch (service.endpointsStatus) {
    case 'ipvs':
    case 'unknown':
      return '?';
    case 'none':
      return '0';
    default:
      return String(service.endpoints.length);
  }
}

function toRow(service: ServicePort): ServiceRow {
  const label = escapeText(service.identity.label);
  const clusterIP = service.clusterIP === null ? '-' : escapeText(service.clusterIP);
  const port =
    service.port === null
      ? '-'
      : `${service.port}${service.protocol ? `/${service.protocol}` : ''}`;
  const nodePorts = [...new Set(service.nodePorts)].join(',') || '-';
  const row = {
    service,
    label,
    type: service.type,
    clusterIP,
    port,
    nodePorts,
    endpoints: endpointCount(service),
    severity: severityOf(service),
  };
  const extra = [...service.externalIPs, ...service.loadBalancerIPs].map(escapeText).join(' ');
  return {
    ...row,
    search: `${label} ${row.type} ${clusterIP}:${port} ${nodePorts} ${extra}`.toLowerCase(),
  };
}

const cache = new WeakMap<KubeModel, readonly ServiceRow[]>();

export function serviceRows(model: KubeModel): readonly ServiceRow[] {
  let rows = cache.get(model);
  if (rows === undefined) {
    rows = model.services.map(toRow);
    cache.set(model, rows);
  }
  return rows;
}
