import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { SAMPLE_DUMP } from '../parse/sample.js';

describe('k8s-ipt parse', () => {
  it('summarises a dump from standard input', () => {
    const r = runCli(['parse'], SAMPLE_DUMP);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('iptables-save v1.8.9 (nf_tables)');
    expect(r.stdout).toMatch(/^nat\s+11\s+16$/m);
    expect(r.stdout.trim().split('\n').pop()).toBe('2 tables, 15 chains, 18 rules; no problems');
  });

  it('prints the model as JSON with the documented shape', () => {
    const r = runCli(['parse', '--json', '-'], SAMPLE_DUMP);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.format).toBe('iptables-save');
    expect(json.tables[0].name).toBe('nat');
    const chain = json.tables[0].chains.find(
      (c: { name: string }) => c.name === 'KUBE-SVC-HL5LMXD5JFHQZ6LN',
    );
    expect(chain).toMatchObject({ policy: null, counters: { packets: 0, bytes: 0 } });
    expect(chain.rules[0]).toMatchObject({
      line: 24,
      comment: 'default/nginx-svc',
      target: { kind: 'chain', chain: 'KUBE-SEP-AAAAAAAAAAAAAAAA' },
      matches: [{ kind: 'comment' }, { kind: 'statistic', probability: 0.5 }],
    });
    expect(json.problems).toEqual([]);
  });

  it('prints problems with file:line:column, and --strict makes them fatal (exit 3)', () => {
    const broken = SAMPLE_DUMP.replace('--dport 80 -j KUBE-SVC', '--dport 80x -j KUBE-SVC');
    const lenient = runCli(['parse', '-'], broken);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain('<stdin>:22:');
    expect(lenient.stderr).toContain('80x');
    expect(lenient.stdout).toContain('18 rules; 1 problem (1 error, 0 warnings)');
    const strict = runCli(['parse', '--strict', '-'], broken);
    expect(strict.status).toBe(3);
  });

  it('counts in the singular where there is one', () => {
    const one =
      '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 80x -j ACCEPT\nCOMMIT\n';
    const r = runCli(['parse', '-'], one);
    expect(r.stdout.trim().split('\n').pop()).toBe(
      '1 table, 1 chain, 1 rule; 1 problem (1 error, 0 warnings)',
    );
  });

  it('exits 2 on usage errors and unreadable files, with a message and no stack trace', () => {
    const missing = runCli(['parse', 'no/such/file.save']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read no/such/file.save: no such file');
    expect(missing.stderr).not.toContain('    at ');
    const bad = runCli(['parse', '--no-such-flag']);
    expect(bad.status).toBe(2);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runCli(['--help']).status).toBe(0);
  });

  it('prints the model back as iptables-save text', () => {
    const r = runCli(['parse', '--save', '--counters', '-'], SAMPLE_DUMP);
    const rules = (t: string) => t.split('\n').filter((l) => /^(\[\d+:\d+\] )?-A /.test(l));
    expect(rules(r.stdout)).toEqual(rules(SAMPLE_DUMP));
  });
});
