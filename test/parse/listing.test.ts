import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/rule.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { readRuleset, type ReadOptions } from '../../src/parse/read.js';
import { readFixture } from '../helpers.js';

function read(text: string, options: Partial<ReadOptions> = {}): Ruleset {
  return readRuleset(text, { file: 'paste.txt', ...options });
}

function rule(rs: Ruleset, table: string, chain: string, index: number): Rule {
  const r = rs.chain(table, chain)?.rules[index - 1];
  if (r === undefined) throw new Error(`no rule ${table}/${chain}#${index}`);
  return r;
}

const NAT_NVXL = readFixture('listings/option-coverage.nft.nat.nvxL.txt');
const NAT_NVL = readFixture('listings/option-coverage.nft.nat.nvL.txt');
const NAT_LN = readFixture('listings/option-coverage.nft.nat.L-n.txt');
const NAT_L = readFixture('listings/option-coverage.nft.nat.L.txt');
const FILTER_NVXL = readFixture('listings/option-coverage.nft.filter.nvxL.txt');

describe('listing reader: structure', () => {
  it('reads chain headers, policies, references and exact counters of -nvxL', () => {
    const rs = read(NAT_NVXL);
    expect(rs.format).toBe('listing');
    expect(rs.hasCounters).toBe(true);
    const nat = rs.table('nat')!;
    expect(nat.nameSource).toBe('inferred');
    expect(nat.chain('PREROUTING')).toMatchObject({
      builtin: true,
      policy: 'ACCEPT',
      counters: { packets: 123999, bytes: 99999, exact: true },
      references: null,
    });
    expect(nat.chain('KUBE-MARK-MASQ')).toMatchObject({ policy: null, references: 4 });
    expect(rule(rs, 'nat', 'POSTROUTING', 1).counters).toEqual({
      packets: 3000000,
      bytes: 2000000000,
      exact: true,
    });
    expect(rs.losses).toEqual(['no-table-names']);
  });

  it('keeps K/M/G/T counters of -nvL as the range of values that print so', () => {
    const rs = read(NAT_NVL);
    expect(rs.losses).toContain('rounded-counters');
    // Saved as [123999:123499]: printed `124K  123K`.
    expect(rule(rs, 'nat', 'OUTPUT', 1).counters).toEqual({
      packets: 123500,
      bytes: 122500,
      exact: false,
      packetsUpper: 124500,
      bytesUpper: 123500,
    });
    // [99999:100500]: packets printed exactly, bytes as 101K.
    expect(rule(rs, 'nat', 'POSTROUTING', 2).counters).toMatchObject({
      packets: 99999,
      packetsUpper: 100000,
      bytes: 100500,
      bytesUpper: 101500,
      exact: false,
    });
    // The policy line: `(policy ACCEPT 9999K packets, 10M bytes)` for [9999499:9999500].
    const output = rs.chain('nat', 'OUTPUT')!.counters!;
    expect(output.exact).toBe(false);
    expect(9999499).toBeGreaterThanOrEqual(output.packets);
    expect(9999499).toBeLessThan(output.packetsUpper!);
    expect(9999500).toBeGreaterThanOrEqual(output.bytes);
    expect(9999500).toBeLessThan(output.bytesUpper!);
  });

  it('numbers rules from --line-numbers and reads rules without a target and [goto]', () => {
    const rs = read(readFixture('listings/option-coverage.nft.nat.nvxL-line-numbers.txt'));
    const fw = rs.chain('nat', 'KUBE-FW-AAAAAAAAAAAAAAAA')!;
    expect(fw.rules.map((r) => r.index)).toEqual([1, 2]);
    expect(fw.rules[1].target).toBeNull();
    expect(fw.rules[1].comment).toBe(
      'other traffic to default/web:http will be dropped by KUBE-PROXY-FIREWALL',
    );
    expect(rule(rs, 'nat', 'KUBE-EXT-AAAAAAAAAAAAAAAA', 4).target).toEqual({
      kind: 'chain',
      name: 'KUBE-SVC-AAAAAAAAAAAAAAAA',
      chain: 'KUBE-SVC-AAAAAAAAAAAAAAAA',
      goto: true,
      extra: [],
    });
  });

  it('normalises columns to what iptables-save prints', () => {
    const rs = read(NAT_NVXL);
    const masq = rule(rs, 'nat', 'KUBE-SERVICES', 1);
    expect(masq.protocol).toEqual({ negated: false, name: 'tcp' }); // printed `6`
    expect(masq.source).toMatchObject({ negated: true, text: '10.244.0.0/16' });
    expect(masq.destination).toMatchObject({ negated: false, text: '10.96.0.10/32' });
    expect(rule(rs, 'nat', 'PREROUTING', 1).source).toBeNull(); // 0.0.0.0/0
    const snat = rule(rs, 'nat', 'POSTROUTING', 3);
    expect(snat.outInterface).toEqual({ negated: false, name: 'eth0' });
    expect(snat.inInterface).toBeNull();
    expect(rule(rs, 'nat', 'POSTROUTING', 5).outInterface).toEqual({
      negated: true,
      name: 'docker0',
    });
    const filter = read(FILTER_NVXL);
    expect(rule(filter, 'filter', 'INPUT', 4).inInterface).toEqual({ negated: true, name: 'eth+' });
    expect(rule(filter, 'filter', 'INPUT', 7).fragment).toEqual({ negated: false });
    expect(rule(filter, 'filter', 'INPUT', 9).fragment).toEqual({ negated: true });
    expect(rule(filter, 'filter', 'INPUT', 12).protocol).toEqual({ negated: false, name: 'gre' });
    expect(rule(filter, 'filter', 'INPUT', 13).protocol).toEqual({ negated: true, name: 'tcp' });
  });

  it('types the option text into the same matches and targets as iptables-save', () => {
    const rs = read(NAT_NVXL);
    const sep = rule(rs, 'nat', 'KUBE-SEP-AAAAAAAAAAAAAAA1', 2);
    expect(sep.matches.map((m) => m.kind)).toEqual(['comment', 'recent', 'ports']);
    expect(sep.target).toMatchObject({
      kind: 'dnat',
      destinations: [{ addressFrom: '10.244.1.5', ports: { from: 8080, to: 8080 } }],
    });
    expect(rule(rs, 'nat', 'KUBE-SVC-AAAAAAAAAAAAAAAA', 3).matches[1]).toMatchObject({
      kind: 'statistic',
      probabilityText: '0.33333333349',
      kernelThreshold: 715827883,
    });
    expect(rule(rs, 'nat', 'KUBE-MARK-MASQ', 1).target).toMatchObject({
      kind: 'mark',
      value: 0x4000,
      mask: 0x4000,
    });
    expect(rule(rs, 'nat', 'KUBE-POSTROUTING', 2).target).toMatchObject({ value: 0x4000, mask: 0 });
    expect(rule(rs, 'nat', 'KUBE-POSTROUTING', 1).matches[0]).toMatchObject({
      kind: 'mark',
      negated: true,
    });
    expect(rule(rs, 'nat', 'KUBE-EXT-AAAAAAAAAAAAAAAA', 3).matches[0]).toMatchObject({
      kind: 'addrtype',
      sourceType: { negated: true, types: ['LOCAL'] },
    });
    expect(rule(rs, 'nat', 'KUBE-NODEPORTS', 2).matches).toContainEqual(
      expect.objectContaining({ kind: 'nfacct', name: 'localhost_nps_accepted_pkts' }),
    );
    expect(rule(rs, 'nat', 'KUBE-NODEPORTS', 9).matches[0]).toMatchObject({
      kind: 'set',
      setName: 'KUBE-CLUSTER-IP',
      flags: ['dst', 'dst'],
    });
  });

  it('reads ip6tables listings, with and without the opt column', () => {
    const text = readFixture('listings/option-coverage.nft.ip6.nat.nvxL.txt');
    const rs = read(text);
    expect(rs.family).toBe('ipv6');
    const r = rule(rs, 'nat', 'PREROUTING', 1);
    expect(r.destination?.text).toBe('fd00:10:96::a/128');
    expect(rule(rs, 'nat', 'PREROUTING', 2).destination).toMatchObject({
      negated: true,
      text: '::1/128',
    });
    expect(rule(rs, 'nat', 'KUBE-SEP-BBBBBBBBBBBBBBB1', 2).target).toMatchObject({
      kind: 'dnat',
      destinations: [{ text: '[fd00:10:244:1::5]:8080', addressFrom: 'fd00:10:244:1::5' }],
    });
    expect(rule(rs, 'nat', 'KUBE-SEP-BBBBBBBBBBBBBBB1', 3).protocol?.name).toBe('ipv6-icmp');
    // ip6tables before 1.8.9 printed nothing in the opt column.
    const old = text.replace(/^( *\d+ +\d+ +\S*? +\S+ +)-- /gm, '$1   ');
    expect(old).not.toEqual(text);
    const rsOld = read(old);
    expect(rsOld.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(
      JSON.stringify([...rsOld.rules()].map((x) => [x.target, x.matches, x.destination])),
    ).toBe(JSON.stringify([...rs.rules()].map((x) => [x.target, x.matches, x.destination])));
  });

  it('keeps names of -L without -n, resolves only well-known ports, marks the rest unknown', () => {
    const rs = read(NAT_L);
    expect(rs.losses).toEqual(
      expect.arrayContaining(['names-not-numeric', 'no-counters', 'no-interfaces']),
    );
    const svc = rule(rs, 'nat', 'KUBE-SERVICES', 2);
    expect(svc.source).toBeNull(); // anywhere
    expect(svc.matches[1]).toMatchObject({
      kind: 'ports',
      destinationPort: { text: 'http', range: { from: 80, to: 80 } },
    });
    // `! -d 127.0.0.0/8` as `!loopback/8` when /etc/networks names it: kept, not resolved.
    const named = read(
      'Chain KUBE-SERVICES (2 references)\n' +
        'target     prot opt source               destination         \n' +
        'KUBE-NODEPORTS  all  --  anywhere            !loopback/8           ADDRTYPE match dst-type LOCAL\n',
      { table: 'nat' },
    );
    const lo = rule(named, 'nat', 'KUBE-SERVICES', 1);
    expect(lo.destination).toMatchObject({ negated: true, text: 'loopback/8' });
    expect(lo.destination!.net).toBeNull();
    expect(lo.unknowns).toContain('address-names');

    const odd = read(
      'Chain KUBE-NODEPORTS (1 references)\n' +
        'target     prot opt source               destination         \n' +
        'KUBE-EXT-X  tcp  --  anywhere             anywhere             tcp dpt:my-app\n',
      { table: 'nat' },
    );
    const r = rule(odd, 'nat', 'KUBE-NODEPORTS', 1);
    expect(r.matches[0]).toMatchObject({ destinationPort: { text: 'my-app', range: null } });
    expect(r.unknowns).toContain('port-names');
  });

  it('marks counters and interfaces unknown in -L -n', () => {
    const rs = read(NAT_LN);
    for (const r of rs.rules()) {
      expect(r.counters).toBeNull();
      expect(r.unknowns).toEqual(expect.arrayContaining(['counters', 'interfaces', 'table']));
    }
    expect(rs.table('nat')!.chain('PREROUTING')!.counters).toBeNull();
  });
});

describe('listing reader: tables', () => {
  const natLines = NAT_NVXL.trimEnd();
  const filterLines = FILTER_NVXL.trimEnd();

  it('splits concatenated listings and infers each table', () => {
    const rs = read(`${natLines}\n\n${filterLines}\n`);
    expect(rs.tables.map((t) => [t.name, t.nameSource])).toEqual([
      ['nat', 'inferred'],
      ['filter', 'inferred'],
    ]);
    expect(rs.table('filter')!.chain('INPUT')!.rules.length).toBe(
      read(filterLines).table('filter')!.chain('INPUT')!.rules.length,
    );
    const guesses = rs.problems.filter((p) => p.code === 'format-guess');
    expect(guesses.map((p) => p.message).join('\n')).toMatch(/it is nat.*\n.*it is filter/);
  });

  it('takes tables from echoed commands, and --table in order', () => {
    const pasted = `root@node:~# iptables -t nat -nvxL\n${natLines}\nroot@node:~# iptables -nvxL\n${filterLines}\nroot@node:~# \n`;
    const rs = read(pasted);
    expect(rs.tables.map((t) => [t.name, t.nameSource])).toEqual([
      ['nat', 'declared'],
      ['filter', 'declared'],
    ]);
    expect(rs.losses).not.toContain('no-table-names');
    for (const r of rs.rules()) expect(r.unknowns ?? []).not.toContain('table');
    expect(rs.problems.filter((p) => p.severity !== 'info')).toEqual([
      expect.objectContaining({ code: 'skipped-line', line: pasted.split('\n').length - 1 }),
    ]);

    const given = read(`${natLines}\n${filterLines}\n`, { table: 'nat,filter' });
    expect(given.tables.map((t) => [t.name, t.nameSource])).toEqual([
      ['nat', 'option'],
      ['filter', 'option'],
    ]);
  });

  it('reads a one-chain listing as part of a table, without undeclared-chain errors', () => {
    const text = NAT_NVXL.split('\n\n').find((s) => s.startsWith('Chain KUBE-SVC-'))!;
    const rs = read(`$ iptables -t nat -nvxL KUBE-SVC-AAAAAAAAAAAAAAAA\n${text}\n`);
    expect(rs.table('nat')!.nameSource).toBe('declared');
    expect(rs.losses).toContain('partial-table');
    expect(rs.problems.filter((p) => p.code === 'undeclared-chain')).toEqual([]);
    expect(rs.ruleCount).toBe(6);
  });

  it('says when it cannot tell the table', () => {
    const rs = read(
      'Chain MY-CHAIN (1 references)\n' +
        ' pkts bytes target     prot opt in     out     source               destination\n' +
        '    0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22\n',
    );
    expect(rs.table('unknown')!.nameSource).toBe('unknown');
    expect(rs.problems).toContainEqual(
      expect.objectContaining({ severity: 'warning', code: 'format-guess' }),
    );
    expect(rule(rs, 'unknown', 'MY-CHAIN', 1).unknowns).toContain('table');
  });

  it('reports a listing cut short', () => {
    const cut = NAT_NVXL.slice(0, NAT_NVXL.indexOf('tcp to:10.244.1.5') + 6);
    const rs = read(cut);
    expect(rs.losses).toContain('truncated');
    const lastLine = cut.split('\n').length;
    expect(rs.problems).toContainEqual(expect.objectContaining({ line: lastLine }));
  });
});
