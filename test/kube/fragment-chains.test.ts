/**
 * Grep fragments of `iptables -t nat -L` captures (rows whose comment names one service, no
 * `Chain` headers): the Kubernetes view infers kube-proxy's chains from the rows' layout and
 * must give the service what the whole dump gives.
 */
import { describe, expect, it } from 'vitest';
import { diffKubeModels } from '../../src/diff/diff.js';
import { buildKubeModel } from '../../src/kube/build.js';
import type { Chain } from '../../src/model/ruleset.js';
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

function facts(s: ServicePort): Record<string, unknown> {
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

// ---------------------------------------------------------------------------------------------
// The 1.21–1.23 and 1.24+ layouts: every service port of a dump, grepped as a person greps.

/** What a grep fragment of the nat table carries of a service port, and the whole dump gives. */
function modernFacts(s: ServicePort): unknown {
  return {
    ...facts(s),
    externalIPs: s.externalIPs,
    loadBalancerIPs: s.loadBalancerIPs,
    loadBalancerSourceRanges: s.loadBalancerSourceRanges,
    sessionAffinity: s.sessionAffinity,
    externalTrafficPolicy: s.externalTrafficPolicy,
    internalTrafficPolicy: s.internalTrafficPolicy,
    // `local` is true/false only where a local ladder (KUBE-SVL/KUBE-XLB) was placed.
    endpoints: s.endpoints.map((e) => [e.address, e.probability, e.local, e.chain.name]),
  };
}

function natChains(s: ServicePort): Chain[] {
  const c = s.chains;
  return [c.svc, c.svl, c.ext, c.fw, c.xlb].filter((x): x is Chain => x !== null);
}

/** `iptables -t nat -L [-n] | grep -e <svc> -e <ClusterIP>`: plain substring matches. */
function grepRows(listing: string, needles: readonly string[], crlf = false): string {
  const eol = crlf ? '\r\n' : '\n';
  const rows = readFixture(`listings/${listing}`)
    .split('\n')
    .filter((line) => needles.some((n) => line.includes(n)));
  return rows.length === 0 ? '' : rows.join(eol) + eol;
}

const MODERN: readonly { cluster: string; era: string }[] = [
  { cluster: 'k8s-1.28-etp-local-calico', era: '1.28' },
  { cluster: 'k8s-1.24-ext-svl', era: '1.24' },
  { cluster: 'k8s-1.23-kindnet', era: '1.23' },
];

for (const { cluster, era } of MODERN) {
  describe(`grep fragments of ${era} nat listings (${cluster}): each service port as the whole dump shows it`, () => {
    const full = buildKubeModel(loadFixture(`${cluster}.save`));
    const listings: [string, boolean][] = [
      [`${cluster}.nft.nat.L.txt`, false],
      [`${cluster}.nft.nat.L-n.txt`, true],
      [`${cluster}.legacy.nat.L.txt`, true],
      [`${cluster}.legacy.nat.L-n.txt`, false],
    ];
    // Service ports with nat rows; the others are shown only by the filter table (below).
    const withNat = full.services.filter((s) => natChains(s).length > 0);
    it('the dump has service ports with and without nat rows', () => {
      expect(withNat.length).toBeGreaterThan(5);
    });
    for (const [listing, crlf] of listings) {
      for (const s of withNat) {
        const label = s.identity.label;
        it(`${listing}${crlf ? ' (CRLF)' : ''} | grep -e '${label}' -e ${s.clusterIP}`, () => {
          const needles = s.clusterIP === null ? [label] : [label, s.clusterIP];
          const text = grepRows(listing, needles, crlf);
          expect(text).not.toContain('Chain ');
          const m = fragmentModel(text);
          expect(m.ruleset.format).toBe('listing-fragment');
          const got = m.services.find((x) => x.identity.label === label);
          expect(got && modernFacts(got)).toEqual(modernFacts(s));
          // Every row was placed: none left in an unknown chain, nothing to warn about.
          expect(m.limitations.join('\n')).toContain('the chains of all rows were inferred');
          expect(m.ruleset.table('nat')?.chains.map((c) => c.name)).not.toContain(
            '(unknown chain)',
          );
          expect(m.warnings.filter((w) => w.code === 'fields-lost')).toEqual([]);
        });
      }
    }

    it('what a nat grep cannot carry: rows that do not name the service, filter-table facts', () => {
      const listing = `${cluster}.legacy.nat.L-n.txt`;
      // Service ports kube-proxy wrote no nat rows for (no endpoints): a nat grep is empty.
      for (const s of full.services.filter((x) => natChains(x).length === 0)) {
        expect(grepRows(listing, [s.identity.label])).toBe('');
        expect(s.filterRules.length).toBeGreaterThan(0);
      }
      // Uncommented rows (KUBE-EXT's jump to KUBE-SVC/KUBE-SVL, KUBE-XLB's "Redirect pods …")
      // name no service: the fragment's chain has fewer rows than the dump's.
      const lost = full.services.flatMap((s) =>
        natChains(s)
          .filter((c) => c.rules.some((r) => r.comment === null || !r.comment.includes('/')))
          .map((c) => [s, c.name] as const),
      );
      expect(lost.length).toBeGreaterThan(0);
      for (const [s, chain] of lost) {
        const m = fragmentModel(grepRows(listing, [s.identity.label]));
        const dump = full.ruleset.table('nat')?.chain(chain)?.rules ?? [];
        const got = m.ruleset.table('nat')?.chain(chain)?.rules ?? [];
        expect(got.length).toBe(
          dump.filter((r) => r.comment?.includes(s.identity.label) === true).length,
        );
        expect(got.length).toBeLessThan(dump.length);
      }
    });
  });
}

describe('grep fragments: a ladder whose chain the rows cannot tell stays unplaced, with a warning', () => {
  const listing = 'k8s-1.28-etp-local-calico.legacy.nat.L-n.txt';

  it('two ladders listing the same endpoints: KUBE-SVC and KUBE-SVL cannot be told apart', () => {
    const rows = grepRows(listing, ['default/shop-lb:http']).trimEnd().split('\n');
    const ladder = rows.filter((l) => l.startsWith('KUBE-SEP-') && l.includes(' -> '));
    // Legacy lists KUBE-SVC-… before KUBE-SVL-…: 4 cluster rows, then the 2 local ones.
    expect(ladder).toHaveLength(6);
    const cluster = ladder.slice(0, 4);
    // As if every endpoint were local: the local ladder repeats the cluster ladder.
    const text = [...rows.filter((l) => !ladder.slice(4).includes(l)), ...cluster].join('\n');
    const m = fragmentModel(text + '\n');
    const lost = m.warnings.filter((w) => w.code === 'fields-lost');
    expect(lost.map((w) => w.message)).toEqual([
      expect.stringContaining('whose endpoints are the same: which is which cannot be told'),
    ]);
    expect(lost[0].rules).toHaveLength(8);
    expect(m.ruleset.table('nat')?.chain('(unknown chain)')?.rules).toHaveLength(8);
    expect(m.ruleset.table('nat')?.chain('KUBE-SVL-XT7WTEKTAV6QWUS4')).toBeUndefined();
  });

  it('iTP=Local without the ClusterIP jump: its masquerade rule and ladder are not guessed', () => {
    // grep node-cache | grep -v '^KUBE-SVL': the KUBE-SERVICES row naming KUBE-SVL is gone.
    const text = grepRows(listing, ['default/node-cache:metrics'])
      .split('\n')
      .filter((l) => !l.startsWith('KUBE-SVL-'))
      .join('\n');
    const m = fragmentModel(text);
    const lost = m.warnings.filter((w) => w.code === 'fields-lost').map((w) => w.message);
    // (and the view's own warning that the service's chains are not in the input)
    expect(lost.slice(0, 2)).toEqual([
      expect.stringContaining('ClusterIP masquerade rule of default/node-cache:metrics'),
      expect.stringContaining('no jump naming its KUBE-SVC or KUBE-SVL chain'),
    ]);
    const nat = m.ruleset.table('nat');
    expect(nat?.chain('(unknown chain)')?.rules).toHaveLength(2);
    expect(nat?.chains.some((c) => c.name.startsWith('KUBE-SVC-'))).toBe(false);
    // The endpoint chain is named by the ladder's jump: still placed.
    expect(nat?.chain('KUBE-SEP-WFIAJT5SH6DZLHIS')?.rules).toHaveLength(2);
  });

  it('a grep by ClusterIP alone carries the ClusterIP, port and protocol, not the endpoints', () => {
    const full = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));
    const s = full.services.find((x) => x.identity.label === 'default/shop-lb:http');
    if (s?.clusterIP == null) throw new Error('shop-lb has no ClusterIP in the fixture');
    const m = fragmentModel(grepRows(listing, [` ${s.clusterIP} `]));
    const got = m.services.find((x) => x.identity.label === s.identity.label);
    expect([got?.clusterIP, got?.port, got?.protocol]).toEqual([s.clusterIP, s.port, s.protocol]);
    // The jump and the masquerade rule of KUBE-SVC: no ladder, NodePort or LB IP rows.
    expect(m.ruleset.table('nat')?.chain('KUBE-SVC-XT7WTEKTAV6QWUS4')?.rules).toHaveLength(1);
    expect(got?.endpoints).toEqual([]);
    expect(got?.nodePorts).toEqual([]);
    expect(s.endpoints.length).toBeGreaterThan(0);
  });
});
