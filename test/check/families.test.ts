import { describe, expect, it } from 'vitest';
import { readFixture } from '../helpers.js';
import { checkFixture, checkText, codes, only } from './check.js';

const LAST_STEP =
  '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.3.9:8080" -j KUBE-SEP-RBX5X5TOEG5GD3RO';

describe('kube-proxy mode', () => {
  it('IPVS: no "no endpoints" alarm, one leftover finding for the iptables-mode chains', () => {
    const findings = checkFixture('k8s-1.23-ipvs-leftovers.save');
    expect(codes(findings).sort()).toEqual(['iptables-mode-leftover', 'proxy-mode-ipvs']);
    const leftover = only(findings, 'iptables-mode-leftover')[0];
    expect(leftover.message).toMatch(
      /^15 per-service chains left over from iptables mode \(kube-proxy now runs in IPVS mode\)/,
    );
    expect(leftover.explanation).toContain('KUBE-SVC-NPX46M4PTMTKRN6Y (default/kubernetes:https)');
    expect(only(findings, 'proxy-mode-ipvs')[0].explanation.join(' ')).toContain('KUBE-NODE-PORT');
  });

  it('a nat table without kube-proxy chains: says so, as a note', () => {
    // A Docker-only host.
    const findings = checkText(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':DOCKER - [0:0]',
        '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
        '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
        '-A DOCKER -i docker0 -j RETURN',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(codes(findings)).toEqual(['proxy-mode-none']);
    expect(findings[0].severity).toBe('info');
  });

  it('without a nat table the dump cannot tell the mode: no note', () => {
    expect(only(checkFixture('cni-mix-cilium-calico.save'), 'proxy-mode-none')).toEqual([]);
  });
});

describe('stale and empty chains', () => {
  it('a stale SEP and an empty stale SVC, each at its chain', () => {
    const stale = only(checkFixture('k8s-1.28-etp-local-docker.counters.save'), 'stale-chain');
    expect(stale.map((f) => f.location.chain)).toEqual([
      'KUBE-SVC-723E4CLGGVNOVNDJ',
      'KUBE-SEP-AFD2WHVCSJFKX6F3',
    ]);
    expect(stale[0].message).toContain('is empty and not referenced');
    expect(stale[1].explanation).toContain(
      'its rules counted 17 packets before it was cut off: it was in use once',
    );
  });

  it('a truncated dump claims nothing about what nothing jumps to', () => {
    const findings = checkText(readFixture('pasted/classic-nat.truncated.txt'));
    expect(only(findings, 'stale-chain')).toEqual([]);
    expect(only(findings, 'empty-chain')).toEqual([]);
  });
});

describe('probability ladders', () => {
  it('a ladder whose last step has a probability leaves a remainder: error', () => {
    const text = readFixture('k8s-1.28-etp-local-docker.save').replace(
      LAST_STEP,
      LAST_STEP.replace(' -j ', ' -m statistic --mode random --probability 0.50000000000 -j '),
    );
    const f = only(checkText(text), 'ladder-remainder');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      severity: 'error',
      location: { service: 'default/web:http', chain: 'KUBE-SVC-CDGGSHYLG3RE2FKL', ruleNumber: 2 },
    });
    // 1/3 + 2/3·1/2 + 1/3·1/2 = 5/6 balanced, 1/6 left.
    expect(f[0].message).toContain(
      'add up to 83.3%, so 16.7% of new connections match no endpoint',
    );
  });

  it('a step after the unconditional one can never be taken', () => {
    const text = readFixture('k8s-1.28-etp-local-docker.save').replace(
      LAST_STEP,
      `${LAST_STEP}\n-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.2.99:8080" -j KUBE-SEP-AFD2WHVCSJFKX6F3`,
    );
    const f = only(checkText(text), 'ladder-unreachable');
    expect(f).toHaveLength(1);
    expect(f[0].location).toMatchObject({ chain: 'KUBE-SVC-CDGGSHYLG3RE2FKL', ruleNumber: 5 });
  });
});

describe('observed shares', () => {
  it('flags the skewed endpoint of nginx-svc (600/200/200 where 1/3 each is expected)', () => {
    const f = only(checkFixture('k8s-1.20-nginx-svc-classic.counters.save'), 'endpoint-share-off');
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0].message).toBe(
      'default/nginx-svc: endpoint 10.244.1.2:80 got 60.0% of the new connections balanced by KUBE-SVC-HL5LMXD5JFHQZ6LN (600 packets), expected 33.3%',
    );
    expect(f[0].explanation[0]).toMatch(
      /^chi-square goodness of fit over 1000 balanced connections/,
    );
  });

  it('stays quiet when the counters fit (calico web: 334/331/335)', () => {
    expect(
      only(checkFixture('k8s-1.28-etp-local-calico.counters.save'), 'endpoint-share-off'),
    ).toEqual([]);
  });
});

describe('mixed iptables', () => {
  it('the legacy-tables warning line', () => {
    const f = only(
      checkText(readFixture('pasted/classic-nat.legacy-warning.txt')),
      'mixed-iptables-backends',
    );
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0].location.line).toBe(1);
  });

  it('garbled DNAT and [unsupported revision], at their rules, once each', () => {
    const findings = checkText(readFixture('pasted/classic-nat.garbled-dnat.txt'));
    expect(only(findings, 'garbled-nat').map((f) => f.location.chain)).toEqual([
      'KUBE-SEP-SADCJIHRQW7RJ62U',
    ]);
    expect(only(findings, 'unsupported-revision').map((f) => f.location.chain)).toEqual([
      'KUBE-SEP-7TVAFMCK4WGEPG3E',
    ]);
  });
});

describe('other families', () => {
  it('a jump to an undeclared chain is an error at its rule', () => {
    const text = readFixture('k8s-1.28-etp-local-docker.save').replace(
      '-A KUBE-SERVICES -d 10.96.100.3/32',
      '-A KUBE-SERVICES -d 10.96.100.4/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA\n-A KUBE-SERVICES -d 10.96.100.3/32',
    );
    const f = only(checkText(text), 'undeclared-chain');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      severity: 'error',
      location: { table: 'nat', chain: 'KUBE-SERVICES' },
    });
    expect(f[0].message).toContain('KUBE-SVC-AAAAAAAAAAAAAAAA');
  });

  it('large-cluster mode is a note', () => {
    const findings = checkFixture('k8s-1.28-large-cluster-no-comments.save');
    expect(codes(findings)).toEqual(['large-cluster-mode']);
  });

  it('internalTrafficPolicy=Local without local endpoints', () => {
    const f = only(checkFixture('k8s-1.28-etp-local-calico.save'), 'internal-no-local-endpoints');
    expect(f.map((x) => x.location.service)).toEqual(['default/itp-remote:http']);
  });

  it('≤1.23 KUBE-XLB "has no local endpoints" -j KUBE-MARK-DROP counts as external', () => {
    const f = only(checkFixture('k8s-1.23-kindnet.save'), 'external-no-local-endpoints');
    expect(f.map((x) => `${x.location.service} ${x.location.chain}`)).toEqual([
      'default/remote-only:http KUBE-XLB-VE3OYBCQIBRZLXQT',
    ]);
  });

  it('sorts errors first, then by line', () => {
    const findings = checkFixture('k8s-1.28-etp-local-calico.save');
    const ranks = findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});
