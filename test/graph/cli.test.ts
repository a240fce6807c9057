import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fixturePath, readFixture, runCli } from '../helpers.js';

const MODERN = fixturePath('k8s-1.28-etp-local-calico.save');
const hasDot = spawnSync('dot', ['-V'], { encoding: 'utf8' }).error === undefined;
if (!hasDot) {
  console.warn(
    'skipping the Graphviz pipe test: `dot` is not installed (apt-get install -y graphviz)',
  );
}

describe('k8s-ipt graph', () => {
  it.skipIf(!hasDot)('graph --service default/web:http --format dot | dot -Tsvg succeeds', () => {
    const cli = path.join(ROOT, 'bin', 'k8s-ipt');
    const r = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `node "${cli}" graph --service default/web:http --format dot "${MODERN}" | dot -Tsvg`,
      ],
      { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<svg');
    // Graphviz writes `-` as `&#45;` in SVG text.
    const svgText = r.stdout.replace(/&#45;/g, '-');
    expect(svgText).toContain('>KUBE-SVC-CDGGSHYLG3RE2FKL</text>');
    expect(svgText).toContain('>DNAT 10.244.3.9:8080</text>');
  });

  it('prints DOT for one service by default, read from standard input', () => {
    const r = runCli(
      ['graph', '-s', 'default/web:http'],
      readFixture('k8s-1.28-etp-local-calico.save'),
    );
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('digraph k8s_ipt {')).toBe(true);
    expect(r.stdout).toContain('label="<stdin> | nat | default/web:http"');
    expect(r.stdout).toContain('label="p=0.33333 (33.3% of new conns)"');
    expect(r.stdout).toContain('label="else (33.3% of new conns)"');
    expect(r.stdout).not.toContain('KUBE-SVC-2PTCRYBPN47JVOHP'); // another service
  });

  it('--format mermaid, --table both', () => {
    // FILE after a repeatable --service is the file, not a second query.
    const r = runCli([
      'graph',
      '--format',
      'mermaid',
      '--table',
      'both',
      '--service',
      'default/orphan',
      MODERN,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('flowchart LR');
    expect(r.stdout).toContain('subgraph t0["filter"]');
    expect(r.stdout).toMatch(/n\d+\{\{"REJECT"\}\}/);
  });

  it('--json prints the graph as data', () => {
    const r = runCli(['graph', MODERN, '--json', '--service', '10.96.0.10:80']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.version).toBe(1);
    expect(json.services).toEqual(['default/web:http']);
    expect(
      json.nodes.find((n: { id: string }) => n.id === 'nat/KUBE-SVC-CDGGSHYLG3RE2FKL'),
    ).toMatchObject({
      kind: 'svc',
      service: 'default/web:http',
    });
    expect(json.edges.length).toBeGreaterThan(10);
  });

  it('says which services exist when the query matches none (exit 2)', () => {
    const r = runCli(['graph', MODERN, '--service', 'default/nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no service port matches "default/nope"');
    expect(r.stderr).toContain('default/web:http');
    expect(r.stdout).toBe('');
  });

  it('rejects an unknown output format with a usage error', () => {
    const r = runCli(['graph', MODERN, '--format', 'png']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('dot, mermaid');
  });

  it('says so when the chosen table has nothing to draw', () => {
    const r = runCli(['graph', MODERN, '--service', 'default/orphan']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('nothing to draw');
    expect(r.stderr).toContain('--table both');
  });
});
