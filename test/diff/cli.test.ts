import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fixturePath, runCli } from '../helpers.js';

const nodeA = path.join(ROOT, 'test/diff/fixtures/node-a.save');
const nodeB = path.join(ROOT, 'test/diff/fixtures/node-b.save');

describe('k8s-ipt diff', () => {
  it('names the endpoint that differs between two nodes, and exits 0', () => {
    const r = runCli(['diff', nodeA, nodeB]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('~ default/web:http');
    expect(r.stdout).toMatch(/^ {4}- endpoint 10\.244\.3\.9:8080 {2}\(33\.33%\)$/m);
    expect(r.stdout).toMatch(/^ {4}\+ endpoint 10\.244\.3\.10:8080 {2}\(33\.33%\)$/m);
    expect(r.stdout).toContain('NodePort: 30090 -> 30091');
    expect(r.stdout.trim().split('\n').pop()).toBe(
      '3 service ports changed, 0 added (only in B), 0 removed (only in A), 3 differ only in local endpoints, 8 the same.',
    );
  });

  it('--exit-code exits 1 when the dumps differ and 0 when they do not', () => {
    expect(runCli(['diff', '--exit-code', nodeA, nodeB]).status).toBe(1);
    const same = runCli(['diff', '--exit-code', nodeA, nodeA]);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('No differences.');
  });

  it('reads one side from standard input', () => {
    const r = runCli(['diff', nodeA, '-'], readFileSync(nodeB, 'utf8'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('B: <stdin>');
    expect(r.stdout).toContain('+ endpoint 10.244.3.10:8080');
  });

  it('--json prints the documented shape', () => {
    const r = runCli(['diff', '--json', '--rules', nodeA, nodeB]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.version).toBe(1);
    expect(json.a).toMatchObject({ file: nodeA, format: 'iptables-save', servicePorts: 14 });
    expect(json.identical).toBe(false);
    const web = json.services.find((s: { label: string }) => s.label === 'default/web:http');
    expect(web).toMatchObject({
      id: 'default/web:http/tcp',
      status: 'changed',
      pairedBy: 'id',
      nodeLocal: false,
      endpoints: [
        { key: '10.244.3.9:8080', status: 'removed', b: null },
        { key: '10.244.3.10:8080', status: 'added', a: null },
      ],
    });
    expect(json.rules.chains.length).toBeGreaterThan(0);
    expect(json.rules.chains[0]).toHaveProperty('removed');
  });

  it('--rules adds the rule-level diff', () => {
    const r = runCli(['diff', '--rules', nodeA, nodeB]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'nat KUBE-SEP-RBX5X5TOEG5GD3RO  [sep default/web:http 10.244.3.9:8080]  only in A',
    );
    expect(r.stdout).toContain(
      '  + -A KUBE-NODEPORTS -p tcp -m comment --comment "default/edge-np:http" -m tcp --dport 30091 -j KUBE-EXT-WSHKCCNGLMOSCVPQ',
    );
  });

  it('refuses two standard inputs and a missing file with exit 2', () => {
    const both = runCli(['diff', '-', '-'], '');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('only one of the two dumps can come from standard input');
    const missing = runCli(['diff', nodeA, 'no-such-file.save']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such-file.save');
  });

  it('keeps terminal control characters from a dump inert', () => {
    const text = readFileSync(fixturePath('k8s-1.28-etp-local-calico.save'), 'utf8');
    // A comment with a C1 control (8-bit CSI) and a bidi override, as a hostile dump could carry.
    const hostile = text.replace(
      '"default/web:http -> 10.244.3.9:8080"',
      '"default/web:http -> 10.244.3.9:8080 \u009b2J\u202e"',
    );
    expect(hostile).not.toBe(text);
    const r = runCli(
      ['diff', '--rules', fixturePath('k8s-1.28-etp-local-calico.save'), '-'],
      hostile,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\\x9b2J\\u202e');
    expect(r.stdout).not.toMatch(/[\u0080-\u009f\u202e]/);
    const json = runCli(
      ['diff', '--json', '--rules', fixturePath('k8s-1.28-etp-local-calico.save'), '-'],
      hostile,
    );
    expect(json.stdout).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('\u009b2J\u202e');
  });
});

// Two bug-report attachments: `iptables -t nat -L | grep` of one service on two nodes (see
// SOURCES.md beside them). CI keeps the corpus beside the clone.
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'real');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.log(`corpus diff test skipped: ${CORPUS} is absent`);

describe('k8s-ipt diff on real grep fragments', () => {
  it.skipIf(!hasCorpus)(
    'shows the NodePort, ClusterIP and endpoints that differ between the two nodes',
    () => {
      const file = (prefix: string): string => {
        const name = readdirSync(CORPUS).find((f) => f.startsWith(prefix));
        if (name === undefined) throw new Error(`no corpus file ${prefix}*`);
        return path.join(CORPUS, name);
      };
      const r = runCli(['diff', '-q', file('07-'), file('08-')]);
      expect(r.status).toBe(0);
      // Whether the Kubernetes view reads these fragments (service level) or not (rule level),
      // the differences show: NodePort 31885 vs 30636, ClusterIP .143 vs .125, and endpoints
      // 10.64.13.10 (only on the first node) and 10.64.13.71 (only on the second).
      for (const text of [
        '31885',
        '30636',
        '10.64.14.143',
        '10.64.14.125',
        '10.64.13.10',
        '10.64.13.71',
      ]) {
        expect(r.stdout, text).toContain(text);
      }
      expect(r.stdout).not.toContain('No differences.');
    },
  );
});
