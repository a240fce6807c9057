import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/check/codes.js';
import { ROOT, runCli } from '../helpers.js';

describe('k8s-ipt check', () => {
  it('--json: version, summary and findings with locations and rules', () => {
    const r = runCli(['check', '--json', 'fixtures/k8s-1.28-etp-local-docker.counters.save']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      version: 1,
      file: 'fixtures/k8s-1.28-etp-local-docker.counters.save',
      summary: { errors: 0, warnings: 2, infos: 0 },
    });
    expect(json.findings[1]).toMatchObject({
      code: 'stale-chain',
      severity: 'warning',
      location: {
        service: 'default/web:http',
        table: 'nat',
        chain: 'KUBE-SEP-AFD2WHVCSJFKX6F3',
        ruleNumber: 1,
        line: 123,
      },
      rules: [
        { table: 'nat', chain: 'KUBE-SEP-AFD2WHVCSJFKX6F3', rule: 1, line: 123 },
        { rule: 2, line: 124, counters: { packets: 17, bytes: 1020 } },
      ],
    });
    expect(json.findings[1].rules[1].text).toBe(
      '-A KUBE-SEP-AFD2WHVCSJFKX6F3 -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.2.99:8080',
    );
    expect(json.findings[1].explanation.length).toBeGreaterThan(1);
  });

  it('--ignore drops codes (and with them the exit 1), --explain prints the reasoning', () => {
    const file = 'fixtures/k8s-1.24-ext-svl.save';
    expect(runCli(['check', file]).status).toBe(1);
    const ignored = runCli(['check', '--ignore', 'service-no-endpoints', file]);
    expect(ignored.status).toBe(0);
    expect(ignored.stdout).not.toContain('service-no-endpoints');
    const explained = runCli(['check', '--explain', file]);
    expect(explained.stdout).toContain('kube-proxy writes these REJECT rules when no endpoint');
    expect(explained.stdout).toMatch(/^ {4}\d+: -A KUBE-SERVICES /m);
  });

  it('refuses unknown codes with a usage error', () => {
    const r = runCli(['check', '--ignore', 'no-such-code', 'fixtures/k8s-1.24-ext-svl.save']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown finding code "no-such-code"');
  });

  it('--codes lists every code, and the README documents each', () => {
    const r = runCli(['check', '--codes']);
    expect(r.status).toBe(0);
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    for (const c of FINDING_CODES) {
      expect(r.stdout).toContain(c.code);
      expect(readme).toMatch(new RegExp(`\\| \`${c.code}\` +\\| ${c.severity} +\\|`));
    }
  });

  it('escapes what the dump says before it reaches the terminal', () => {
    const dump = readFileSync(`${ROOT}/fixtures/k8s-1.28-etp-local-docker.save`, 'utf8').replace(
      '-A DOCKER-USER -j RETURN',
      '-A DOCKER-USER -m comment --comment "abc\u202egpj.exe\u0008" -j RETURN\n-A DOCKER-USER -m comment --comment "abc\u202egpj.exe\u0008" -j RETURN\n-A DOCKER-USER -j RETURN',
    );
    const r = runCli(['check', '--explain', '-'], dump);
    expect(r.stdout).toContain('rule-duplicate');
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout).not.toContain('\u0008');
    expect(r.stdout).toContain('abc\\u202egpj.exe\\x08');
  });
});
