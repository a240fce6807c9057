/**
 * Every fixture cluster, every backend and counter variant: the Kubernetes view read back from
 * the saved rules must match the cluster description the rules were generated from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import type { KubeModel, ServicePort } from '../../src/kube/model.js';
import { loadFixture } from '../helpers.js';
import {
  eraMinor,
  expectedPorts,
  loadClusters,
  type ClusterDescription,
  type ExpectedPort,
} from './clusters.js';

let clusters: readonly ClusterDescription[] = [];
beforeAll(async () => {
  clusters = await loadClusters();
});

const VARIANTS = ['.save', '.legacy.save', '.counters.save', '.legacy.counters.save'];
const CLUSTER_NAMES = [
  'k8s-1.16-xlb-flannel',
  'k8s-1.20-nginx-svc-classic',
  'k8s-1.23-kindnet',
  'k8s-1.24-ext-svl',
  'k8s-1.28-etp-local-calico',
  'k8s-1.28-etp-local-docker',
  'k8s-1.28-large-cluster-no-comments',
  'k8s-1.28-ipv6',
];

function cluster(name: string): ClusterDescription {
  const c = clusters.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no cluster ${name} in clusters.mjs`);
  return c;
}

function find(model: KubeModel, e: ExpectedPort): ServicePort {
  const hits = model.services.filter(
    (s) => s.identity.label === e.label && s.protocol === e.protocol,
  );
  expect(
    hits.map((s) => s.identity.label),
    `${e.label}/${e.protocol}`,
  ).toEqual([e.label]);
  return hits[0];
}

function isExternallyReachable(e: ExpectedPort): boolean {
  const s = e.service;
  return (
    e.port.nodePort !== undefined ||
    (s.externalIPs?.length ?? 0) > 0 ||
    (s.loadBalancerIPs?.length ?? 0) > 0
  );
}

function checkPort(model: KubeModel, c: ClusterDescription, e: ExpectedPort): void {
  const s = find(model, e);
  const svc = e.service;
  const where = `${c.name} ${e.label}`;
  expect(s.identity.source, where).toMatch(/^comment/);
  expect(s.clusterIP, where).toBe(svc.clusterIP);
  expect(s.port, where).toBe(e.port.port);
  expect(s.nodePorts, where).toEqual(e.port.nodePort === undefined ? [] : [e.port.nodePort]);
  expect(s.loadBalancerIPs, where).toEqual(svc.loadBalancerIPs ?? []);
  expect(s.externalIPs, where).toEqual(svc.externalIPs ?? []);
  const expectedType =
    (svc.loadBalancerIPs?.length ?? 0) > 0
      ? 'LoadBalancer'
      : e.port.nodePort !== undefined
        ? 'NodePort'
        : (svc.externalIPs?.length ?? 0) > 0
          ? 'ExternalIP'
          : 'ClusterIP';
  expect(s.type, where).toBe(expectedType);

  const hasEndpoints = e.endpoints.length > 0;
  const iTPLocal = svc.internalTrafficPolicy === 'Local';
  if (!hasEndpoints) {
    expect(s.endpointsStatus, where).toBe('none');
    expect(s.endpoints, where).toEqual([]);
    expect(
      s.warnings.map((w) => w.code),
      where,
    ).toContain('no-endpoints');
    return;
  }
  // With iTP=Local and no external entry point, ClusterIP traffic only knows local endpoints.
  const listed = iTPLocal && !isExternallyReachable(e) ? e.localEndpoints : e.endpoints;
  if (listed.length === 0) {
    expect(s.endpointsStatus, where).toBe('no-local');
    expect(
      s.warnings.map((w) => w.code),
      where,
    ).toContain('no-local-endpoints');
  } else {
    expect(s.endpointsStatus, where).toBe('listed');
    expect(
      s.endpoints.map((x) => x.address),
      where,
    ).toEqual(listed);
    // Every endpoint's SEP chain is kube-proxy's hash of this service port and address.
    expect(
      s.endpoints.every((x) => x.hashVerified === true),
      where,
    ).toBe(true);
    // Equal shares, computed from the printed values: within 1e-4 of 1/n (5-digit era) and
    // summing to 1.
    const total = s.endpoints.reduce((a, x) => a + (x.probability ?? 0), 0);
    expect(total, where).toBeCloseTo(1, 12);
    for (const x of s.endpoints)
      expect(x.probability ?? 0, where).toBeCloseTo(1 / listed.length, 4);
  }

  const sticky = svc.sessionAffinityTimeout;
  expect(s.sessionAffinity, where).toEqual(
    sticky === undefined ? null : { timeoutSeconds: sticky },
  );

  const reachable = isExternallyReachable(e);
  expect(s.externalTrafficPolicy, where).toBe(
    reachable ? (svc.externalTrafficPolicy ?? 'Cluster') : null,
  );
  if (listed.length > 0) {
    expect(s.internalTrafficPolicy, where).toBe(svc.internalTrafficPolicy ?? 'Cluster');
  }
  // Health-check ACCEPT rules exist since 1.21.
  if (eraMinor(c.era) >= 21)
    expect(s.healthCheckNodePort, where).toBe(svc.healthCheckNodePort ?? null);
  if ((svc.loadBalancerSourceRanges?.length ?? 0) > 0) {
    expect(s.loadBalancerSourceRanges, where).toEqual(svc.loadBalancerSourceRanges);
  }
  // Which endpoints are local, where a local ladder says so.
  const localLadder = s.ladders.some((l) => l.kind === 'local' && l.steps.length > 0);
  if (localLadder) {
    expect(
      s.endpoints.filter((x) => x.local === true).map((x) => x.address),
      where,
    ).toEqual(e.localEndpoints);
  }
}

describe.each(CLUSTER_NAMES)('%s', (name) => {
  it.each(VARIANTS)('reads back every service port from %s', (variant) => {
    const c = cluster(name);
    const model = buildKubeModel(loadFixture(`${name}${variant}`));
    expect(model.mode).toBe('iptables');
    const expected = expectedPorts(c);
    for (const e of expected) checkPort(model, c, e);
    expect(model.services).toHaveLength(expected.length);
    // The era guess must contain the era the rules were written for (nfacct rules: ≈1.30).
    const minor = c.nfacct === true ? 30 : eraMinor(c.era);
    expect(model.era.minMinor ?? 0, model.era.label).toBeLessThanOrEqual(minor);
    expect(model.era.maxMinor ?? 99, model.era.label).toBeGreaterThanOrEqual(minor);
    expect(model.era.conflicts).toEqual([]);
    expect(model.localDetector?.values).toEqual([c.clusterCIDR]);
  });
});

describe('k8s-1.23-ipvs-leftovers', () => {
  it.each(VARIANTS)('says IPVS and reports no service as endpoint-less (%s)', (variant) => {
    const model = buildKubeModel(loadFixture(`k8s-1.23-ipvs-leftovers${variant}`));
    expect(model.mode).toBe('ipvs');
    expect(model.services).toEqual([]);
    expect(model.warnings.map((w) => w.code)).toEqual(['endpoints-in-ipvs']);
    // The empty KUBE-SVC chains are leftovers; the well-known ones are named by their hash.
    const svc = model.staleChains.filter((c) => c.chain.name.startsWith('KUBE-SVC-'));
    expect(svc.map((c) => c.reason)).toEqual(svc.map(() => 'unreferenced-empty'));
    expect(
      svc
        .map((c) => c.service)
        .filter((s) => s !== null)
        .sort(),
    ).toEqual([
      'default/kubernetes:https',
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'kube-system/kube-dns:metrics',
    ]);
  });
});
