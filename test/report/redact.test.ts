import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport, type ReportRequest } from '../../src/cli/commands/report.js';
import { buildKubeModel } from '../../src/kube/model.js';
import { endpointChainName, serviceChainHash } from '../../src/kube/naming.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { stringifyInert } from '../../src/render/diff-json.js';
import { renderReportMarkdown } from '../../src/render/markdown-report.js';
import { redactionKey } from '../../src/report/redact/key.js';
import { Redactor } from '../../src/report/redact/redactor.js';
import { redactRuleset } from '../../src/report/redact/ruleset.js';
import { FIXTURES, parseText, readFixture } from '../helpers.js';
import { collectOriginals, findLeaks } from './leaks.js';

const REDACT: ReportRequest = { redact: true, traces: [], toolVersion: '0.0.0' };

function redactedOutput(raw: string, name: string, traces: readonly string[] = []): string {
  const ruleset = parseText(raw, name);
  const doc = buildReport(ruleset, { ...REDACT, traces });
  return renderReportMarkdown(doc) + stringifyInert(doc);
}

function dumpsUnder(dir: string, test: (f: string) => boolean): string[] {
  return readdirSync(`${FIXTURES}/${dir}`)
    .filter(test)
    .map((f) => (dir === '.' ? f : `${dir}/${f}`));
}

const ALL_DUMPS = [
  ...dumpsUnder('.', (f) => f.endsWith('.save')),
  ...dumpsUnder('pasted', (f) => f.endsWith('.txt')),
  ...dumpsUnder('listings', (f) => f.endsWith('.txt')),
];

describe('report --redact leaks nothing', () => {
  it('covers the fixtures (the list below is not empty)', () => {
    expect(ALL_DUMPS.length).toBeGreaterThan(40);
  });

  for (const name of ALL_DUMPS) {
    it(name, () => {
      const raw = readFixture(name);
      const originals = collectOriginals(raw, parseText(raw, name));
      // Traces name addresses too: trace the first services by name and by address.
      const output = redactedOutput(raw, name, ['default/kubernetes:https', '10.96.0.10:53/udp']);
      expect(findLeaks(output, originals)).toEqual([]);
      expect(output).not.toContain(name);
    });
  }

  it('the check itself finds what it looks for (a non-redacted report leaks everything)', () => {
    const raw = readFixture('k8s-1.28-etp-local-calico.save');
    const originals = collectOriginals(raw, parseText(raw));
    expect(originals.addresses.size).toBeGreaterThan(30);
    expect([...originals.names]).toEqual(expect.arrayContaining(['edge-np', 'orphan', 'shop-lb']));
    const plain = buildReport(parseText(raw), { ...REDACT, redact: false });
    const leaks = findLeaks(renderReportMarkdown(plain), originals);
    expect(leaks).toEqual(expect.arrayContaining(['10.96.45.67', 'orphan', '203.0.113.20']));
  });

  it('hostile comments and free-text names are replaced', () => {
    const raw = readFixture('k8s-1.28-etp-local-docker.save').replace(
      '-A DOCKER-USER -j RETURN',
      '-A DOCKER-USER -s 198.51.100.77/32 -i wg-acme-office -m comment --comment "allow bastion.acme.internal (ticket OPS-4411)" -j ACCEPT\n-A DOCKER-USER -j RETURN',
    );
    const output = redactedOutput(raw, 'node.save');
    for (const secret of ['acme', 'bastion', 'OPS-4411', 'wg-acme-office', '198.51.100.77']) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('redaction keeps the analysis', () => {
  const samples = [
    'k8s-1.16-xlb-flannel.counters.save',
    'k8s-1.20-nginx-svc-classic.counters.save',
    'k8s-1.23-kindnet.save',
    'k8s-1.24-ext-svl.save',
    'k8s-1.28-etp-local-calico.counters.save',
    'k8s-1.28-etp-local-docker.counters.save',
    'k8s-1.28-ipv6.legacy.counters.save',
    'k8s-1.28-large-cluster-no-comments.save',
    'k8s-1.23-ipvs-leftovers.save',
  ];
  for (const name of samples) {
    it(`${name}: the same findings and services, pseudonyms aside`, () => {
      const ruleset = parseText(readFixture(name), name);
      const plain = buildReport(ruleset, { ...REDACT, redact: false });
      const redacted = buildReport(ruleset, REDACT);
      const shape = (d: typeof plain): string[] => [
        ...d.findings.map(
          (f) => `${f.code} ${f.severity} ${f.location.line} ${f.location.ruleNumber}`,
        ),
        ...d.services.map(
          (s) =>
            `${s.type} ${s.endpointsStatus} ${s.endpoints.length} ${s.externalTrafficPolicy} ${s.nodePorts.join(',')}`,
        ),
      ];
      expect(shape(redacted)).toEqual(shape(plain));
      expect(redacted.findings.map((f) => f.code)).not.toContain('chain-hash-mismatch');
    });
  }

  it('recomputes chain hashes from the pseudonyms, so the redacted dump is self-consistent', () => {
    const original = parseText(readFixture('k8s-1.28-etp-local-calico.save'));
    const redactor = new Redactor({ key: redactionKey(original, 'k') });
    const redacted: Ruleset = redactRuleset(original, redactor);
    const kube = buildKubeModel(redacted);
    let checked = 0;
    for (const s of kube.services) {
      const hashInput = s.identity.hashInput;
      if (hashInput === null || s.protocol === null || s.chains.svc === null) continue;
      expect(s.chains.svc.name).toBe(`KUBE-SVC-${serviceChainHash(hashInput, s.protocol)}`);
      for (const e of s.endpoints) {
        if (e.address !== null)
          expect(e.chain.name).toBe(endpointChainName(hashInput, s.protocol, e.address));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    expect(
      kube.services.find((s) => s.identity.label.startsWith('default/kubernetes'))?.chains.svc
        ?.name,
    ).toBe('KUBE-SVC-NPX46M4PTMTKRN6Y');
  });
});

describe('pseudonyms are consistent', () => {
  it('the same input always gives the same report', () => {
    const raw = readFixture('k8s-1.28-etp-local-docker.counters.save');
    expect(redactedOutput(raw, 'a')).toBe(redactedOutput(raw, 'a'));
  });

  it('the same --redact-key maps shared names and addresses of two dumps alike', () => {
    const a = parseText(readFixture('k8s-1.28-etp-local-calico.save'));
    const b = parseText(readFixture('k8s-1.28-etp-local-docker.save'));
    const ra = new Redactor({ key: redactionKey(a, 'shared') });
    const rb = new Redactor({ key: redactionKey(b, 'shared') });
    expect(ra.svcPortName('default/web:http')).toBe(rb.svcPortName('default/web:http'));
    expect(ra.ip('10.96.0.1')).toBe(rb.ip('10.96.0.1'));
    const rc = new Redactor({ key: redactionKey(a, 'other') });
    expect(rc.svcPortName('default/web:http')).not.toBe(ra.svcPortName('default/web:http'));
  });

  it('without a key, two different dumps get different pseudonyms', () => {
    const a = parseText(readFixture('k8s-1.28-etp-local-calico.save'));
    const b = parseText(readFixture('k8s-1.28-etp-local-docker.save'));
    expect(redactionKey(a, undefined).equals(redactionKey(b, undefined))).toBe(false);
    expect(redactionKey(a, undefined).equals(redactionKey(a, undefined))).toBe(true);
  });

  it('keeps names every cluster has, subnets and prefix lengths', () => {
    const r = new Redactor({ key: Buffer.from('k') });
    expect(r.svcPortName('kube-system/kube-dns:dns-tcp')).toBe('kube-system/kube-dns:dns-tcp');
    expect(r.svcPortName('default/web:http')).toMatch(/^default\/svc-[a-z2-7]{6}:p-[a-z2-7]{6}$/);
    expect(r.svcPortName('team-a/web:http')).toMatch(
      /^ns-[a-z2-7]{6}\/svc-[a-z2-7]{6}:p-[a-z2-7]{6}$/,
    );
    expect(r.svcPortName('default/nginx:')).toMatch(/^default\/svc-[a-z2-7]{6}:$/);
    const pod = r.net('10.244.1.0/24');
    expect(pod).toMatch(/\/24$/);
    expect(r.net('10.244.1.5/32').startsWith(pod.split('.').slice(0, 3).join('.'))).toBe(true);
    expect(r.net('10.244.0.0/16')).toMatch(/^\d+\.\d+\.0\.0\/16$/);
    expect(r.iface('cali+')).toBe('cali+');
    expect(r.iface('wg-office+')).toMatch(/^if-[a-z2-7]{8}\+$/);
  });
});
