/**
 * Grep fragments of `iptables -t nat -L` captures (rows whose comment names one service, no
 * `Chain` headers): the Kubernetes view infers kube-proxy's chains from the rows' layout and
 * must give the service what the whole dump gives.
 */
import { describe, expect, it } from 'vitest';
import { diffKubeModels } from '../../src/diff/diff.js';
import { buildKubeModel } from '../../src/kube/build.js';
import type { KubeModel, ServicePort } from '../../src/kube/model.js';
import { loadFixture, parseText, readFixture } from '../helpers.js';

const SVC = 'default/nginx-svc';

/** `iptables -t nat -L | grep 'default/nginx-svc'`, as a bug report would attach it. */
function grepFragment(listing: string, crlf = false): string {
  const rows = readFixture(`listings/${listing}`)
    .split('\n')
    .filter((line) => line.includes(`/* ${SVC}`));
  return rows.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
}

function facts(s: ServicePort): unknown {
  return {
    label: s.identity.label,
    clusterIP: s.clusterIP,
    port: s.port,
    protocol: s.protocol,
    nodePorts: s.nodePorts,
    endpoints: s.endpoints.map((e) => [e.address, e.probability, e.chain.name]),
  };
}

function fullDumpService(): ServicePort {
  const m = buildKubeModel(loadFixture('k8s-1.20-nginx-svc-classic.legacy.save'));
  const s = m.services.find((x) => x.identity.label === SVC);
  if (s === undefined) throw new Error(`${SVC} is not in the fixture`);
  return s;
}

function fragmentModel(text: string, name = 'fragment.txt'): KubeModel {
  return buildKubeModel(parseText(text, name));
}

describe('grep fragments of nat listings: chains inferred from kube-proxy layout', () => {
  const cases: [string, boolean][] = [
    ['k8s-1.20-nginx-svc-classic.legacy.nat.L.txt', false],
    ['k8s-1.20-nginx-svc-classic.legacy.nat.L.txt', true],
    ['k8s-1.20-nginx-svc-classic.legacy.nat.L-n.txt', false],
    ['k8s-1.20-nginx-svc-classic.nft.nat.L.txt', true],
    ['k8s-1.20-nginx-svc-classic.nft.nat.L-n.txt', false],
  ];
  for (const [listing, crlf] of cases) {
    it(`${listing}${crlf ? ' (CRLF)' : ''}: the service as the whole dump shows it`, () => {
      const text = grepFragment(listing, crlf);
      expect(text).not.toContain('Chain ');
      const m = fragmentModel(text);
      expect(m.ruleset.format).toBe('listing-fragment');
      expect(m.services.map(facts)).toEqual([facts(fullDumpService())]);
      for (const e of m.services[0].endpoints) expect(e.probability).toBeCloseTo(1 / 3, 6);
      expect(m.limitations.join('\n')).toContain(
        "the chains of all rows were inferred from the layout of kube-proxy's rules",
      );
      // Every endpoint chain was confirmed by kube-proxy's hash: nothing to warn about.
      expect(m.warnings).toEqual([]);
      const nat = m.ruleset.table('nat');
      expect(nat?.chains.map((c) => c.name).slice(0, 3)).toEqual([
        'KUBE-SERVICES',
        'KUBE-NODEPORTS',
        'KUBE-SVC-HL5LMXD5JFHQZ6LN',
      ]);
      expect(nat?.chain('KUBE-SERVICES')?.rules.map((r) => r.jumpChain)).toEqual([
        'KUBE-MARK-MASQ',
        'KUBE-SVC-HL5LMXD5JFHQZ6LN',
      ]);
    });
  }

  it('a row whose chain cannot be told stays in an unknown chain, with a warning', () => {
    const text =
      grepFragment('k8s-1.20-nginx-svc-classic.legacy.nat.L-n.txt') +
      `RETURN     all  --  0.0.0.0/0            0.0.0.0/0            /* ${SVC} */\n`;
    const m = fragmentModel(text);
    expect(m.warnings.map((w) => w.code)).toEqual(['fields-lost']);
    expect(m.warnings[0].message).toContain('of a shape kube-proxy does not write');
    expect(m.warnings[0].rules).toHaveLength(1);
    expect(m.ruleset.table('nat')?.chain('(unknown chain)')?.rules).toHaveLength(1);
    expect(m.limitations.join('\n')).toContain('the chains of 13 of 14 rows were inferred');
  });

  it('diff of two fragments: ClusterIP, NodePort and endpoints at service level', () => {
    const full = fullDumpService();
    const dropped = full.endpoints[0];
    if (dropped.address === null) throw new Error('the fixture endpoint has no address');
    const address = dropped.address;
    const a = grepFragment('k8s-1.20-nginx-svc-classic.legacy.nat.L-n.txt', true);
    const host = address.split(':')[0];
    const b = a
      .split('\r\n')
      .filter((line) => !line.startsWith(dropped.chain.name) && !line.includes(` ${host} `))
      .filter((line) => !line.includes(`to:${address}`))
      .join('\r\n')
      .replaceAll('10.102.170.205', '10.102.170.99')
      .replaceAll('dpt:32080', 'dpt:32081');
    const diff = diffKubeModels(fragmentModel(a, 'a.txt'), fragmentModel(b, 'b.txt'), {
      rules: false,
    });
    expect(diff.services).toHaveLength(1);
    const d = diff.services[0];
    expect(d.label).toBe(SVC);
    expect(d.b?.clusterIP).toBe('10.102.170.99');
    expect(d.b?.nodePorts).toEqual([32081]);
    expect(d.changes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['clusterIP', 'nodePorts']),
    );
    expect(d.endpoints.filter((e) => e.status === 'removed').map((e) => e.key)).toEqual([address]);
    expect(d.endpoints.filter((e) => e.status === 'changed')).toHaveLength(2);
  });
});
