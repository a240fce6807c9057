/**
 * Dumps people posted from real nodes (/work/shared/corpus/real, not part of the repository):
 * the answers a user would get. Skipped, with a message, where the corpus is not present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import type { KubeModel } from '../../src/kube/model.js';
import { diffKubeModels } from '../../src/diff/diff.js';
import { renderDiffText } from '../../src/render/diff-text.js';
import { parseText } from '../helpers.js';

const CORPUS = '/work/shared/corpus/real';
const present = existsSync(CORPUS);
if (!present) console.log(`skipping the real-dump checks: ${CORPUS} is not on this machine`);

function load(name: string): KubeModel {
  return buildKubeModel(parseText(readFileSync(path.join(CORPUS, name), 'utf8'), name));
}

describe.skipIf(!present)('real dumps', () => {
  it('01: kind v1.23.5 with kindnet: six service ports, kube-dns balanced 50/50', () => {
    const m = load('01-kind-v1.23-kindnet-iptables-save.txt');
    expect(m.mode).toBe('iptables');
    expect(m.era.label).toBe('1.21–1.23');
    expect(m.services.map((s) => s.identity.label).sort()).toEqual([
      'default/kubernetes:https',
      'default/traefik:web',
      'default/traefik:websecure',
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'kube-system/kube-dns:metrics',
    ]);
    const dns = m.services.find((s) => s.identity.label === 'kube-system/kube-dns:dns');
    expect(dns).toMatchObject({ clusterIP: '10.96.0.10', port: 53, protocol: 'udp' });
    expect(dns?.endpoints.map((e) => [e.address, e.probability])).toEqual([
      ['10.244.0.3:53', 0.5],
      ['10.244.0.4:53', 0.5],
    ]);
    expect(m.software.map((s) => s.name).sort()).toEqual(['docker', 'kindnet']);
    expect(m.services.flatMap((s) => s.warnings)).toEqual([]);
  });

  it('02: k3s with counters: one live service, four rejected for lack of endpoints', () => {
    const m = load('02-k3s-single-node-docker-iptables-save-c-counters.txt');
    const api = m.services.find((s) => s.identity.label === 'default/kubernetes:https');
    expect(api).toMatchObject({ clusterIP: '10.43.0.1', port: 443, endpointsStatus: 'listed' });
    expect(api?.endpoints.map((e) => e.address)).toEqual(['10.0.20.5:6443']);
    expect(api?.traffic).toEqual({ packets: 0, exact: true });
    expect(api?.warnings.map((w) => w.code)).toEqual(['no-traffic']);
    const rejected = m.services.filter((s) => s.endpointsStatus === 'none');
    expect(
      rejected.map((s) => `${s.identity.label} ${s.clusterIP}:${s.port}/${s.protocol}`).sort(),
    ).toEqual([
      'kube-system/kube-dns:dns 10.43.0.10:53/udp',
      'kube-system/kube-dns:dns-tcp 10.43.0.10:53/tcp',
      'kube-system/kube-dns:metrics 10.43.0.10:9153/tcp',
      'kube-system/metrics-server:https 10.43.40.11:443/tcp',
    ]);
    expect(m.podCIDRs).toEqual(['10.42.0.0/16']);
  });

  it('06: IPVS mode after a flush: no false "0 endpoints", the KUBE-SVC chains are leftovers', () => {
    const m = load('06-kubeadm-calico-ipvs-mode-flushed-nat-iptables-save.txt');
    expect(m.mode).toBe('ipvs');
    expect(m.services).toEqual([]);
    expect(m.warnings[0].message).toContain('IPVS');
    expect(m.staleChains).toHaveLength(20);
    expect(m.staleChains.every((c) => c.chain.rules.length === 0)).toBe(true);
  });

  it('09: a `-S CHAIN -v` session of one eTP=Local service: both ladders, what is missing said', () => {
    const m = load('09-k3s-v1.29-etp-local-kube-ext-svl-S-v-session-fragment.txt');
    expect(m.services).toHaveLength(1);
    const s = m.services[0];
    expect(s.identity.label).toBe('default/nginx-mlb-l2-service');
    expect(s.endpoints).toHaveLength(6);
    expect(s.endpoints.filter((e) => e.local === true)).toHaveLength(2);
    expect(s.externalTrafficPolicy).toBe('Local');
    expect(s.unknowns).toEqual(expect.arrayContaining(['type', 'cluster-ip']));
    // The SEP chains are not in the session: said as a fact of the input, not an error.
    const missing = s.warnings.filter((w) => w.code === 'missing-chain');
    expect(missing).toHaveLength(6);
    expect(missing.every((w) => w.severity === 'info')).toBe(true);
  });

  it("07: a grep of a listing: the service from chains inferred from kube-proxy's layout", () => {
    const m = load('07-bugreport-lb-service-stale-endpoints-nat-L-grep-fragment.txt');
    expect(m.services.map((s) => s.identity.label)).toEqual(['default/C:http']);
    const svc = m.services[0];
    expect(svc).toMatchObject({ clusterIP: '10.64.14.143', port: 80, protocol: 'tcp' });
    expect(svc.nodePorts).toEqual([31885]);
    expect(svc.loadBalancerIPs).toEqual(['10.64.11.9']);
    expect(svc.endpoints).toHaveLength(12);
    for (const e of svc.endpoints) expect(e.probability).toBeCloseTo(1 / 12, 4);
    expect(svc.endpoints.map((e) => e.address)).toContain('10.64.13.10:80');
    expect(m.limitations.join('\n')).toContain('inferred from the layout of kube-proxy');
    // The service was renamed in the paste: the SEP names are tied by listing order, and said so.
    expect(m.warnings.map((w) => w.code)).toContain('hash-mismatch');
  });

  it('07 against 08: the same service with another ClusterIP, NodePort and endpoints', () => {
    const a = load('07-bugreport-lb-service-stale-endpoints-nat-L-grep-fragment.txt');
    const b = load('08-bugreport-same-service-other-node-stale-clusterip-nat-L-grep-fragment.txt');
    expect(b.services.map((s) => [s.identity.label, s.clusterIP, s.nodePorts])).toEqual([
      ['default/C:http', '10.64.14.125', [30636]],
    ]);
    expect(b.services[0].endpoints.map((e) => [e.address, e.probability])).toEqual([
      ['10.64.13.13:80', 0.5],
      ['10.64.13.71:80', 0.5],
    ]);
    const diff = diffKubeModels(a, b, { rules: false });
    expect(diff.services).toHaveLength(1);
    const d = diff.services[0];
    expect(d.label).toBe('default/C:http');
    expect(d.changes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['clusterIP', 'nodePorts']),
    );
    expect(d.endpoints.filter((e) => e.status === 'added').map((e) => e.key)).toEqual([
      '10.64.13.71:80',
    ]);
    expect(d.endpoints.filter((e) => e.status === 'removed')).toHaveLength(11);
    const text = renderDiffText(diff);
    expect(text).toContain('10.64.14.143 -> 10.64.14.125');
    expect(text).toContain('31885 -> 30636');
  });
});
