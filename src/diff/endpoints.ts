/**
 * Endpoint-level comparison of one service port in two dumps. Endpoints are matched by their
 * address (`ip:port`): the KUBE-SEP hash includes the address, so the same pod under the same
 * service has the same chain name on every node, but a name alone says nothing when the address
 * cannot be read, so the chain name is only the fallback key.
 */
import type { Endpoint, ServicePort } from '../kube/model.js';
import type { EndpointDiff, EndpointField, EndpointState } from './model.js';

export function endpointState(e: Endpoint): EndpointState {
  const cluster = e.paths.find((p) => p.ladder === 'cluster');
  const local = e.paths.find((p) => p.ladder === 'local');
  return {
    address: e.address,
    chain: e.chain.name,
    clusterProbability: cluster?.probability ?? null,
    localProbability: local?.probability ?? null,
    local: e.local,
    affinity: e.affinity !== null,
  };
}

function endpointKey(e: EndpointState): string {
  return e.address ?? e.chain;
}

/**
 * Probabilities come from the kernel's integer thresholds, so equal ladders give bit-identical
 * numbers; the tolerance only absorbs floating-point summation order.
 */
export function sameProbability(x: number | null, y: number | null): boolean {
  if (x === null || y === null) return x === y;
  return Math.abs(x - y) < 1e-12;
}

function changedFields(a: EndpointState, b: EndpointState): EndpointField[] {
  const fields: EndpointField[] = [];
  if (!sameProbability(a.clusterProbability, b.clusterProbability))
    fields.push('clusterProbability');
  if (!sameProbability(a.localProbability, b.localProbability)) fields.push('localProbability');
  // null: no local ladder to tell by, which is no evidence either way.
  if (a.local !== null && b.local !== null && a.local !== b.local) fields.push('local');
  if (a.affinity !== b.affinity) fields.push('affinity');
  return fields;
}

/** What differs between two healthy nodes: which endpoints are local to each. */
const NODE_LOCAL_FIELDS: ReadonlySet<EndpointField> = new Set(['local', 'localProbability']);

/** An endpoint that only one dump lists is node-local when only a local ladder lists it. */
function onlyLocal(e: EndpointState): boolean {
  return e.clusterProbability === null && e.localProbability !== null;
}

/** Differences between the endpoints of two versions of one service port, A's order first. */
export function diffEndpoints(a: ServicePort | null, b: ServicePort | null): EndpointDiff[] {
  const statesA = (a?.endpoints ?? []).map(endpointState);
  const statesB = (b?.endpoints ?? []).map(endpointState);
  const byKeyB = new Map<string, EndpointState>();
  for (const s of statesB) if (!byKeyB.has(endpointKey(s))) byKeyB.set(endpointKey(s), s);

  const out: EndpointDiff[] = [];
  const seen = new Set<string>();
  for (const ea of statesA) {
    const key = endpointKey(ea);
    if (seen.has(key)) continue;
    seen.add(key);
    const eb = byKeyB.get(key);
    if (eb === undefined) {
      // A whole service only in one dump is reported at the service level, not per endpoint.
      if (b !== null) {
        out.push({ key, status: 'removed', a: ea, b: null, fields: [], nodeLocal: onlyLocal(ea) });
      }
      continue;
    }
    const fields = changedFields(ea, eb);
    if (fields.length === 0) continue;
    out.push({
      key,
      status: 'changed',
      a: ea,
      b: eb,
      fields,
      nodeLocal: fields.every((f) => NODE_LOCAL_FIELDS.has(f)),
    });
  }
  if (a !== null) {
    for (const eb of statesB) {
      const key = endpointKey(eb);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, status: 'added', a: null, b: eb, fields: [], nodeLocal: onlyLocal(eb) });
    }
  }
  return out;
}
