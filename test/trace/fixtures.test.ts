/**
 * The tracer on the project's fixtures (real iptables-save output of generated clusters): the
 * acceptance cases of issue 5 and the kernel behaviours of reference §13.1.
 */
import { describe, expect, it } from 'vitest';
import { STATISTIC_SCALE } from '../../src/model/matches.js';
import { tracePacket } from '../../src/trace/index.js';
import { loadFixture } from '../helpers.js';
import { dest, packet, summary, trace } from './helpers.js';

const classic = loadFixture('k8s-1.20-nginx-svc-classic.save');
const calico = loadFixture('k8s-1.28-etp-local-calico.save');
const svl = loadFixture('k8s-1.24-ext-svl.save');

describe('the classic nginx-svc fixture (default/nginx-svc 10.102.170.205:80)', () => {
  const q1 = 715827883 / STATISTIC_SCALE; // 0.33333333349 as the kernel stores it
  const q2 = 1073741824 / STATISTIC_SCALE; // 0.5

  it('from a pod: three DNAT outcomes of 1/3 each (exact kernel products), not masqueraded', () => {
    const r = trace(classic, packet('pod', '10.244.1.9', '10.102.170.205', 80));
    expect(r.outcomes.map(dest)).toEqual(['10.244.1.2:80', '10.244.1.3:80', '10.244.2.4:80']);
    expect(r.outcomes.map((o) => o.verdict)).toEqual(['DNAT', 'DNAT', 'DNAT']);
    expect(r.outcomes[0].probability).toBe(q1);
    expect(r.outcomes[1].probability).toBe((1 - q1) * q2);
    expect(r.outcomes[2].probability).toBe((1 - q1) * (1 - q2));
    expect(r.outcomes.every((o) => !o.masquerade && !o.markedForMasquerade)).toBe(true);
    expect(r.outcomes.every((o) => o.delivery === 'forwarded')).toBe(true);
    expect(r.outcomes[0].decidingStep).toMatchObject({
      table: 'nat',
      chain: 'KUBE-SEP-SADCJIHRQW7RJ62U',
      ruleNumber: 2,
      target: 'DNAT 10.244.1.2:80',
    });
  });

  it('from the node: the same three outcomes, all masqueraded', () => {
    const r = trace(classic, packet('node', '192.168.1.11', '10.102.170.205', 80), {
      nodeAddresses: ['192.168.1.11'],
    });
    expect(summary(r)).toEqual([
      'DNAT 10.244.1.2:80 masq 0.333333',
      'DNAT 10.244.1.3:80 masq 0.333333',
      'DNAT 10.244.2.4:80 masq 0.333333',
    ]);
    // MASQUERADE picks the address of the interface the flow leaves by.
    expect(r.outcomes.map((o) => o.snatSource)).toEqual([
      '10.244.1.1',
      '10.244.1.1',
      '192.168.1.11',
    ]);
    expect(r.outcomes[0].path.map((s) => `${s.table} ${s.chain}`)).toContain(
      'nat KUBE-POSTROUTING',
    );
  });

  it('hairpin: a pod calling its own service is masqueraded only on the flows that land on itself', () => {
    const r = trace(classic, packet('pod', '10.244.1.2', '10.102.170.205', 80));
    expect(summary(r)).toEqual([
      'DNAT 10.244.1.2:80 masq 0.333333',
      'DNAT 10.244.1.3:80 no-masq 0.333333',
      'DNAT 10.244.2.4:80 no-masq 0.333333',
    ]);
    expect(r.outcomes[0].snatSource).toBe('10.244.1.1');
    expect(r.outcomes[0].notes.join(' ')).toContain('hairpin mode');
  });

  it('NodePort from outside: DNAT and masquerade (eTP=Cluster)', () => {
    const r = trace(classic, packet('external', '198.51.100.7', '192.168.1.11', 32080), {
      nodeAddresses: ['192.168.1.11'],
    });
    expect(r.outcomes.map((o) => `${o.verdict} ${dest(o)} ${o.masquerade}`)).toEqual([
      'DNAT 10.244.1.2:80 true',
      'DNAT 10.244.1.3:80 true',
      'DNAT 10.244.2.4:80 true',
    ]);
  });

  it('the probabilities of a trace add up to 1', () => {
    const r = trace(classic, packet('pod', '10.244.1.9', '10.96.0.10', 53, { protocol: 'udp' }));
    expect(r.outcomes.reduce((a, o) => a + o.probability, 0)).toBeCloseTo(1, 12);
    expect(r.outcomes.map(dest)).toEqual(['10.244.0.2:53', '10.244.0.3:53']);
  });

  it('a protocol the service does not serve is not DNATed (and flannel masquerades it out)', () => {
    const r = trace(
      classic,
      packet('pod', '10.244.1.9', '10.102.170.205', 80, { protocol: 'udp' }),
    );
    expect(summary(r)).toEqual(['ACCEPT 10.102.170.205:80 masq 1.000000']);
    expect(r.outcomes[0].path.at(-1)).toMatchObject({
      chain: 'FLANNEL-POSTRTG',
      target: 'MASQUERADE --random-fully',
    });
  });
});

describe('no endpoints and eTP=Local without local endpoints (1.28 calico fixture)', () => {
  it('a service without endpoints: REJECT, naming the filter rule', () => {
    const r = trace(calico, packet('node', '192.168.1.11', '10.96.45.67', 80), {
      nodeAddresses: ['192.168.1.11'],
    });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'REJECT', destination: null, probability: 1 });
    expect(r.outcomes[0].decidingStep).toMatchObject({
      table: 'filter',
      chain: 'KUBE-SERVICES',
      comment: 'default/orphan:http has no endpoints',
      target: 'REJECT icmp-port-unreachable',
    });
  });

  it('from a Calico pod too (its workload interface is inferred from the rules)', () => {
    const r = tracePacket(calico, { destination: '10.96.45.67', destinationPort: 80 });
    expect(r.packet.inInterface).toMatch(/^cali[0-9a-f]+$/);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'REJECT' });
  });

  it('an eTP=Local NodePort on a node without a local endpoint: DROP, naming its rule', () => {
    const r = trace(calico, packet('external', '198.51.100.7', '192.168.1.11', 30090), {
      nodeAddresses: ['192.168.1.11'],
    });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0].verdict).toBe('DROP');
    expect(r.outcomes[0].decidingStep).toMatchObject({
      table: 'filter',
      chain: 'KUBE-EXTERNAL-SERVICES',
      comment: 'default/edge-np:http has no local endpoints',
    });
    // The packet went into KUBE-EXT, fell off its end un-DNATed (§13 rule 2), then met filter.
    expect(r.outcomes[0].path.some((s) => s.target.startsWith('KUBE-EXT-'))).toBe(true);
    expect(r.outcomes[0].path.some((s) => s.target.startsWith('DNAT'))).toBe(false);
  });
});

describe('reference §13.1, as the kernel does it', () => {
  it('DNAT to a node-local address from outside goes to INPUT: marked, but not masqueraded', () => {
    // default/kubernetes on a control-plane node: its endpoint 192.168.1.10 is this node.
    const r = trace(calico, packet('external', '198.51.100.7', '10.96.0.1', 443), {
      nodeAddresses: ['192.168.1.10'],
    });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({
      verdict: 'DNAT',
      masquerade: false,
      markedForMasquerade: true,
      delivery: 'local',
    });
    expect(dest(r.outcomes[0])).toBe('192.168.1.10:6443');
    expect(r.outcomes[0].path.some((s) => s.hook === 'POSTROUTING')).toBe(false);
    expect(r.outcomes[0].notes.join(' ')).toContain('POSTROUTING never runs');
  });

  it('the same flow to a control-plane IP that is not local is forwarded and masqueraded', () => {
    const r = trace(calico, packet('external', '198.51.100.7', '10.96.0.1', 443), {
      nodeAddresses: ['192.168.1.11'],
    });
    expect(r.outcomes[0]).toMatchObject({
      verdict: 'DNAT',
      masquerade: true,
      delivery: 'forwarded',
    });
  });

  it('node to a ClusterIP whose endpoint is the node: out of lo, masqueraded to its own address', () => {
    const r = trace(calico, packet('node', '192.168.1.10', '10.96.0.1', 443), {
      nodeAddresses: ['192.168.1.10'],
    });
    expect(r.outcomes[0]).toMatchObject({
      verdict: 'DNAT',
      masquerade: true,
      snatSource: '192.168.1.10',
      delivery: 'local',
    });
    expect(r.outcomes[0].notes.join(' ')).toContain('no visible change');
  });

  it('legacy KUBE-FW + KUBE-MARK-DROP: the verdict depends on whether the LB IP is local', () => {
    // 1.24 fixture, default/fw-lb: LB 198.51.100.30, sourceRanges 203.0.113.0/25.
    const blocked = packet('external', '192.0.2.99', '198.51.100.30', 443);
    const announced = trace(svl, blocked, { nodeAddresses: ['10.0.0.11'] });
    expect(announced.outcomes.map((o) => `${o.verdict} ${dest(o)}`)).toEqual([
      'ACCEPT 198.51.100.30:443',
    ]);
    const assigned = trace(svl, blocked, { nodeAddresses: ['10.0.0.11', '198.51.100.30'] });
    expect(assigned.outcomes[0].verdict).toBe('DROP');
    expect(assigned.outcomes[0].decidingStep).toMatchObject({
      chain: 'KUBE-FIREWALL',
      comment: 'kubernetes firewall for dropping marked packets',
    });
    const allowed = trace(svl, packet('external', '203.0.113.9', '198.51.100.30', 443), {
      nodeAddresses: ['10.0.0.11'],
    });
    expect(allowed.outcomes.every((o) => o.verdict === 'DNAT' && o.masquerade)).toBe(true);
  });

  it('Docker chains in FORWARD are evaluated fully, before and after kube-proxy jumps', () => {
    const docker = loadFixture('k8s-1.28-etp-local-docker.save');
    const r = trace(docker, packet('pod', '10.244.1.9', '10.96.100.2', 80));
    const chains = new Set(r.outcomes[0].path.map((s) => s.chain));
    expect(chains.has('DOCKER-USER')).toBe(true);
    expect(chains.has('DOCKER-ISOLATION-STAGE-1')).toBe(true);
  });
});

describe('session affinity (1.24 fixture, default/affinity:http)', () => {
  it('a new client is balanced; a returning one (--affinity-hit) goes to its endpoint', () => {
    const fresh = trace(svl, packet('pod', '10.244.1.77', '10.96.10.16', 80));
    expect(fresh.outcomes.map(dest)).toEqual(['10.244.1.29:8080', '10.244.2.29:8080']);
    expect(fresh.assumptions.join('\n')).toContain('a new client');
    const back = trace(svl, packet('pod', '10.244.1.77', '10.96.10.16', 80), {
      affinityHit: '10.244.2.29:8080',
    });
    expect(summary(back)).toEqual(['DNAT 10.244.2.29:8080 no-masq 1.000000']);
  });
});

describe('assumptions are listed, never silent', () => {
  it('states the node addresses it inferred and their evidence', () => {
    const r = trace(classic, packet('pod', '10.244.1.9', '10.102.170.205', 80));
    const text = r.assumptions.join('\n');
    expect(text).toContain('10.244.1.1');
    expect(text).toContain('FLANNEL-POSTRTG');
    expect(r.facts.find((f) => f.name === 'node-addresses')?.source).toBe('inferred');
  });

  it('treats an unknown destination address as the node and says so', () => {
    const r = tracePacket(classic, { destination: '192.168.1.11', destinationPort: 32080 });
    expect(r.packet.origin).toBe('external');
    expect(r.assumptions.join('\n')).toContain(
      '192.168.1.11 is assumed to be an address of this node',
    );
    expect(r.outcomes).toHaveLength(3);
  });
});
