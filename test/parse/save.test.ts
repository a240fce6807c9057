import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';
import { printRule } from '../../src/render/save.js';
import type { Rule } from '../../src/model/rule.js';
import { SAMPLE_DUMP } from './sample.js';

const DUMP = SAMPLE_DUMP;

function ruleAt(text: string, line: number): Rule {
  const rs = parseText(text);
  for (const r of rs.rules()) if (r.line === line) return r;
  throw new Error(`no rule on line ${line}`);
}

describe('iptables-save reader', () => {
  it('reads tables, chains, policies and counters', () => {
    const rs = parseText(DUMP);
    expect(rs.problems).toEqual([]);
    expect(rs.tables.map((t) => t.name)).toEqual(['nat', 'filter']);
    expect(rs.generator).toMatchObject({
      tool: 'iptables-save',
      version: '1.8.9',
      backend: 'nf_tables',
    });
    expect(rs.hasCounters).toBe(true);
    const nat = rs.table('nat')!;
    expect(nat.committed).toBe(true);
    expect(nat.chain('PREROUTING')).toMatchObject({
      builtin: true,
      policy: 'ACCEPT',
      counters: { packets: 10, bytes: 600 },
    });
    expect(nat.chain('KUBE-SERVICES')).toMatchObject({ builtin: false, policy: null });
    expect(rs.table('filter')!.chain('FORWARD')!.policy).toBe('DROP');
    expect(rs.ruleCount).toBe(18);
  });

  it('types every field kube-proxy rules use', () => {
    const masq = ruleAt(DUMP, 21);
    expect(masq.source).toMatchObject({ negated: true, text: '10.244.0.0/16' });
    expect(masq.source!.net).toEqual({ family: 4, address: 0x0af40000n, prefix: 16 });
    expect(masq.destination!.text).toBe('10.102.170.205/32');
    expect(masq.protocol).toEqual({ negated: false, name: 'tcp' });
    expect(masq.comment).toBe('default/nginx-svc cluster IP');
    expect(masq.matches[1]).toMatchObject({
      kind: 'ports',
      module: 'tcp',
      destinationPort: { negated: false, range: { from: 80, to: 80 } },
    });
    expect(masq.target).toMatchObject({ kind: 'chain', chain: 'KUBE-MARK-MASQ', goto: false });
    expect(masq.counters).toEqual({ packets: 0, bytes: 0, exact: true });

    const stat = ruleAt(DUMP, 24);
    expect(stat.matches[1]).toMatchObject({
      kind: 'statistic',
      mode: 'random',
      probability: 0.5,
      kernelThreshold: 1073741824,
    });

    const mark = ruleAt(DUMP, 17);
    expect(mark.target).toMatchObject({ kind: 'mark', value: 0x4000, mask: 0x4000 });
    const notMarked = ruleAt(DUMP, 18);
    expect(notMarked.matches[0]).toMatchObject({
      kind: 'mark',
      negated: true,
      value: 0x4000,
      mask: 0x4000,
    });
    expect(ruleAt(DUMP, 20).target).toMatchObject({ kind: 'masquerade', randomFully: true });

    const dnat = ruleAt(DUMP, 29);
    expect(dnat.matches[1]).toMatchObject({
      kind: 'recent',
      command: 'set',
      name: 'KUBE-SEP-BBBBBBBBBBBBBBBB',
      side: 'source',
      mask: '255.255.255.255',
    });
    expect(dnat.target).toMatchObject({
      kind: 'dnat',
      destinations: [{ addressFrom: '10.244.2.4', ports: { from: 80, to: 80 } }],
    });

    const reject = ruleAt(DUMP, 38);
    expect(reject.target).toMatchObject({ kind: 'reject', rejectWith: 'icmp-port-unreachable' });
    const fwd = ruleAt(DUMP, 37);
    expect(fwd.matches[0]).toMatchObject({
      kind: 'conntrack',
      state: { negated: false, states: ['NEW'] },
    });
  });

  it('prints every rule back as the input wrote it', () => {
    const rs = parseText(DUMP);
    const lines = DUMP.split('\n');
    for (const r of rs.rules()) {
      const original = lines[r.line - 1].replace(/^\[\d+:\d+\] /, '');
      expect(printRule(r)).toBe(original);
    }
  });

  it('keeps the line and column of every rule', () => {
    const rs = parseText(DUMP);
    const r = [...rs.rules()][0];
    expect(r.line).toBe(14);
    expect(r.column).toBe(9); // after "[5:300] "
    expect(r.index).toBe(1);
  });

  it('reports a broken line with file:line:column and keeps every other rule', () => {
    const broken = DUMP.replace('-m tcp --dport 80 -j KUBE-SVC', '-m tcp --dport 80x -j KUBE-SVC');
    const rs = parseText(broken, 'broken.save');
    expect(rs.ruleCount).toBe(18);
    expect(rs.problems).toHaveLength(1);
    const p = rs.problems[0];
    expect(p).toMatchObject({ file: 'broken.save', line: 22, code: 'bad-value', text: '80x' });
    expect(
      broken
        .split('\n')[21]
        .slice(p.column - 1)
        .startsWith('80x'),
    ).toBe(true);
  });

  it('reports a table without COMMIT as truncated', () => {
    const truncated = DUMP.slice(0, DUMP.lastIndexOf('COMMIT'));
    const rs = parseText(truncated);
    expect(rs.problems.map((p) => p.code)).toEqual(['missing-commit']);
    expect(rs.table('filter')!.committed).toBe(false);
    expect(rs.table('filter')!.ruleCount).toBe(2);
  });

  it('reports jumps to chains that were never declared', () => {
    const rs = parseText(DUMP);
    expect(rs.problems).toHaveLength(0);
    const text = DUMP.replace(':KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]\n', '');
    const rs2 = parseText(text);
    const codes = rs2.problems.map((p) => p.code);
    expect(codes).toContain('undeclared-chain');
  });

  it('recognises mixed-version damage: [unsupported revision] and garbled DNAT', () => {
    const text = DUMP.replace(
      '-m tcp -j DNAT --to-destination 10.244.1.2:80',
      '-m tcp -j DNAT [unsupported revision]',
    ).replace(
      '-j DNAT --to-destination 10.244.2.4:80',
      '-j DNAT --to-destination :0 --persistent --to-destination :0',
    );
    const rs = parseText(text);
    const codes = rs.problems.map((p) => p.code).sort();
    expect(codes).toEqual(['garbled-nat', 'garbled-nat', 'unsupported-revision']);
    expect(rs.ruleCount).toBe(18);
    const r = ruleAt(text, 27);
    expect(r.target).toMatchObject({
      kind: 'generic',
      name: 'DNAT',
      unparsed: '[unsupported revision]',
    });
  });

  it('accepts kube-proxy restore input: unquoted and multi-word comments, -p after -m', () => {
    const text = `*filter
:INPUT ACCEPT [0:0]
:KUBE-NODEPORTS - [0:0]
-A INPUT -m comment --comment kubernetes health check service ports -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-NODEPORTS -p udp --dport 53 -j ACCEPT
COMMIT
`;
    const rs = parseText(text);
    expect(rs.problems).toEqual([]);
    const [jump, hc, implicit] = [...rs.rules()];
    expect(jump.comment).toBe('kubernetes health check service ports');
    expect(hc.comment).toBe('ns1/svc1:p80');
    expect(hc.protocol!.name).toBe('tcp');
    expect(hc.matches[1]).toMatchObject({
      kind: 'ports',
      destinationPort: { range: { from: 30000, to: 30000 } },
    });
    expect(implicit.matches[0]).toMatchObject({ kind: 'ports', module: 'udp' });
  });

  it('keeps unknown modules and options verbatim', () => {
    const text = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-name foo -m tcp --dport 22 --tcp-option 2 -j LOG --log-prefix "ssh: " --log-level 4
COMMIT
`;
    const rs = parseText(text);
    expect(rs.problems).toEqual([]);
    const [r] = [...rs.rules()];
    expect(r.matches[0]).toMatchObject({ kind: 'generic', module: 'hashlimit' });
    expect(r.matches[1]).toMatchObject({
      kind: 'ports',
      extra: [{ name: '--tcp-option', args: ['2'] }],
    });
    expect(r.target).toMatchObject({ kind: 'log', prefix: 'ssh: ' });
    expect(printRule(r)).toBe(text.split('\n')[2]);
  });

  it('reads quoted strings with escapes', () => {
    const text = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m comment --comment "say \\"hi\\" \\\\ it's" -j ACCEPT
COMMIT
`;
    const rs = parseText(text);
    expect([...rs.rules()][0].comment).toBe('say "hi" \\ it\'s');
    expect(printRule([...rs.rules()][0])).toBe(
      `-A INPUT -m comment --comment "say \\"hi\\" \\\\ it\\'s" -j ACCEPT`,
    );
  });

  it('reads ip6tables-save', () => {
    const text = `# Generated by ip6tables-save v1.8.9 (legacy) on Thu Jan  1 00:00:00 2026
*nat
:KUBE-SEP-X - [0:0]
-A KUBE-SEP-X -s fd00:10:244:1::5/128 -j MARK --set-xmark 0x4000/0x4000
-A KUBE-SEP-X -p tcp -m tcp -j DNAT --to-destination [fd00:10:244:1::5]:8080
COMMIT
`;
    const rs = parseText(text);
    expect(rs.problems).toEqual([]);
    expect(rs.family).toBe('ipv6');
    expect(rs.generator!.backend).toBe('legacy');
    const [a, b] = [...rs.rules()];
    expect(a.source!.net!.family).toBe(6);
    expect(b.target).toMatchObject({
      kind: 'dnat',
      destinations: [{ addressFrom: 'fd00:10:244:1::5', ports: { from: 8080, to: 8080 } }],
    });
  });
});
