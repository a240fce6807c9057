import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffKubeModels } from '../../src/diff/diff.js';
import type { KubeDiff, ServiceDiff } from '../../src/diff/model.js';
import { buildKubeModel } from '../../src/kube/model.js';
import type { KubeModel } from '../../src/kube/model.js';
import { renderDiffText } from '../../src/render/diff-text.js';
import { ROOT, loadFixture, parseText, readFixture } from '../helpers.js';

/** Dumps made by test/diff/fixtures/build.sh with the real iptables (see variants.mjs). */
export function diffFixture(name: string): string {
  return path.join(ROOT, 'test', 'diff', 'fixtures', name);
}

function model(name: string): KubeModel {
  return buildKubeModel(parseText(readFileSync(diffFixture(name), 'utf8'), name));
}

function service(diff: KubeDiff, label: string): ServiceDiff {
  const found = diff.services.find((s) => s.label === label);
  if (found === undefined) throw new Error(`${label} not in the diff`);
  return found;
}

describe('diff of two nodes of one cluster', () => {
  const diff = diffKubeModels(model('node-a.save'), model('node-b.save'), { rules: true });

  it('names the endpoint that differs', () => {
    const web = service(diff, 'default/web:http');
    expect(web.status).toBe('changed');
    expect(web.nodeLocal).toBe(false);
    expect(web.changes).toEqual([]);
    expect(web.endpoints.map((e) => [e.status, e.key])).toEqual([
      ['removed', '10.244.3.9:8080'],
      ['added', '10.244.3.10:8080'],
    ]);
    const removed = web.endpoints[0];
    expect(removed.a?.clusterProbability).toBeCloseTo(1 / 3, 9);
  });

  it('reports a changed ClusterIP and NodePort', () => {
    expect(service(diff, 'default/admin-lb:https').changes).toEqual([
      { field: 'clusterIP', a: '10.96.12.34', b: '10.96.12.33', nodeLocal: false },
    ]);
    const edge = service(diff, 'default/edge-np:http');
    expect(edge.changes).toContainEqual({
      field: 'nodePorts',
      a: [30090],
      b: [30091],
      nodeLocal: false,
    });
  });

  it('sets apart what only differs in which endpoints are local to each node', () => {
    const local = diff.services.filter((s) => s.nodeLocal).map((s) => s.label);
    expect(local.sort()).toEqual([
      'default/itp-remote:http',
      'default/node-cache:metrics',
      'default/shop-lb:http',
    ]);
    const shop = service(diff, 'default/shop-lb:http');
    const e = shop.endpoints.find((x) => x.key === '10.244.1.20:8080');
    expect(e).toMatchObject({ status: 'changed', fields: ['localProbability', 'local'] });
    // Services that are the same on both nodes are not listed.
    expect(diff.services.map((s) => s.label)).not.toContain('kube-system/kube-dns:dns');
    expect(diff.unchangedServices).toBe(8);
  });

  it('ignores counters: chains whose rules differ only in counters are not listed', () => {
    const dns = 'KUBE-SVC-TCOU7JCQXEZGVUNU';
    const countersOf = (file: string): string | undefined =>
      readFileSync(diffFixture(file), 'utf8')
        .split('\n')
        .find((l) =>
          l.includes(`-A ${dns} -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.4`),
        );
    // The two nodes saw different traffic on that rule...
    expect(countersOf('node-a.save')?.split(' ')[0]).not.toBe(
      countersOf('node-b.save')?.split(' ')[0],
    );
    // ...and the rule-level diff does not care.
    expect(diff.rules?.chains.map((c) => c.a ?? c.b)).not.toContain(dns);
  });

  it('lists the rule-level differences chain by chain', () => {
    const chains = diff.rules?.chains ?? [];
    const svc = chains.find((c) => c.a === 'KUBE-SVC-CDGGSHYLG3RE2FKL');
    expect(svc).toMatchObject({ status: 'changed', role: 'svc', service: 'default/web:http' });
    expect(svc?.removed.map((r) => r.text)).toEqual([
      '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.3.9:8080" -j KUBE-SEP-RBX5X5TOEG5GD3RO',
    ]);
    const oldSep = chains.find((c) => c.a === 'KUBE-SEP-RBX5X5TOEG5GD3RO');
    expect(oldSep).toMatchObject({ status: 'removed', endpoint: '10.244.3.9:8080', b: null });
    const natServices = chains.find((c) => c.table === 'nat' && c.a === 'KUBE-SERVICES');
    expect(natServices?.removed.map((r) => r.text)).toEqual([
      '-A KUBE-SERVICES -d 10.96.12.34/32 -p tcp -m comment --comment "default/admin-lb:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-DAPVQ4ILVDCX2SMZ',
    ]);
  });

  it('prints the endpoint that differs in the text report', () => {
    const text = renderDiffText(diff);
    expect(text).toContain('~ default/web:http');
    expect(text).toContain('    - endpoint 10.244.3.9:8080  (33.33%)');
    expect(text).toContain('    + endpoint 10.244.3.10:8080  (33.33%)');
    expect(text).toContain('    ClusterIP: 10.96.12.34 -> 10.96.12.33');
    // The node-local section comes after the cluster-wide one.
    expect(text.indexOf('default/web:http')).toBeLessThan(
      text.indexOf('expected between two nodes'),
    );
    expect(text.indexOf('expected between two nodes')).toBeLessThan(
      text.indexOf('default/shop-lb:http'),
    );
  });
});

describe('diff before and after a change', () => {
  const diff = diffKubeModels(model('node-a.save'), model('node-a-after.save'), { rules: false });

  it('reports services added and removed', () => {
    expect(service(diff, 'default/api:grpc')).toMatchObject({
      status: 'added',
      a: null,
      b: { clusterIP: '10.96.90.1', port: 9090, endpoints: 2 },
    });
    expect(service(diff, 'default/orphan:http')).toMatchObject({ status: 'removed', b: null });
  });

  it('reports an endpoint removed and the new probabilities of the others', () => {
    const five = service(diff, 'default/five:http');
    expect(five.endpoints.find((e) => e.status === 'removed')?.key).toBe('10.244.2.71:8080');
    const changed = five.endpoints.filter((e) => e.status === 'changed');
    expect(changed).toHaveLength(4);
    for (const e of changed) {
      expect(e.fields).toEqual(['clusterProbability']);
      expect(e.a?.clusterProbability).toBeCloseTo(0.2, 9);
      expect(e.b?.clusterProbability).toBeCloseTo(0.25, 9);
    }
  });

  it('reports affinity and traffic-policy changes', () => {
    expect(service(diff, 'default/session:http').changes).toEqual([
      { field: 'sessionAffinity', a: 'ClientIP 10800s', b: 'ClientIP 3600s', nodeLocal: false },
    ]);
    const shop = service(diff, 'default/shop-lb:http');
    expect(shop.changes).toContainEqual({
      field: 'externalTrafficPolicy',
      a: 'Local',
      b: 'Cluster',
      nodeLocal: false,
    });
    expect(shop.changes.map((c) => c.field)).toContain('healthCheckNodePort');
  });

  it('is not identical, and a dump compared with itself is', () => {
    expect(diff.identical).toBe(false);
    const a = model('node-a.save');
    const same = diffKubeModels(a, model('node-a.save'), { rules: true });
    expect(same.identical).toBe(true);
    expect(same.services).toEqual([]);
    expect(same.rules?.chains).toEqual([]);
    expect(renderDiffText(same)).toContain('No differences.');
  });
});

describe('rule-level noise', () => {
  it('a dump with counters and one without are the same', () => {
    const plain = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));
    const counted = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.counters.save'));
    expect(counted.ruleset.hasCounters).toBe(true);
    const d = diffKubeModels(plain, counted, { rules: true });
    expect(d.identical).toBe(true);
  });

  it('the iptables-nft and iptables-legacy renderings of one ruleset are the same', () => {
    const nft = buildKubeModel(loadFixture('k8s-1.24-ext-svl.save'));
    const legacy = buildKubeModel(loadFixture('k8s-1.24-ext-svl.legacy.save'));
    expect(diffKubeModels(nft, legacy, { rules: true }).identical).toBe(true);
  });

  it('ignores the order of services in KUBE-SERVICES but not the order of a built-in chain', () => {
    const text = readFixture('k8s-1.28-etp-local-calico.save');
    const lines = text.split('\n');
    const swap = (l: string[], i: number, j: number): string[] => {
      const out = [...l];
      [out[i], out[j]] = [out[j], out[i]];
      return out;
    };
    const nat = lines.indexOf('*nat');
    const svc = lines.flatMap((l, i) =>
      i > nat && l.startsWith('-A KUBE-SERVICES -d 10.96.') ? [i] : [],
    );
    expect(svc.length).toBeGreaterThan(10);
    const shuffled = swap(lines, svc[0], svc[svc.length - 1]).join('\n');
    const base = buildKubeModel(parseText(text, 'a.save'));
    const d1 = diffKubeModels(base, buildKubeModel(parseText(shuffled, 'b.save')), { rules: true });
    expect(d1.identical).toBe(true);

    const pre = lines.flatMap((l, i) => (l.startsWith('-A PREROUTING ') ? [i] : []));
    expect(pre.length).toBeGreaterThanOrEqual(2);
    const reordered = swap(lines, pre[0], pre[1]).join('\n');
    const d2 = diffKubeModels(base, buildKubeModel(parseText(reordered, 'c.save')), {
      rules: true,
    });
    const prerouting = d2.rules?.chains.filter((c) => c.a === 'PREROUTING') ?? [];
    expect(prerouting).toHaveLength(1);
    expect(prerouting[0]).toMatchObject({
      reordered: true,
      removed: [],
      added: [],
      orderMatters: true,
    });
  });

  it('pairs hashed chains by service and endpoint when an upgrade renames them', () => {
    // kube-proxy 1.19 dropped the trailing colon of unnamed ports: `default/nginx-svc:` became
    // `default/nginx-svc`, and every chain of that service got a new hash.
    const before = model('classic-1.18.save');
    const after = model('classic-1.20.save');
    const d = diffKubeModels(before, after, { rules: true });
    const nginx = service(d, 'default/nginx-svc');
    expect(nginx.pairedBy).toBe('id');
    expect(nginx.changes).toEqual([
      { field: 'chainHash', a: 'R2VK7O5AFVLRAXSH', b: 'HL5LMXD5JFHQZ6LN', nodeLocal: false },
    ]);
    expect(nginx.endpoints).toEqual([]);
    const rules = d.rules;
    expect(rules?.renamedChains).toContainEqual({
      table: 'nat',
      a: 'KUBE-SVC-R2VK7O5AFVLRAXSH',
      b: 'KUBE-SVC-HL5LMXD5JFHQZ6LN',
    });
    expect(rules?.renamedChains).toHaveLength(4); // the SVC chain and three SEP chains
    // With the names matched, none of the service's chains differs; what does is the era's
    // own change (KUBE-POSTROUTING's RETURN/xor-mark rules arrived in 1.19).
    const touched = (rules?.chains ?? []).map((c) => `${c.table} ${c.a ?? c.b}`);
    expect(touched).not.toContain('nat KUBE-SVC-R2VK7O5AFVLRAXSH');
    expect(touched).not.toContain('nat KUBE-SERVICES');
    expect(touched).toContain('nat KUBE-POSTROUTING');
  });
});

describe('a dump without comments', () => {
  it('pairs its services with the commented dump of the same rules by chain hash and address', () => {
    const named = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));
    const bare = buildKubeModel(loadFixture('k8s-1.28-comments-stripped.save'));
    const web = bare.services.find((s) => s.clusterIP === '10.96.0.10');
    expect(web?.identity.source).toBe('none');
    const d = diffKubeModels(named, bare, { rules: false });
    // Nothing about default/web:http differs: it is paired although B cannot name it.
    expect(d.services.map((s) => s.label)).not.toContain('default/web:http');
    // What is left is what comments alone carry (health-check ports, the NodePort REJECT of a
    // service without endpoints), and nothing about endpoints.
    for (const s of d.services) {
      expect(s.endpoints, s.label).toEqual([]);
      for (const c of s.changes) {
        expect(['healthCheckNodePort', 'nodePorts', 'type'], `${s.label} ${c.field}`).toContain(
          c.field,
        );
      }
    }
  });
});
