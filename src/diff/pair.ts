/**
 * Recognising the same service port in two dumps. The identity id is stable across dumps of one
 * cluster; when one dump lacks comments (large-cluster mode, a fragment) the shared chain hash
 * still ties the two together, and as a last resort the ClusterIP tuple does, but only when a
 * name is missing: two named services at one address are two services (a ClusterIP reused).
 */
import type { KubeModel, ServicePort } from '../kube/model.js';
import type { PairedBy } from './model.js';

export interface ServicePair {
  readonly a: ServicePort | null;
  readonly b: ServicePort | null;
  readonly pairedBy: PairedBy | null;
}

function tupleKey(s: ServicePort): string | null {
  if (s.clusterIP === null || s.port === null || s.protocol === null) return null;
  return `${s.clusterIP}:${s.port}/${s.protocol}`;
}

function nameless(s: ServicePort): boolean {
  return s.identity.source === 'none';
}

/** Pairs every service port of A with at most one of B; the rest are only in one dump. */
export function pairServices(a: KubeModel, b: KubeModel): ServicePair[] {
  const pairOfA = new Map<ServicePort, { b: ServicePort; by: PairedBy }>();
  const takenB = new Set<ServicePort>();

  const tryPass = (
    by: PairedBy,
    key: (s: ServicePort) => string | null,
    eligible = (_a: ServicePort, _b: ServicePort) => true,
  ): void => {
    const index = new Map<string, ServicePort[]>();
    for (const s of b.services) {
      if (takenB.has(s)) continue;
      const k = key(s);
      if (k === null) continue;
      const list = index.get(k);
      if (list === undefined) index.set(k, [s]);
      else list.push(s);
    }
    for (const s of a.services) {
      if (pairOfA.has(s)) continue;
      const k = key(s);
      if (k === null) continue;
      const candidates = (index.get(k) ?? []).filter((c) => !takenB.has(c) && eligible(s, c));
      if (candidates.length === 0) continue;
      const chosen = candidates[0];
      pairOfA.set(s, { b: chosen, by });
      takenB.add(chosen);
    }
  };

  tryPass('id', (s) => s.identity.id);
  tryPass('chain-hash', (s) => s.identity.chainHash);
  tryPass('address', tupleKey, (x, y) => nameless(x) || nameless(y));

  const pairs: ServicePair[] = [];
  for (const s of a.services) {
    const p = pairOfA.get(s);
    pairs.push({ a: s, b: p?.b ?? null, pairedBy: p?.by ?? null });
  }
  for (const s of b.services) {
    if (!takenB.has(s)) pairs.push({ a: null, b: s, pairedBy: null });
  }
  return pairs;
}
