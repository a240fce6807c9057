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

/**
 * A row. The endpoint count and the mark need the service's chains read (a deferred model reads
 * them on first use), so they are worked out when the row is first drawn, not for every row of
 * a large dump before the first screen.
 */
class Row implements ServiceRow {
  readonly label: string;
  readonly type: string;
  readonly clusterIP: string;
  readonly port: string;
  readonly nodePorts: string;
  readonly search: string;
  #endpoints: string | undefined;
  #severity: ServiceRow['severity'] | undefined;

  constructor(readonly service: ServicePort) {
    this.label = escapeText(service.identity.label);
    this.type = service.type;
    this.clusterIP = service.clusterIP === null ? '-' : escapeText(service.clusterIP);
    this.port =
      service.port === null
        ? '-'
        : `${service.port}${service.protocol ? `/${service.protocol}` : ''}`;
    this.nodePorts = [...new Set(service.nodePorts)].join(',') || '-';
    const extra = [...service.externalIPs, ...service.loadBalancerIPs].map(escapeText).join(' ');
    this.search =
      `${this.label} ${this.type} ${this.clusterIP}:${this.port} ${this.nodePorts} ${extra}`.toLowerCase();
  }

  get endpoints(): string {
    return (this.#endpoints ??= endpointCount(this.service));
  }

  get severity(): ServiceRow['severity'] {
    if (this.#severity === undefined) this.#severity = severityOf(this.service);
    return this.#severity;
  }
}

const cache = new WeakMap<KubeModel, readonly ServiceRow[]>();

export function serviceRows(model: KubeModel): readonly ServiceRow[] {
  let rows = cache.get(model);
  if (rows === undefined) {
    rows = model.services.map((s) => new Row(s));
    cache.set(model, rows);
  }
  return rows;
}
