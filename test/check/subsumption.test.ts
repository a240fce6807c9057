import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers, matchesEverything } from '../../src/check/subsumption.js';
import { parseNet, netContains } from '../../src/model/ip.js';
import type { Rule } from '../../src/model/rule.js';
import { parseText } from '../helpers.js';

/** Rules of one chain, parsed from `-A X ...` lines (no counters). */
function rules(...lines: string[]): Rule[] {
  const decl = ':X - [0:0]';
  const text = `*filter\n:INPUT ACCEPT [0:0]\n${decl}\n${lines.map((l) => `-A X ${l}`).join('\n')}\nCOMMIT\n`;
  const rs = parseText(text);
  expect(rs.problems).toEqual([]);
  return rs.chain('filter', 'X')?.rules ?? [];
}

function coversText(earlier: string, later: string, stateStable = true): boolean {
  const [a, b] = rules(earlier, later);
  return covers(a, b, { stateStable }).covers;
}

describe('covers: conditions the later rule implies', () => {
  it('addresses: inside, negations, and disjoint ranges', () => {
    expect(coversText('-d 10.96.0.0/12 -j ACCEPT', '-d 10.96.0.10/32 -j DROP')).toBe(true);
    expect(coversText('-d 10.96.0.10/32 -j ACCEPT', '-d 10.96.0.0/12 -j DROP')).toBe(false);
    expect(coversText('! -s 10.244.0.0/16 -j ACCEPT', '-s 192.168.1.0/24 -j DROP')).toBe(true);
    expect(coversText('! -s 10.244.0.0/16 -j ACCEPT', '-s 10.244.1.5/32 -j DROP')).toBe(false);
    expect(coversText('! -s 10.244.1.0/24 -j ACCEPT', '! -s 10.244.0.0/16 -j DROP')).toBe(true);
    expect(coversText('-s 10.0.0.0/8 -j ACCEPT', '! -s 10.244.0.0/16 -j DROP')).toBe(false);
  });

  it('protocol and ports', () => {
    expect(
      coversText('-p tcp -m tcp --dport 1:1024 -j ACCEPT', '-p tcp -m tcp --dport 80 -j DROP'),
    ).toBe(true);
    expect(
      coversText('-p tcp -m tcp --dport 80 -j ACCEPT', '-p tcp -m tcp --dport 1:1024 -j DROP'),
    ).toBe(false);
    expect(
      coversText('-p tcp -m tcp --dport 80 -j ACCEPT', '-p udp -m udp --dport 80 -j DROP'),
    ).toBe(false);
    expect(coversText('-p tcp -j ACCEPT', '-j DROP')).toBe(false);
    expect(coversText('! -p udp -j ACCEPT', '-p tcp -j DROP')).toBe(true);
    expect(
      coversText(
        '-p tcp -m multiport --dports 80,443 -j ACCEPT',
        '-p tcp -m tcp --dport 443 -j DROP',
      ),
    ).toBe(true);
    expect(
      coversText(
        '-p tcp -m multiport --dports 80,443 -j ACCEPT',
        '-p tcp -m tcp --dport 8443 -j DROP',
      ),
    ).toBe(false);
  });

  it('interfaces with the + wildcard', () => {
    expect(coversText('-i cali+ -j ACCEPT', '-i cali123 -j DROP')).toBe(true);
    expect(coversText('-i cali123 -j ACCEPT', '-i cali+ -j DROP')).toBe(false);
    expect(coversText('! -i docker0 -j ACCEPT', '-i eth0 -j DROP')).toBe(true);
    expect(coversText('! -i veth+ -j ACCEPT', '-i vethab -j DROP')).toBe(false);
  });

  it('addrtype and conntrack sets', () => {
    expect(
      coversText(
        '-m addrtype --dst-type LOCAL -j ACCEPT',
        '-m addrtype --dst-type LOCAL -p tcp -j DROP',
      ),
    ).toBe(true);
    expect(
      coversText(
        '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-m conntrack --ctstate ESTABLISHED -j DROP',
      ),
    ).toBe(true);
    expect(
      coversText(
        '-m conntrack --ctstate NEW -j ACCEPT',
        '-m conntrack --ctstate ESTABLISHED -j DROP',
      ),
    ).toBe(false);
    expect(
      coversText(
        '-m conntrack ! --ctstate INVALID -j ACCEPT',
        '-m conntrack --ctstate NEW -j DROP',
      ),
    ).toBe(true);
  });

  it('state a rule in between may change is only compared when nothing changes it', () => {
    expect(
      coversText(
        '-m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-m mark --mark 0x4000/0x4000 -j DROP',
        true,
      ),
    ).toBe(true);
    expect(
      coversText(
        '-m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-m mark --mark 0x4000/0x4000 -j DROP',
        false,
      ),
    ).toBe(false);
    expect(
      coversText(
        '-m mark ! --mark 0x4000/0x4000 -j ACCEPT',
        '-m mark --mark 0x0/0x4000 -j DROP',
        true,
      ),
    ).toBe(true);
    expect(
      coversText(
        '-m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-m mark --mark 0x4000/0xffff -j DROP',
        true,
      ),
    ).toBe(true);
  });

  it('never claims what a statistic draw or a recent list decides', () => {
    expect(
      coversText(
        '-m statistic --mode random --probability 0.5 -j ACCEPT',
        '-m statistic --mode random --probability 0.5 -j DROP',
      ),
    ).toBe(false);
    expect(
      coversText(
        '-m recent --rcheck --seconds 10 --name X --mask 255.255.255.255 --rsource -j ACCEPT',
        '-m recent --rcheck --seconds 10 --name X --mask 255.255.255.255 --rsource -j DROP',
      ),
    ).toBe(false);
  });

  it('gives one reason per condition of the earlier rule', () => {
    const [a, b] = rules(
      '-d 10.96.0.0/12 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DROP',
    );
    const c = covers(a, b, { stateStable: true });
    expect(c.covers && c.reasons).toEqual([
      '"-p tcp" holds: the rule has "-p tcp"',
      '"-d 10.96.0.0/12" holds: the rule has "-d 10.96.0.10/32"',
      '"--dport 80" holds: the rule has "--dport 80"',
    ]);
  });

  it('knows a rule with only comments matches everything', () => {
    const [a, b] = rules('-m comment --comment "x" -j ACCEPT', '-p tcp -j ACCEPT');
    expect(matchesEverything(a)).toBe(true);
    expect(matchesEverything(b)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Soundness: whenever `covers` says yes, no packet matches the later rule but not the earlier.

interface Packet {
  protocol: 'tcp' | 'udp' | 'icmp';
  source: bigint;
  destination: bigint;
  dport: number;
  inInterface: string;
}

const NETS = [
  '10.0.0.0/8',
  '10.244.0.0/16',
  '10.244.1.0/24',
  '10.244.1.5/32',
  '192.168.0.0/16',
  '0.0.0.0/0',
];
const IFACES = ['eth0', 'eth+', 'cali+', 'cali1', 'veth7', '+'];
const PORTS = ['80', '443', '1:1024', '8000:9000'];

const condition = {
  protocol: fc.constantFrom(null, 'tcp', 'udp', '! tcp', '! udp'),
  source: fc.option(fc.tuple(fc.boolean(), fc.constantFrom(...NETS)), { nil: null }),
  destination: fc.option(fc.tuple(fc.boolean(), fc.constantFrom(...NETS)), { nil: null }),
  inInterface: fc.option(fc.tuple(fc.boolean(), fc.constantFrom(...IFACES)), { nil: null }),
  dport: fc.option(fc.tuple(fc.boolean(), fc.constantFrom(...PORTS)), { nil: null }),
};

type Spec = {
  protocol: string | null;
  source: [boolean, string] | null;
  destination: [boolean, string] | null;
  inInterface: [boolean, string] | null;
  dport: [boolean, string] | null;
};

function ruleText(s: Spec): string {
  const parts: string[] = [];
  if (s.source) parts.push(`${s.source[0] ? '! ' : ''}-s ${s.source[1]}`);
  if (s.destination) parts.push(`${s.destination[0] ? '! ' : ''}-d ${s.destination[1]}`);
  if (s.inInterface) parts.push(`${s.inInterface[0] ? '! ' : ''}-i ${s.inInterface[1]}`);
  // A port match needs a positive protocol.
  const proto = s.dport !== null ? 'tcp' : s.protocol;
  if (proto) parts.push(`${proto.startsWith('! ') ? '! -p ' + proto.slice(2) : '-p ' + proto}`);
  if (s.dport) parts.push(`-m tcp ${s.dport[0] ? '! ' : ''}--dport ${s.dport[1]}`);
  parts.push('-j ACCEPT');
  return parts.join(' ');
}

function ifaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function ruleMatches(s: Spec, p: Packet): boolean {
  const proto = s.dport !== null ? 'tcp' : s.protocol;
  if (proto !== null) {
    const neg = proto.startsWith('! ');
    const name = neg ? proto.slice(2) : proto;
    if ((p.protocol === name) === neg) return false;
  }
  const net = (t: [boolean, string], v: bigint): boolean => {
    const n = parseNet(t[1]);
    return n !== null && netContains(n, 4, v) !== t[0];
  };
  if (s.source && !net(s.source, p.source)) return false;
  if (s.destination && !net(s.destination, p.destination)) return false;
  if (s.inInterface && ifaceMatches(s.inInterface[1], p.inInterface) === s.inInterface[0])
    return false;
  if (s.dport) {
    const [from, to] = s.dport[1].split(':').map(Number);
    const inside = p.dport >= from && p.dport <= (to ?? from);
    if (inside === s.dport[0]) return false;
  }
  return true;
}

const ADDRESSES = ['10.244.1.5', '10.244.1.9', '10.244.7.1', '10.1.2.3', '192.168.3.4', '8.8.8.8'];
const packet = fc.record({
  protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const),
  source: fc.constantFrom(...ADDRESSES).map((a) => parseNet(a)?.address ?? 0n),
  destination: fc.constantFrom(...ADDRESSES).map((a) => parseNet(a)?.address ?? 0n),
  dport: fc.constantFrom(22, 80, 443, 1024, 1025, 8080, 9000, 9001),
  inInterface: fc.constantFrom('eth0', 'eth1', 'cali1', 'cali22', 'veth7', 'lo'),
});

describe('covers is sound', () => {
  it('never says yes when some packet matches the later rule and not the earlier one', () => {
    fc.assert(
      fc.property(
        fc.record(condition),
        fc.record(condition),
        fc.array(packet, { minLength: 30, maxLength: 30 }),
        (a, b, packets) => {
          const [ra, rb] = rules(ruleText(a), ruleText(b));
          if (!covers(ra, rb, { stateStable: true }).covers) return true;
          return packets.every((p) => !ruleMatches(b, p) || ruleMatches(a, p));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('says yes for a rule against its own narrowing (the property above is not vacuous)', () => {
    expect(
      coversText(
        '-s 10.0.0.0/8 -p tcp -j ACCEPT',
        '-s 10.244.1.0/24 -p tcp -m tcp --dport 80 -i eth0 -j DROP',
      ),
    ).toBe(true);
  });
});
