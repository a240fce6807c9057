/**
 * Service-level comparison: the fields a user changes on a Service object (type, ClusterIP,
 * NodePort, policies, affinity) and what kube-proxy derived from them, for one paired service
 * port.
 */
import type { KubeUnknown, ServicePort } from '../kube/model.js';
import { diffEndpoints } from './endpoints.js';
import type {
  FieldChange,
  FieldValue,
  ServiceDiff,
  ServiceField,
  ServiceSummary,
} from './model.js';
import type { ServicePair } from './pair.js';

export function summarizeService(s: ServicePort): ServiceSummary {
  return {
    id: s.identity.id,
    label: s.identity.label,
    type: s.type,
    protocol: s.protocol,
    clusterIP: s.clusterIP,
    port: s.port,
    nodePorts: uniqueSorted(s.nodePorts),
    endpoints: s.endpoints.length,
    endpointsStatus: s.endpointsStatus,
    chainHash: s.identity.chainHash,
  };
}

function uniqueSorted<T extends string | number>(values: readonly T[]): T[] {
  return [...new Set(values)].sort((x, y) =>
    typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)),
  );
}

interface FieldReader {
  readonly field: ServiceField;
  readonly read: (s: ServicePort) => FieldValue;
  /**
   * The Kubernetes view's null means "this dump cannot tell" for this field (no chains on this
   * node, a fragment), so a null on one side is no evidence of a change.
   */
  readonly nullIsUnknown?: boolean;
  /** Not compared when either dump marks this unknown for the service port. */
  readonly unknownAs?: KubeUnknown;
}

/** Each compared field, read from a service port as a comparable value. */
const FIELDS: readonly FieldReader[] = [
  { field: 'type', read: (s) => s.type },
  { field: 'protocol', read: (s) => s.protocol, nullIsUnknown: true, unknownAs: 'protocol' },
  { field: 'port', read: (s) => s.port, nullIsUnknown: true, unknownAs: 'port' },
  { field: 'clusterIP', read: (s) => s.clusterIP, nullIsUnknown: true, unknownAs: 'cluster-ip' },
  // The localhost nfacct rule repeats the NodePort; the set is what matters.
  { field: 'nodePorts', read: (s) => uniqueSorted(s.nodePorts) },
  { field: 'externalIPs', read: (s) => uniqueSorted(s.externalIPs), unknownAs: 'external-kind' },
  {
    field: 'loadBalancerIPs',
    read: (s) => uniqueSorted(s.loadBalancerIPs),
    unknownAs: 'external-kind',
  },
  {
    // Without comments an external IP and a LoadBalancer IP look alike: compare them together.
    field: 'externalAddresses',
    read: (s) => uniqueSorted([...s.externalIPs, ...s.loadBalancerIPs]),
  },
  { field: 'loadBalancerSourceRanges', read: (s) => uniqueSorted(s.loadBalancerSourceRanges) },
  {
    field: 'sessionAffinity',
    read: (s) =>
      s.sessionAffinity === null
        ? 'None'
        : s.sessionAffinity.timeoutSeconds === null
          ? 'ClientIP'
          : `ClientIP ${s.sessionAffinity.timeoutSeconds}s`,
  },
  {
    field: 'externalTrafficPolicy',
    read: (s) => s.externalTrafficPolicy,
    nullIsUnknown: true,
    unknownAs: 'traffic-policy',
  },
  {
    field: 'internalTrafficPolicy',
    read: (s) => s.internalTrafficPolicy,
    nullIsUnknown: true,
    unknownAs: 'traffic-policy',
  },
  { field: 'healthCheckNodePort', read: (s) => s.healthCheckNodePort },
  {
    field: 'masqueradeClusterIP',
    read: (s) => s.masquerade.clusterIP,
    nullIsUnknown: true,
  },
  { field: 'masqueradeExternal', read: (s) => s.masquerade.external, nullIsUnknown: true },
  { field: 'endpointsStatus', read: (s) => s.endpointsStatus, unknownAs: 'endpoints' },
  { field: 'chainHash', read: (s) => s.identity.chainHash, nullIsUnknown: true },
];

/** LoadBalancer, NodePort and ExternalIP differ only in what `external-kind` hides. */
const EXTERNAL_TYPES: ReadonlySet<FieldValue> = new Set(['LoadBalancer', 'NodePort', 'ExternalIP']);

function comparable(
  f: FieldReader,
  a: ServicePort,
  b: ServicePort,
  va: FieldValue,
  vb: FieldValue,
): boolean {
  if (f.nullIsUnknown === true && (va === null || vb === null)) return false;
  const externalKindUnknown =
    a.unknowns.includes('external-kind') || b.unknowns.includes('external-kind');
  if (f.field === 'externalAddresses') return externalKindUnknown;
  if (f.field === 'type' && externalKindUnknown)
    return !(EXTERNAL_TYPES.has(va) && EXTERNAL_TYPES.has(vb));
  if (
    f.unknownAs !== undefined &&
    (a.unknowns.includes(f.unknownAs) || b.unknowns.includes(f.unknownAs))
  ) {
    return false;
  }
  return true;
}

export function sameValue(x: FieldValue, y: FieldValue): boolean {
  if (Array.isArray(x) && Array.isArray(y)) {
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return x === y;
}

/**
 * Whether a field's change is what two nodes of one cluster show anyway. Only the endpoints
 * status is: `no-local` on a node without local endpoints, `listed` on one with them.
 */
function nodeLocalChange(field: ServiceField, a: FieldValue, b: FieldValue): boolean {
  if (field !== 'endpointsStatus') return false;
  const pair = new Set([a, b]);
  return pair.has('no-local') && pair.has('listed');
}

export function diffServicePair(pair: ServicePair): ServiceDiff | null {
  const { a, b } = pair;
  const id = (b ?? a)?.identity.id ?? '';
  const label = (a ?? b)?.identity.label ?? id;
  if (a === null || b === null) {
    return {
      id,
      label,
      status: a === null ? 'added' : 'removed',
      pairedBy: null,
      a: a === null ? null : summarizeService(a),
      b: b === null ? null : summarizeService(b),
      changes: [],
      endpoints: [],
      nodeLocal: false,
    };
  }
  const changes: FieldChange[] = [];
  for (const f of FIELDS) {
    const va = f.read(a);
    const vb = f.read(b);
    if (!comparable(f, a, b, va, vb) || sameValue(va, vb)) continue;
    changes.push({ field: f.field, a: va, b: vb, nodeLocal: nodeLocalChange(f.field, va, vb) });
  }
  // A dump that cannot list the endpoints (IPVS mode, a fragment) says nothing about them.
  const endpointsKnown = !a.unknowns.includes('endpoints') && !b.unknowns.includes('endpoints');
  const endpoints = endpointsKnown ? diffEndpoints(a, b) : [];
  if (changes.length === 0 && endpoints.length === 0) return null;
  return {
    id: a.identity.id,
    // The label of the dump that knows the name best (a named one over a hash).
    label: a.identity.source === 'none' ? b.identity.label : a.identity.label,
    status: 'changed',
    pairedBy: pair.pairedBy,
    a: summarizeService(a),
    b: summarizeService(b),
    changes,
    endpoints,
    nodeLocal: changes.every((c) => c.nodeLocal) && endpoints.every((e) => e.nodeLocal),
  };
}
