import { describe, expect, it } from 'vitest';
import { ChainExits } from '../../src/check/chain-exit.js';
import { checkShadowing } from '../../src/check/shadowing.js';
import { parseText } from '../helpers.js';
import { checkFixture, checkText, only } from './check.js';
import { editFixture } from './dump.js';

describe('shadowed rules on a real-looking node', () => {
  // An admin allowed SSH for everyone at the top of INPUT, then meant to block the pod network.
  const text = editFixture('k8s-1.28-etp-local-docker.save', 'filter', {
    insert: ['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT'],
    append: ['-A INPUT -s 10.244.0.0/16 -p tcp -m tcp --dport 22 -j DROP'],
  });

  it('reports the later rule with the proof', () => {
    const shadowed = only(checkText(text), 'rule-shadowed');
    expect(shadowed).toHaveLength(1);
    const f = shadowed[0];
    expect(f.location).toMatchObject({ table: 'filter', chain: 'INPUT' });
    expect(f.rules.map((r) => r.index)).toEqual([f.location.ruleNumber, 1]);
    expect(f.explanation.join('\n')).toContain('"--dport 22" holds: the rule has "--dport 22"');
    expect(f.explanation.join('\n')).toContain('ACCEPT ends the packet');
    // The earlier rule does not test -s at all, so no reason is given for it.
    expect(f.explanation.join('\n')).not.toContain('-s 10.244.0.0/16" holds');
  });

  it('an exact copy is a duplicate, and says that it can never match', () => {
    const twice = editFixture('k8s-1.28-etp-local-docker.save', 'nat', {
      append: [
        '-A KUBE-SERVICES -d 10.96.100.3/32 -p tcp -m comment --comment "default/redis:redis cluster IP" -m tcp --dport 6379 -j KUBE-SVC-GDFSTJAUHP7KZZTP',
      ],
    });
    const findings = checkText(twice);
    const dup = only(findings, 'rule-duplicate');
    expect(dup).toHaveLength(1);
    expect(dup[0].message).toMatch(
      /^nat KUBE-SERVICES rule \d+ repeats rule \d+ \(line \d+\) exactly$/,
    );
    // KUBE-SVC-GDFSTJAUHP7KZZTP ends in an unconditional jump to a SEP that DNATs every tcp packet.
    expect(dup[0].explanation.join('\n')).toContain('can never match');
    expect(only(findings, 'rule-shadowed')).toEqual([]);
  });
});

function chainRules(lines: string[]): string {
  return `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n${lines.join('\n')}\nCOMMIT\n`;
}

describe('what takes a packet out of a chain for good', () => {
  it('a jump to a chain that ends in an unconditional DROP does; one with RETURN does not', () => {
    const rs = parseText(
      chainRules([
        '-A INPUT -j A',
        '-A INPUT -j B',
        '-A A -p tcp -j ACCEPT',
        '-A A -j DROP',
        '-A B -s 10.0.0.0/8 -j RETURN',
        '-A B -j DROP',
      ]),
    );
    const exits = new ChainExits(rs);
    const [toA, toB] = rs.chain('filter', 'INPUT')?.rules ?? [];
    expect(exits.leaves(toA)).toBe(
      "A never returns: its rule 2 takes every such packet (DROP ends the packet's way through the table)",
    );
    expect(exits.leaves(toB)).toBeNull();
  });

  it('a chain that falls off its end returns (eTP=Local KUBE-EXT without local endpoints)', () => {
    const rs = parseText(chainRules(['-A INPUT -j A', '-A A -s 10.244.0.0/16 -j ACCEPT']));
    const exits = new ChainExits(rs);
    expect(exits.leaves(rs.chain('filter', 'INPUT')?.rules[0] ?? fail())).toBeNull();
  });

  it('a goto leaves for good even when its chain returns', () => {
    const rs = parseText(chainRules(['-A INPUT -g A', '-A INPUT -j DROP', '-A A -j RETURN']));
    const findings = checkShadowing(rs);
    expect(findings.map((f) => f.code)).toEqual(['rule-shadowed']);
    expect(findings[0].location.ruleNumber).toBe(2);
  });

  it('a mark set in between keeps mark tests apart', () => {
    const rs = parseText(
      chainRules([
        '-A INPUT -m mark --mark 0x1/0x1 -j ACCEPT',
        '-A INPUT -j MARK --set-xmark 0x1/0x1',
        '-A INPUT -m mark --mark 0x1/0x1 -j DROP',
        '-A FORWARD -m mark --mark 0x1/0x1 -j ACCEPT',
        '-A FORWARD -j C',
        '-A FORWARD -m mark --mark 0x1/0x1 -j DROP',
      ]),
    );
    // INPUT: MARK in between. FORWARD: the jump goes to an empty chain, which changes nothing.
    const findings = checkShadowing(rs);
    expect(findings.map((f) => `${f.location.chain}:${f.location.ruleNumber}`)).toEqual([
      'FORWARD:3',
    ]);
  });

  it('the same target makes a dead rule redundant (info), not shadowed', () => {
    const findings = checkFixture('k8s-1.23-kindnet.save');
    const redundant = only(findings, 'rule-redundant');
    // ingress-nginx's http and https ports share one health check node port.
    expect(redundant).toHaveLength(1);
    expect(redundant[0]).toMatchObject({
      severity: 'info',
      location: { chain: 'KUBE-NODEPORTS', ruleNumber: 2 },
    });
  });
});

describe('no false alarms on kube-proxy fixtures', () => {
  const clean = [
    'k8s-1.16-xlb-flannel.save',
    'k8s-1.20-nginx-svc-classic.save',
    'k8s-1.23-kindnet.save',
    'k8s-1.24-ext-svl.save',
    'k8s-1.28-etp-local-docker.save',
    'k8s-1.28-ipv6.save',
    'k8s-1.28-large-cluster-no-comments.save',
    'k8s-1.23-ipvs-leftovers.save',
  ];
  for (const name of clean) {
    it(`${name}: nothing shadowed and no duplicates`, () => {
      const findings = checkFixture(name);
      expect(only(findings, 'rule-shadowed')).toEqual([]);
      expect(only(findings, 'rule-duplicate')).toEqual([]);
    });
  }
});

function fail(): never {
  throw new Error('missing rule');
}
