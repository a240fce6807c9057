/**
 * netfilter semantics the engine must follow, each on a small ruleset written the way
 * iptables-save prints it: first match, calls/returns/goto, policies, marks, negations, hooks.
 */
import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';
import { tracePacket } from '../../src/trace/index.js';
import { dest, dump, packet, summary, trace } from './helpers.js';

const NODE = { nodeAddresses: ['192.168.1.10'], podCidrs: ['10.244.1.0/24'], podInterface: 'cni0' };
const fromPod = packet('pod', '10.244.1.5', '10.96.0.10', 80);

describe('chains', () => {
  it('first match wins; a user chain returns to the next rule of its caller', () => {
    const rs = dump({
      filter: [
        '-A FORWARD -j CHECK',
        '-A FORWARD -d 10.96.0.10/32 -j REJECT --reject-with icmp-port-unreachable',
        '-A FORWARD -j DROP',
        '-A CHECK -p udp -j DROP',
      ],
    });
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'REJECT' });
    expect(r.outcomes[0].decidingStep).toMatchObject({ chain: 'FORWARD', ruleNumber: 2 });
  });

  it('RETURN leaves a chain early; RETURN in a built-in chain applies its policy', () => {
    const rs = dump(
      {
        filter: [
          '-A FORWARD -j A',
          '-A FORWARD -j RETURN',
          '-A FORWARD -j ACCEPT',
          '-A A -j RETURN',
          '-A A -j ACCEPT',
        ],
      },
      { 'filter/FORWARD': 'DROP' },
    );
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0].verdict).toBe('DROP');
    expect(r.outcomes[0].decidingStep).toMatchObject({
      kind: 'policy',
      chain: 'FORWARD',
      target: 'policy DROP',
    });
  });

  it('-g goto: the callee returns to the caller of the chain that jumped', () => {
    const rs = dump({
      filter: [
        '-A FORWARD -j OUTER',
        '-A FORWARD -j DROP',
        '-A OUTER -g INNER',
        '-A OUTER -j ACCEPT',
        '-A INNER -j RETURN',
      ],
    });
    const r = trace(rs, fromPod, NODE);
    // INNER returns straight to FORWARD (not to OUTER's ACCEPT), whose next rule drops.
    expect(r.outcomes[0]).toMatchObject({ verdict: 'DROP' });
    expect(r.outcomes[0].decidingStep).toMatchObject({ chain: 'FORWARD', ruleNumber: 2 });
  });

  it('a jump to a chain the dump lacks is an assumption, and a loop of chains is bounded', () => {
    const rs = parseText(
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:LOOP - [0:0]\n' +
        '-A FORWARD -j MISSING\n-A FORWARD -j LOOP\n-A LOOP -j LOOP\nCOMMIT\n',
    );
    expect(rs.problems.map((p) => p.code)).toContain('undeclared-chain');
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0].verdict).toBe('ACCEPT');
    expect(r.assumptions.join('\n')).toMatch(/MISSING, which the dump does not contain/);
    expect(r.assumptions.join('\n')).toMatch(/nest deeper than/);
  });
});

describe('matches', () => {
  it('negations of address, interface and protocol', () => {
    const rs = dump({
      filter: [
        '-A FORWARD ! -s 10.244.0.0/16 -j DROP',
        '-A FORWARD ! -i cni0 -j DROP',
        '-A FORWARD ! -p tcp -j DROP',
        '-A FORWARD -i cni+ -o eth+ -j ACCEPT',
      ],
    });
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0].decidingStep).toMatchObject({
      ruleNumber: 4,
      matched: ['-i cni+', '-o eth+'],
    });
  });

  it('multiport lists and port ranges', () => {
    const rs = dump({
      filter: [
        '-A FORWARD -p tcp -m multiport --dports 22,443 -j DROP',
        '-A FORWARD -p tcp -m tcp --dport 70:90 -j REJECT --reject-with tcp-reset',
      ],
    });
    expect(trace(rs, fromPod, NODE).outcomes[0]).toMatchObject({ verdict: 'REJECT' });
    const r443 = trace(rs, packet('pod', '10.244.1.5', '10.96.0.10', 443), NODE);
    expect(r443.outcomes[0]).toMatchObject({ verdict: 'DROP' });
    const r91 = trace(rs, packet('pod', '10.244.1.5', '10.96.0.10', 91), NODE);
    expect(r91.outcomes[0]).toMatchObject({ verdict: 'ACCEPT' });
  });

  it('marks set and tested along the way', () => {
    const rs = dump({
      nat: ['-A PREROUTING -j MARK --set-xmark 0x4000/0x4000'],
      filter: ['-A FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT', '-A FORWARD -j DROP'],
    });
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'ACCEPT', markedForMasquerade: true });
  });

  it('addrtype LOCAL follows the node addresses given', () => {
    const rs = dump({ filter: ['-A INPUT -m addrtype --dst-type LOCAL -j DROP'] });
    const r = trace(
      rs,
      packet('external', '198.51.100.1', '192.168.1.10', 22, { inInterface: 'eth0' }),
      NODE,
    );
    expect(r.outcomes[0]).toMatchObject({ verdict: 'DROP', delivery: 'none' });
  });

  it('conntrack: the first packet is NEW, and DNAT once nat changed its destination', () => {
    const rs = dump({
      nat: ['-A OUTPUT -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 127.0.0.1:8080'],
      filter: [
        '-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j DROP',
        '-A OUTPUT -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
        '-A OUTPUT -m state --state NEW -j ACCEPT',
      ],
    });
    const r = trace(rs, packet('node', '192.168.1.10', '10.96.0.10', 80), NODE);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'DNAT' });
    expect(r.outcomes[0].path.find((s) => s.table === 'filter')).toMatchObject({ ruleNumber: 3 });
  });

  it('statistic random branches with the kernel probability; nth too, as a stated share', () => {
    const rs = dump({
      nat: [
        '-A PREROUTING -m statistic --mode random --probability 0.25000000000 -j DNAT --to-destination 10.244.2.1:80',
        '-A PREROUTING -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.244.2.2:80',
        '-A PREROUTING -j DNAT --to-destination 10.244.2.3:80',
      ],
    });
    const r = trace(rs, fromPod, NODE);
    expect(summary(r)).toEqual([
      'DNAT 10.244.2.3:80 no-masq 0.500000',
      'DNAT 10.244.2.1:80 no-masq 0.250000',
      'DNAT 10.244.2.2:80 no-masq 0.250000',
    ]);
    expect(r.assumptions.join('\n')).toContain('statistic nth (every 3)');
    expect(r.tree.branch?.arms.map((a) => a.conditionalProbability)).toEqual([0.25, 0.75]);
  });

  it('branches that end alike are merged and their probabilities added', () => {
    const rs = dump({
      nat: [
        '-A PREROUTING -m statistic --mode random --probability 0.50000000000 -j SEP',
        '-A PREROUTING -j SEP',
        '-A SEP -j DNAT --to-destination 10.244.2.1:80',
      ],
    });
    const r = trace(rs, fromPod, NODE);
    expect(summary(r)).toEqual(['DNAT 10.244.2.1:80 no-masq 1.000000']);
    expect(r.tree.branch).not.toBeNull();
  });

  it('ipset members are not in a dump: assumed absent unless given', () => {
    const rs = dump({ filter: ['-A FORWARD -m set --match-set BLOCKED src -j DROP'] });
    const absent = trace(rs, fromPod, NODE);
    expect(absent.outcomes[0].verdict).toBe('ACCEPT');
    expect(absent.assumptions.join('\n')).toContain('ipset BLOCKED: members are not in the dump');
    const member = trace(rs, fromPod, {
      ...NODE,
      ipsetMembers: new Map([['BLOCKED', ['10.244.1.0/24']]]),
    });
    expect(member.outcomes[0].verdict).toBe('DROP');
  });

  it('an unknown match is an assumption (match by default, or not with unknownMatch)', () => {
    const rs = dump({ filter: ['-A FORWARD -m owner --uid-owner 0 -j DROP'] });
    const r = trace(rs, fromPod, NODE);
    expect(r.outcomes[0].verdict).toBe('DROP');
    expect(r.assumptions.join('\n')).toMatch(/-m owner --uid-owner 0 cannot be evaluated/);
    expect(trace(rs, fromPod, { ...NODE, unknownMatch: 'no-match' }).outcomes[0].verdict).toBe(
      'ACCEPT',
    );
  });

  it('physdev: pod packets come in through a bridge port', () => {
    const rs = dump({ filter: ['-A FORWARD -m physdev --physdev-is-in -j DROP'] });
    expect(trace(rs, fromPod, NODE).outcomes[0].verdict).toBe('DROP');
    const ext = packet('external', '198.51.100.1', '10.96.0.10', 80);
    expect(trace(rs, ext, NODE).outcomes[0].verdict).toBe('ACCEPT');
  });

  it('recent: a new client has no entry; --affinity-hit names the endpoint it has one for', () => {
    const rs = dump({
      nat: [
        '-A PREROUTING -m recent --rcheck --seconds 10800 --reap --name SEP-B --mask 255.255.255.255 --rsource -j SEP-B',
        '-A PREROUTING -j SEP-A',
        '-A SEP-A -p tcp -m recent --set --name SEP-A --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.2.1:80',
        '-A SEP-B -p tcp -m recent --set --name SEP-B --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.2.2:80',
      ],
    });
    expect(trace(rs, fromPod, NODE).outcomes.map(dest)).toEqual(['10.244.2.1:80']);
    const back = trace(rs, fromPod, { ...NODE, affinityHit: '10.244.2.2' });
    expect(back.outcomes.map(dest)).toEqual(['10.244.2.2:80']);
  });

  it('comments never decide anything', () => {
    const rs = dump({ filter: ['-A FORWARD -m comment --comment "DROP everything" -j ACCEPT'] });
    expect(trace(rs, fromPod, NODE).outcomes[0]).toMatchObject({ verdict: 'ACCEPT' });
  });
});

describe('hooks', () => {
  it('-o in filter OUTPUT sees the route to the original destination; POSTROUTING the new one', () => {
    const rs = dump({
      nat: [
        '-A OUTPUT -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 10.244.1.7:80',
        '-A POSTROUTING -o cni0 -j MASQUERADE',
      ],
      filter: ['-A OUTPUT -o cni0 -j DROP'],
    });
    const r = trace(rs, packet('node', '192.168.1.10', '10.96.0.10', 80), NODE);
    expect(r.outcomes[0]).toMatchObject({
      verdict: 'DNAT',
      masquerade: true,
      snatSource: '10.244.1.1',
    });
  });

  it('raw NOTRACK: no conntrack, so no NAT at all', () => {
    const rs = dump({
      raw: ['-A PREROUTING -d 10.96.0.10/32 -j CT --notrack'],
      nat: ['-A PREROUTING -j DNAT --to-destination 10.244.2.1:80'],
    });
    expect(summary(trace(rs, fromPod, NODE))).toEqual(['ACCEPT 10.96.0.10:80 no-masq 1.000000']);
  });

  it('a packet to the node goes PREROUTING → INPUT; nat INPUT can SNAT it', () => {
    const rs = dump({
      nat: ['-A INPUT -j SNAT --to-source 10.0.0.1'],
      filter: ['-A FORWARD -j DROP'],
    });
    const r = trace(rs, packet('external', '198.51.100.1', '192.168.1.10', 22), NODE);
    expect(r.outcomes[0]).toMatchObject({
      verdict: 'ACCEPT',
      delivery: 'local',
      snatSource: '10.0.0.1',
    });
  });

  it('LOG and MARK do not end a chain; DROP in mangle does', () => {
    const rs = dump({
      mangle: [
        '-A PREROUTING -j LOG --log-prefix "seen: "',
        '-A PREROUTING -p tcp --dport 80 -j DROP',
      ],
    });
    expect(trace(rs, fromPod, NODE).outcomes[0]).toMatchObject({ verdict: 'DROP' });
  });

  it('does not crash on an empty dump', () => {
    const r = trace(dump({}), fromPod, NODE);
    expect(summary(r)).toEqual(['ACCEPT 10.96.0.10:80 no-masq 1.000000']);
    expect(r.assumptions.join('\n')).toContain('no nat table');
  });
});

describe('packet defaults', () => {
  it('a default pod source that turns out to be an endpoint is replaced (no accidental hairpin)', () => {
    const rs = dump({
      nat: ['-A PREROUTING -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 10.244.1.250:80'],
    });
    const r = tracePacket(rs, { destination: '10.96.0.10', destinationPort: 80 }, NODE);
    expect(r.packet.origin).toBe('pod');
    expect(r.packet.source).toBe('10.244.1.249');
    expect(r.outcomes.map(dest)).toEqual(['10.244.1.250:80']);
  });
});
