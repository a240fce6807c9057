import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const FILE = 'fixtures/k8s-1.28-etp-local-calico.counters.save';

describe('k8s-ipt report', () => {
  it('Markdown with every section, the rules of each finding folded away', () => {
    const r = runCli(['report', FILE, '--trace', 'default/web:http']);
    expect(r.status).toBe(0);
    const md = r.stdout;
    for (const heading of [
      '# kube-proxy iptables rules report',
      '## Environment',
      '## Findings: ',
      '## Services: ',
      '## Traces',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('| iptables | iptables-nft-save v1.8.9 (nf\\_tables) |');
    expect(md).toContain('| kube-proxy mode | iptables |');
    expect(md).toMatch(/\| CNI, Docker and other chains \| calico \(/);
    expect(md).toMatch(
      /\| Counts \| 3 tables, \d+ chains, \d+ rules; 14 service ports, \d+ endpoints, 0 stale chains \|/,
    );
    expect(md).toContain('### 1. error `service-no-endpoints` — `default/orphan:http`');
    expect(md).toMatch(
      /<details><summary>Reasoning and the 2 rules behind it<\/summary>\n\n[^]*?```\n\[\d+:\d+\] -A KUBE-SERVICES -d 10\.96\.45\.67\/32/,
    );
    expect(md).toContain(
      '| `default/web:http` | NodePort | `10.96.0.10:80`/TCP | 30080 | `192.0.2.50` |',
    );
    expect(md).toContain('### `10.96.0.10:80/tcp` (`default/web:http`)');
  });

  it('--format json: the same document as data', () => {
    const r = runCli(['report', '--format', 'json', FILE]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      version: 1,
      redaction: { redacted: false, keySource: null },
      environment: {
        iptables: { version: '1.8.9', backend: 'nf_tables' },
        kubeProxy: { mode: 'iptables' },
        counts: { servicePorts: 14 },
      },
      summary: { errors: 1 },
    });
    expect(doc.findings[0].code).toBe('service-no-endpoints');
    expect(
      doc.services.find((s: { service: string }) => s.service === 'default/edge-np:http'),
    ).toMatchObject({
      externalTrafficPolicy: 'Local',
      endpointsStatus: 'listed',
    });
  });

  it('--redact: no original name or address, the same output every time; the key changes it', () => {
    const a = runCli(['report', '--redact', FILE]);
    const b = runCli(['report', '--redact', FILE]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('**Redacted.**');
    for (const original of ['orphan', 'edge-np', '10.96.45.67', '203.0.113.10', FILE]) {
      expect(a.stdout).not.toContain(original);
    }
    const keyed = runCli(['report', '--redact-key', 'k1', FILE]);
    expect(keyed.stdout).toContain('keyed with the given --redact-key');
    expect(keyed.stdout).not.toBe(a.stdout);
    expect(runCli(['report', '--redact-key', 'k1', FILE]).stdout).toBe(keyed.stdout);
  });

  it('--redact --trace: the destination is given as the user knows it, shown as its pseudonym', () => {
    const r = runCli(['report', '--redact', '--trace', '10.96.0.10:80', FILE]);
    expect(r.stdout).not.toContain('10.96.0.10');
    expect(r.stdout).toMatch(/### `[\d.]+:80\/tcp` \(`default\/svc-[a-z2-7]{6}:p-[a-z2-7]{6}`\)/);
  });

  it('says why a trace could not run, and still writes the report', () => {
    const r = runCli(['report', '--trace', 'nosuch/service', FILE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Not traced: no service port nosuch/service in the dump.');
  });

  it('keeps input problems out of standard error when redacting', () => {
    const r = runCli(['report', '--redact', 'fixtures/pasted/classic-nat.garbled-dnat.txt']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/<details><summary>Input problems \(\d+\)<\/summary>/);
  });
});
