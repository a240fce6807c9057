/**
 * Effective probabilities are exact products of the printed values' kernel thresholds
 * (S = round(p·2^31), kube-proxy-iptables.md §6), never 1/n; a ladder that does not sum to 1
 * says so and tells where the remainder goes.
 */
import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import type { KubeModel, ServicePort } from '../../src/kube/model.js';
import { loadFixture, parseText, readFixture } from '../helpers.js';

const S = 2 ** 31;
const NGINX_SVC = 'KUBE-SVC-HL5LMXD5JFHQZ6LN';

function service(model: KubeModel, label: string): ServicePort {
  const s = model.services.find((x) => x.identity.label === label);
  if (s === undefined) throw new Error(`no ${label}`);
  return s;
}

/** The classic fixture with its nginx-svc ladder rules replaced. */
function withNginxLadder(rules: readonly string[]): KubeModel {
  const text = readFixture('k8s-1.20-nginx-svc-classic.save');
  const kept = text.split('\n').filter((l) => !l.startsWith(`-A ${NGINX_SVC} `));
  const at = kept.findIndex((l) => l.startsWith('-A KUBE-SVC-JD5MR3NA4I4DYORP'));
  kept.splice(
    at,
    0,
    ...rules.map((r) => `-A ${NGINX_SVC} -m comment --comment "default/nginx-svc" ${r}`),
  );
  return buildKubeModel(parseText(kept.join('\n'), 'edited.save'));
}

describe('effective probabilities', () => {
  it('are products of the kernel thresholds of the printed values', () => {
    const s = service(
      buildKubeModel(loadFixture('k8s-1.20-nginx-svc-classic.save')),
      'default/nginx-svc',
    );
    const q1 = 715827883 / S; // printed 0.33333333349
    const q2 = 1073741824 / S; // printed 0.50000000000
    expect(s.endpoints.map((e) => e.probability)).toEqual([q1, (1 - q1) * q2, (1 - q1) * (1 - q2)]);
    // 0.333333333489, 0.333333333256, 0.333333333256 (doc §6): not 1/3.
    expect(s.endpoints[0].probability).not.toBe(1 / 3);
    expect(s.endpoints[0].probability).toBeCloseTo(0.333333333489, 12);
    expect(s.endpoints[1].probability).toBeCloseTo(0.333333333256, 12);
    const ladder = s.ladders[0];
    expect(ladder.steps.map((x) => x.kernelThreshold)).toEqual([715827883, 1073741824, null]);
    expect(ladder.remainder).toBe(0);
    expect(ladder.remainderFate).toBeNull();
  });

  it('use the 5-digit values of kube-proxy before 1.17 as printed', () => {
    const model = buildKubeModel(loadFixture('k8s-1.16-xlb-flannel.save'));
    const s = service(model, 'default/worker-pool:grpc');
    // %0.5f of 1/7 = 0.14286 → S = 306789514, printed 0.14286000002.
    expect(s.endpoints[0].probability).toBe(306789514 / S);
    expect(s.ladders[0].steps[0].kernelThreshold).toBe(306789514);
    expect(s.endpoints.reduce((a, e) => a + (e.probability ?? 0), 0)).toBeCloseTo(1, 14);
    // The 5th rule's 0.33332999982 skews its endpoint by 1.5e-6 from 1/7.
    expect(Math.abs((s.endpoints[4].probability ?? 0) - 1 / 7)).toBeGreaterThan(1e-6);
  });

  it('follow each path: the local ladder gives local endpoints their own shares', () => {
    const s = service(
      buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save')),
      'default/shop-lb:http',
    );
    const local = s.endpoints.filter((e) => e.local === true);
    expect(local.map((e) => e.address)).toEqual(['10.244.1.20:8080', '10.244.1.21:8080']);
    for (const e of local) {
      expect(e.paths.map((p) => p.ladder)).toEqual(['cluster', 'local']);
      expect(e.paths[1].probability).toBe(0.5);
      expect(e.paths[0].probability).toBeCloseTo(0.25, 9);
    }
    const remote = s.endpoints.filter((e) => e.local === false);
    expect(remote.map((e) => e.paths.length)).toEqual([1, 1]);
  });
});

describe('ladders that do not sum to 1', () => {
  it('report the remainder and its fate when the last rule also draws', () => {
    const model = withNginxLadder([
      '-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-SADCJIHRQW7RJ62U',
      '-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-CKH2ZKIZ6USKA3D5',
      '-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-7TVAFMCK4WGEPG3E',
    ]);
    const s = service(model, 'default/nginx-svc');
    const q1 = 715827883 / S;
    const ladder = s.ladders[0];
    expect(ladder.remainder).toBeCloseTo((1 - q1) * 0.25, 15);
    expect(ladder.total + ladder.remainder).toBeCloseTo(1, 15);
    expect(ladder.remainderFate).toContain('falls off the end of KUBE-SVC-HL5LMXD5JFHQZ6LN');
    expect(ladder.remainderFate).toContain('KUBE-SERVICES');
    expect(ladder.remainderFate).toContain('un-DNATed');
    const w = s.warnings.find((x) => x.code === 'ladder-remainder');
    expect(w?.message).toContain('16.6667%');
  });

  it('name the rule that catches the remainder', () => {
    const model = withNginxLadder([
      '-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-SADCJIHRQW7RJ62U',
      '-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-CKH2ZKIZ6USKA3D5',
      '-j REJECT --reject-with icmp-port-unreachable',
    ]);
    const ladder = service(model, 'default/nginx-svc').ladders[0];
    expect(ladder.remainder).toBe(0.25);
    expect(ladder.remainderFate).toBe(`is rejected by ${NGINX_SVC} rule 3`);
  });

  it('mark rules after an unconditional jump as unreachable', () => {
    const model = withNginxLadder([
      '-j KUBE-SEP-SADCJIHRQW7RJ62U',
      '-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-CKH2ZKIZ6USKA3D5',
      '-j KUBE-SEP-7TVAFMCK4WGEPG3E',
    ]);
    const s = service(model, 'default/nginx-svc');
    expect(s.endpoints.map((e) => e.probability)).toEqual([1, 0, 0]);
    expect(s.ladders[0].unreachableSteps).toHaveLength(2);
    expect(s.warnings.map((w) => w.code)).toContain('ladder-unreachable');
  });

  it('treat --mode nth as its long-run share and say so', () => {
    const model = withNginxLadder([
      '-m statistic --mode nth --every 3 --packet 0 -j KUBE-SEP-SADCJIHRQW7RJ62U',
      '-m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-CKH2ZKIZ6USKA3D5',
      '-j KUBE-SEP-7TVAFMCK4WGEPG3E',
    ]);
    const s = service(model, 'default/nginx-svc');
    const shares = s.endpoints.map((e) => e.probability ?? 0);
    [1 / 3, 1 / 3, 1 / 3].forEach((p, i) => expect(shares[i]).toBeCloseTo(p, 15));
    expect(s.warnings.map((w) => w.code)).toContain('ladder-nth');
  });

  it('warn when a balancing rule also tests the packet', () => {
    const model = withNginxLadder([
      '-s 10.0.0.0/8 -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-SADCJIHRQW7RJ62U',
      '-j KUBE-SEP-CKH2ZKIZ6USKA3D5',
    ]);
    const s = service(model, 'default/nginx-svc');
    const w = s.warnings.find((x) => x.code === 'ladder-conditional');
    expect(w?.message).toContain('-s 10.0.0.0/8');
  });
});

describe('observed shares', () => {
  it('flag the skewed nginx-svc counters (600/200/200) at p < 0.001', () => {
    const s = service(
      buildKubeModel(loadFixture('k8s-1.20-nginx-svc-classic.counters.save')),
      'default/nginx-svc',
    );
    const t = s.ladders[0].test;
    expect(t?.verdict).toBe('off');
    expect(t?.totalPackets).toBe(1000);
    expect(s.endpoints.map((e) => e.paths[0].observed?.packets)).toEqual([600, 200, 200]);
    expect(s.endpoints[0].paths[0].observed?.off).toBe(true);
    expect(s.warnings.map((w) => w.code)).toContain('observed-share-off');
  });

  it('accept counters close to the probabilities (334/331/335)', () => {
    const s = service(
      buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.counters.save')),
      'default/web:http',
    );
    expect(s.ladders[0].test?.verdict).toBe('consistent');
    expect(s.endpoints.map((e) => e.paths[0].observed?.off)).toEqual([false, false, false]);
    expect(s.warnings.map((w) => w.code)).not.toContain('observed-share-off');
  });

  it('say when a service got no new connection', () => {
    const text = readFixture('k8s-1.20-nginx-svc-classic.counters.save')
      .replace(
        /^\[\d+:\d+\] (-A KUBE-SERVICES -d 10\.102\.170\.205\/32 .*-j KUBE-SVC-)/m,
        '[0:0] $1',
      )
      .replace(/^\[\d+:\d+\] (-A KUBE-NODEPORTS .*-j KUBE-SVC-)/m, '[0:0] $1');
    const s = service(buildKubeModel(parseText(text, 'zeroed.save')), 'default/nginx-svc');
    expect(s.traffic).toEqual({ packets: 0, exact: true });
    expect(s.warnings.map((w) => w.code)).toContain('no-traffic');
  });

  it('are absent without counters', () => {
    const s = service(
      buildKubeModel(loadFixture('k8s-1.20-nginx-svc-classic.save')),
      'default/nginx-svc',
    );
    expect(s.ladders[0].test).toBeNull();
    expect(s.traffic).toBeNull();
    expect(s.endpoints[0].paths[0].observed).toBeNull();
  });
});
