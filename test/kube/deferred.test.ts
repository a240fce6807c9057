/**
 * A model built service by service (`deferred`, for the browser) answers exactly as one built
 * whole, whatever is read first: every service port field, every node-wide fact, the JSON.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import { DeferredServicePort } from '../../src/kube/deferred-service-port.js';
import type { KubeModel, ServicePort } from '../../src/kube/model.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { kubeModelToJson } from '../../src/render/services-json.js';
import { FIXTURES, ROOT, loadFixture, parseText, readFixture } from '../helpers.js';

const SERVICE_PORT_FIELDS: readonly (keyof ServicePort)[] = [
  'identity',
  'type',
  'protocol',
  'clusterIP',
  'port',
  'nodePorts',
  'externalIPs',
  'loadBalancerIPs',
  'loadBalancerSourceRanges',
  'sessionAffinity',
  'externalTrafficPolicy',
  'internalTrafficPolicy',
  'healthCheckNodePort',
  'masquerade',
  'chains',
  'entryRules',
  'filterRules',
  'markDropRules',
  'ladders',
  'endpoints',
  'endpointsStatus',
  'traffic',
  'warnings',
  'unknowns',
];

function fields(s: ServicePort): Record<string, unknown> {
  return Object.fromEntries(SERVICE_PORT_FIELDS.map((k) => [k, s[k]]));
}

function nodeFacts(m: KubeModel): Record<string, unknown> {
  return {
    mode: m.mode,
    modeEvidence: m.modeEvidence,
    era: m.era,
    family: m.family,
    largeClusterMode: m.largeClusterMode,
    commentsAbsent: m.commentsAbsent,
    software: m.software,
    masqueradeMark: m.masqueradeMark,
    dropMark: m.dropMark,
    localDetector: m.localDetector,
    podCIDRs: m.podCIDRs,
    nodeAddresses: m.nodeAddresses,
    staleChains: m.staleChains,
    warnings: m.warnings,
    limitations: m.limitations,
    // Roles point at service ports: compare which one, not the objects (one kind is deferred).
    chainRoles: [...m.chainRoles].map(([key, role]) => [
      key,
      { ...role, service: role.service?.identity.id ?? null },
    ]),
  };
}

/** Reads every field of the deferred model in a given order and checks it against the whole one. */
function expectSameModel(ruleset: Ruleset, order: 'services-first' | 'node-first' | 'reverse') {
  const whole = buildKubeModel(ruleset);
  // One chain at a time, before anything else is built: the owner is found from its candidates.
  const fresh = buildKubeModel(ruleset, { deferred: true });
  for (const [key, role] of whole.chainRoles) {
    const found = fresh.chainRoles.get(key);
    expect(
      [found?.kind, found?.service?.identity.id, found?.endpoint?.address, found?.endpoint?.chain],
      key,
    ).toEqual([role.kind, role.service?.identity.id, role.endpoint?.address, role.endpoint?.chain]);
  }
  const deferred = buildKubeModel(ruleset, { deferred: true });
  expect(deferred.services.length).toBe(whole.services.length);
  const check = (i: number): void =>
    expect(fields(deferred.services[i]), whole.services[i].identity.label).toEqual(
      fields(whole.services[i]),
    );
  if (order === 'node-first') expect(nodeFacts(deferred)).toEqual(nodeFacts(whole));
  const indexes = whole.services.map((_, i) => i);
  for (const i of order === 'reverse' ? indexes.reverse() : indexes) check(i);
  expect(nodeFacts(deferred)).toEqual(nodeFacts(whole));
  expect(JSON.stringify(kubeModelToJson(deferred))).toBe(JSON.stringify(kubeModelToJson(whole)));
}

const SAVES = readdirSync(FIXTURES).filter((f) => f.endsWith('.save'));
const LISTINGS = readdirSync(path.join(FIXTURES, 'listings')).map((f) => `listings/${f}`);
const PASTED = readdirSync(path.join(FIXTURES, 'pasted'))
  .filter((f) => f.endsWith('.txt'))
  .map((f) => `pasted/${f}`);

describe('deferred Kubernetes model', () => {
  it.each(SAVES)('%s: same answers, services read first', (f) => {
    expectSameModel(loadFixture(f), 'services-first');
  });

  it.each([...LISTINGS, ...PASTED])('%s: same answers, node facts read first', (f) => {
    expectSameModel(loadFixture(f), 'node-first');
  });

  it.each([
    ['1.16', 'docker,flannel'],
    ['1.20', 'calico'],
    ['1.23', 'kindnet'],
    ['1.24', 'flannel'],
    ['1.28', 'docker,calico'],
  ])('generated %s dump with %s chains: same answers, services read last to first', (era, cni) => {
    const text = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'bench/gen-dump.mjs'),
        '--services',
        '120',
        '--endpoints',
        '4',
        '--era',
        era,
        '--cni',
        cni,
        '--counters',
      ],
      { encoding: 'utf8' },
    );
    expectSameModel(parseText(text), 'reverse');
  });

  it('a tuple two service ports claim: the later one warns, built whole or deferred', () => {
    const text = readFixture('k8s-1.20-nginx-svc-classic.save').replace(
      /(-A KUBE-SERVICES -d 10\.102\.170\.205\/32 .*\n)/,
      '$1-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "kube-system/kube-dns:metrics external IP" -m tcp --dport 443 -j KUBE-SVC-JD5MR3NA4I4DYORP\n',
    );
    const ruleset = parseText(text);
    for (const model of [buildKubeModel(ruleset), buildKubeModel(ruleset, { deferred: true })]) {
      const metrics = model.services.find(
        (s) => s.identity.label === 'kube-system/kube-dns:metrics',
      );
      expect(
        metrics?.warnings.filter((w) => w.code === 'duplicate-tuple').map((w) => w.message),
      ).toEqual([
        '10.96.0.1:443 is also claimed by default/kubernetes:https, whose rule comes first in KUBE-SERVICES and wins',
      ]);
    }
    expectSameModel(ruleset, 'reverse');
  });

  it('reads no service chain before a detail is asked for', () => {
    const ruleset = loadFixture('k8s-1.28-etp-local-calico.counters.save');
    const model = buildKubeModel(ruleset, { deferred: true });
    const ports = model.services as readonly DeferredServicePort[];
    expect(ports.length).toBeGreaterThan(3);
    expect(ports.every((p) => p instanceof DeferredServicePort)).toBe(true);
    // Ports without chains (only a filter REJECT) cost nothing to build and are built at once.
    const chained = ports.filter((p) => p.entryRules.length > 0);
    expect(chained.length).toBeGreaterThan(3);
    expect(chained.some((p) => p.isBuilt)).toBe(false);
    // Names, addresses and the type come from the entry rules alone.
    expect(ports.map((p) => `${p.identity.label} ${p.type} ${p.clusterIP}:${p.port}`)).toContain(
      'default/web:http NodePort 10.96.0.10:80',
    );
    expect(chained.some((p) => p.isBuilt)).toBe(false);
    const web = ports.find((p) => p.identity.label === 'default/web:http');
    expect(web?.endpoints.map((e) => e.probability?.toFixed(4))).toEqual([
      '0.3333',
      '0.3333',
      '0.3333',
    ]);
    expect(chained.filter((p) => p.isBuilt)).toEqual([web]);
    void model.staleChains;
    expect(ports.every((p) => p.isBuilt)).toBe(true);
  });

  it('warm-up jobs build every service port and the chain roles, with the same answers', () => {
    const ruleset = loadFixture('k8s-1.28-etp-local-docker.counters.save');
    const whole = buildKubeModel(ruleset);
    const deferred = buildKubeModel(ruleset, { deferred: true });
    const jobs = deferred.warmUpJobs();
    expect(jobs.length).toBeGreaterThan(1);
    for (const job of jobs) job();
    const ports = deferred.services as readonly DeferredServicePort[];
    expect(ports.every((p) => p.isBuilt)).toBe(true);
    expect(nodeFacts(deferred)).toEqual(nodeFacts(whole));
    for (const [key, role] of whole.chainRoles) {
      expect(deferred.chainRoles.get(key)?.service?.identity.id, key).toBe(
        role.service?.identity.id,
      );
    }
  });
});
