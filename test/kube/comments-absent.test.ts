/**
 * Comments only label: without them (kube-proxy's large-cluster mode drops them on endpoint
 * rules; a stripped or foreign dump has none) the chain graph still yields the same services,
 * endpoints and probabilities.
 */
import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import type { ServicePort } from '../../src/kube/model.js';
import { loadFixture } from '../helpers.js';

function summary(s: ServicePort): unknown {
  return {
    clusterIP: s.clusterIP,
    port: s.port,
    protocol: s.protocol,
    nodePorts: s.nodePorts,
    status: s.endpointsStatus,
    endpoints: s.endpoints.map((e) => [e.address, e.probability, e.local]),
    eTP: s.externalTrafficPolicy,
    iTP: s.internalTrafficPolicy,
    affinity: s.sessionAffinity,
    ranges: s.loadBalancerSourceRanges,
  };
}

describe('a dump without any comment (fixture k8s-1.28-comments-stripped)', () => {
  const commented = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.counters.save'));
  const stripped = buildKubeModel(loadFixture('k8s-1.28-comments-stripped.counters.save'));

  it('finds the same services by chain graph and ClusterIP:port', () => {
    expect(stripped.commentsAbsent).toBe(true);
    expect(stripped.largeClusterMode).toBe(false);
    for (const s of commented.services) {
      if (s.clusterIP === null) continue;
      const twin = stripped.services.filter(
        (x) => x.clusterIP === s.clusterIP && x.port === s.port && x.protocol === s.protocol,
      );
      expect(twin, s.identity.label).toHaveLength(1);
      if (s.endpointsStatus === 'none') {
        // Only names tie a rejected service's NodePort rule to its ClusterIP rule.
        expect({ ...(summary(twin[0]) as object), nodePorts: [] }).toEqual({
          ...(summary(s) as object),
          nodePorts: [],
        });
      } else {
        expect(summary(twin[0]), s.identity.label).toEqual(summary(s));
      }
    }
    const lone = stripped.services.find((x) => x.identity.label === 'NodePort 30099/tcp');
    expect(lone).toMatchObject({ nodePorts: [30099], clusterIP: null, endpointsStatus: 'none' });
  });

  it('names the chains whose hash matches a well-known service', () => {
    const named = stripped.services
      .filter((s) => s.identity.source === 'hash')
      .map((s) => s.identity.label);
    expect(named.sort()).toEqual([
      'default/kubernetes:https',
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'kube-system/kube-dns:metrics',
    ]);
    const web = stripped.services.find((s) => s.clusterIP === '10.96.0.10');
    expect(web?.identity).toMatchObject({
      source: 'none',
      label: '10.96.0.10:80/tcp',
      chainHash: 'CDGGSHYLG3RE2FKL',
      id: 'hash:CDGGSHYLG3RE2FKL',
    });
    expect(web?.unknowns).toContain('identity');
  });

  it('says that external and LoadBalancer IPs cannot be told apart', () => {
    const shop = stripped.services.find((s) => s.clusterIP === '10.96.23.45');
    expect(shop?.externalIPs).toEqual(['203.0.113.20']);
    expect(shop?.unknowns).toContain('external-kind');
    // A KUBE-FW chain still marks a LoadBalancer.
    const admin = stripped.services.find((s) => s.clusterIP === '10.96.12.34');
    expect(admin?.type).toBe('LoadBalancer');
    expect(admin?.loadBalancerIPs).toEqual(['203.0.113.10']);
    expect(stripped.limitations.join(' ')).toContain('no comments');
  });
});

describe("kube-proxy's large-cluster mode (k8s-1.28-large-cluster-no-comments)", () => {
  const model = buildKubeModel(loadFixture('k8s-1.28-large-cluster-no-comments.save'));

  it('ties comment-less endpoint chains to their services and confirms them by hash', () => {
    expect(model.largeClusterMode).toBe(true);
    expect(model.commentsAbsent).toBe(false);
    expect(model.services).toHaveLength(124);
    const apps = model.services.filter((s) => s.identity.name?.startsWith('app-'));
    expect(apps).toHaveLength(120);
    for (const s of apps) {
      expect(s.identity.source).toBe('comment');
      expect(s.endpoints).toHaveLength(9);
      expect(s.endpoints.every((e) => e.hashVerified === true && e.commentAddress === null)).toBe(
        true,
      );
    }
    expect(model.limitations.join(' ')).toContain('large-cluster mode');
  });
});
