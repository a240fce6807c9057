/** `k8s-ipt services` and `k8s-ipt endpoints`, run as a user would (the built CLI). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture, runCli } from '../helpers.js';

const CLASSIC = fixturePath('k8s-1.20-nginx-svc-classic.counters.save');
const DOCKER = fixturePath('k8s-1.28-etp-local-docker.save');
const CALICO = fixturePath('k8s-1.28-etp-local-calico.counters.save');
const LISTINGS = 'fixtures/listings/';

/** Table rows as arrays of cells (columns are separated by two or more spaces). */
function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => /^\S/.test(l) && !l.startsWith('-'))
    .map((l) => l.split(/ {2,}/));
}

function row(stdout: string, first: string): string[] | undefined {
  return rows(stdout).find((r) => r[0] === first);
}

/** The first column of the services table's rows. */
function serviceNames(stdout: string): string[] {
  return rows(stdout)
    .map((r) => r[0])
    .filter((c) => /^[a-z0-9-]+\/[a-z0-9.-]+(:[a-z0-9-]*)?$/.test(c));
}

describe('k8s-ipt services', () => {
  it('lists the classic nginx-svc: ClusterIP, NodePort, three endpoints', () => {
    const r = runCli(['services', CLASSIC]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(row(r.stdout, 'default/nginx-svc')).toEqual([
      'default/nginx-svc',
      'NodePort',
      '10.102.170.205:80/TCP',
      '32080',
      '-',
      '3',
      'None',
      'ext Cluster, int Cluster',
    ]);
    expect(r.stdout).toContain('5 service ports, 10 endpoints');
    expect(r.stdout).toMatch(/rules of kube-proxy 1\.19–1\.20, legacy layout/);
  });

  it('counts in the singular where there is one', () => {
    const r = runCli(['svc', '--name', 'kubernetes', CLASSIC]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 of 5 service ports, 1 endpoint\n');
  });

  it('reads standard input and takes the alias svc', () => {
    const r = runCli(['svc', '-'], readFixture('k8s-1.24-ext-svl.save'));
    expect(r.status).toBe(0);
    expect(row(r.stdout, 'default/fw-lb:https')?.slice(1, 5)).toEqual([
      'LoadBalancer',
      '10.96.10.13:443/TCP',
      '30443',
      '198.51.100.30 (LB)',
    ]);
    expect(row(r.stdout, 'default/empty:http')?.[5]).toBe('0 (REJECT)');
    expect(row(r.stdout, 'default/itp-local:http')?.[5]).toBe('0 local (DROP)');
  });

  it('filters by namespace, name glob and address, and sorts', () => {
    const ns = runCli(['svc', '--namespace', 'kube-system', CALICO]);
    expect(serviceNames(ns.stdout)).toEqual([
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'kube-system/kube-dns:metrics',
    ]);
    expect(ns.stdout).toContain('3 of 14 service ports');
    const named = runCli(['svc', '--name', '*-lb', CALICO]);
    expect(serviceNames(named.stdout)).toEqual(['default/admin-lb:https', 'default/shop-lb:http']);
    const byIp = runCli(['svc', '--ip', '10.244.1.5', DOCKER]);
    expect(serviceNames(byIp.stdout)).toEqual(['default/web:http']);
    const sorted = runCli(['svc', '--sort', 'ip', CALICO]);
    expect(row(sorted.stdout, serviceNames(sorted.stdout)[0])?.[2]).toBe('10.96.0.1:443/TCP');
    const bad = runCli(['svc', '--ip', 'nope', CALICO]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--ip nope: not an IP address');
  });

  it('--wide adds the chain, new connections, source ranges and health-check port', () => {
    const r = runCli(['svc', '--wide', CALICO]);
    const admin = row(r.stdout, 'default/admin-lb:https');
    expect(admin?.slice(8, 11)).toEqual([
      'KUBE-SVC-DAPVQ4ILVDCX2SMZ',
      '2287',
      '198.51.100.0/24,192.168.1.0/24',
    ]);
    expect(row(r.stdout, 'default/shop-lb:http')?.[11]).toBe('32080');
  });

  it('prints the documented JSON', () => {
    const r = runCli(['svc', '--json', CLASSIC]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as {
      mode: string;
      era: { label: string };
      services: Record<string, unknown>[];
    };
    expect(json.mode).toBe('iptables');
    expect(json.era.label).toBe('1.19–1.20');
    const nginx = json.services.find((s) => s.name === 'nginx-svc');
    expect(nginx).toMatchObject({
      namespace: 'default',
      name: 'nginx-svc',
      portName: '',
      protocol: 'tcp',
      type: 'NodePort',
      clusterIP: '10.102.170.205',
      port: 80,
      nodePort: 32080,
      externalIPs: [],
      loadBalancerIPs: [],
      sessionAffinity: null,
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      endpointsStatus: 'listed',
    });
    const endpoints = nginx?.endpoints as { ip: string; port: number; probability: number }[];
    expect(endpoints.map((e) => [e.ip, e.port])).toEqual([
      ['10.244.1.2', 80],
      ['10.244.1.3', 80],
      ['10.244.2.4', 80],
    ]);
    for (const e of endpoints) expect(e.probability).toBeCloseTo(1 / 3, 9);
    const kubeDns = json.services.find((s) => s.portName === 'dns');
    expect(kubeDns).toMatchObject({ nodePort: null, sessionAffinity: null, protocol: 'udp' });
  });

  it('explains an IPVS node instead of listing services without endpoints', () => {
    const r = runCli(['svc', fixturePath('k8s-1.23-ipvs-leftovers.save')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kube-proxy ipvs mode');
    expect(r.stdout).toContain('IPVS table');
    expect(r.stdout).toContain('leftovers of iptables mode, not services without endpoints');
    expect(r.stdout).not.toContain('REJECT');
  });

  it('escapes control characters from the input on their way to the terminal', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-ipt-svc-'));
    try {
      const file = path.join(dir, 'evil\u001b[2J.save');
      writeFileSync(file, readFixture('k8s-1.20-nginx-svc-classic.save'));
      const r = runCli(['svc', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('\u001b');
      expect(r.stdout).toContain('evil\\e[2J.save');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes C1 controls and bidi overrides as \\u escapes in --json', () => {
    // JSON.stringify leaves U+009B (CSI) and U+202E (right-to-left override) raw; the file name
    // is dump-controlled text that reaches the JSON as it is.
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-ipt-svc-'));
    try {
      const file = path.join(dir, 'evil\u009b2J\u202e.save');
      writeFileSync(file, readFixture('k8s-1.28-etp-local-docker.save'));
      for (const args of [
        ['svc', '--json', file],
        ['ep', '--json', 'default/web:http', file],
      ]) {
        const r = runCli(args);
        expect(r.status, args.join(' ')).toBe(0);
        expect(r.stdout).not.toMatch(/[\u009b\u202e]/);
        expect(r.stdout).toContain('evil\\u009b2J\\u202e.save');
        expect((JSON.parse(r.stdout) as { file: string }).file).toBe(file);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('k8s-ipt endpoints', () => {
  it('says once that the input has no counters', () => {
    const save = runCli([
      'endpoints',
      'default/nginx-svc',
      fixturePath('k8s-1.20-nginx-svc-classic.save'),
    ]);
    expect(save.stdout.match(/no counters/g)).toHaveLength(1);
    expect(save.stdout).toContain('save with `iptables-save -c`');
    const listing = runCli([
      'endpoints',
      'default/nginx-svc',
      `${LISTINGS}k8s-1.20-nginx-svc-classic.nft.nat.L-n.txt`,
    ]);
    expect(listing.status).toBe(0);
    expect(listing.stdout.match(/no counters/g)).toHaveLength(1);
  });

  it.each([DOCKER, CALICO])('shows 33.33 percent for each of the three web pods in %s', (file) => {
    const r = runCli(['endpoints', 'default/web:http', file]);
    expect(r.status).toBe(0);
    const table = rows(r.stdout).filter((x) => /^\d+$/.test(x[0]));
    expect(table.map((x) => x[1])).toHaveLength(3);
    expect(table.map((x) => x[2])).toEqual(['33.33%', '33.33%', '33.33%']);
    expect(r.stdout).toContain(
      'printed probabilities 0.33333333349 → 0.50000000000 → then the rest',
    );
    expect(r.stdout).toContain('0.333333333489, 0.333333333256, 0.333333333256');
  });

  it('finds a service by IP:PORT and shows counters with the observed-share verdict', () => {
    const r = runCli(['ep', '10.102.170.205:80', CLASSIC]);
    expect(r.status).toBe(0);
    const table = rows(r.stdout).filter((x) => /^\d+$/.test(x[0]));
    expect(table).toEqual([
      ['1', '10.244.1.2:80', '33.33%', '?', 'KUBE-SEP-SADCJIHRQW7RJ62U', '600', '60.00% !'],
      ['2', '10.244.1.3:80', '33.33%', '?', 'KUBE-SEP-CKH2ZKIZ6USKA3D5', '200', '20.00% !'],
      ['3', '10.244.2.4:80', '33.33%', '?', 'KUBE-SEP-7TVAFMCK4WGEPG3E', '200', '20.00% !'],
    ]);
    expect(r.stdout).toContain('chi-square goodness of fit');
    expect(r.stdout).toContain('OFF');
  });

  it('shows both paths of an externalTrafficPolicy=Local service', () => {
    const r = runCli(['ep', 'default/shop-lb:http', CALICO]);
    const header = rows(r.stdout).find((x) => x[0] === '#');
    expect(header?.slice(2, 5)).toEqual(['PROBABILITY', 'LOCAL-ONLY PATH', 'ON NODE']);
    const table = rows(r.stdout).filter((x) => /^\d+$/.test(x[0]));
    expect(table.map((x) => x.slice(1, 5))).toEqual([
      ['10.244.1.20:8080', '25.00%', '50.00%', 'yes'],
      ['10.244.1.21:8080', '25.00%', '50.00%', 'yes'],
      ['10.244.2.20:8080', '25.00%', '-', 'no'],
      ['10.244.3.20:8080', '25.00%', '-', 'no'],
    ]);
  });

  it('prints JSON for the matching service ports', () => {
    const r = runCli(['ep', '--json', 'default/web:http', DOCKER]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as {
      query: string;
      services: { endpoints: { probability: number }[] }[];
    };
    expect(json.query).toBe('default/web:http');
    expect(json.services).toHaveLength(1);
    expect(json.services[0].endpoints.map((e) => e.probability.toFixed(4))).toEqual([
      '0.3333',
      '0.3333',
      '0.3333',
    ]);
  });

  it('says when nothing matches, with a usage exit code', () => {
    const r = runCli(['ep', 'default/nothing', DOCKER]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no service matches default/nothing');
  });

  it('gives the same answers from a listing capture of the same rules', () => {
    for (const listing of ['nft.nat.nvxL', 'legacy.nat.nvxL', 'nft.nat.L-n', 'nft.nat.S-v']) {
      const file = `${LISTINGS}k8s-1.28-etp-local-calico.${listing}.txt`;
      const r = runCli(['ep', '-q', 'default/web:http', file]);
      expect(r.status, listing).toBe(0);
      const table = rows(r.stdout).filter((x) => /^\d+$/.test(x[0]));
      expect(
        table.map((x) => [x[1], x[2]]),
        listing,
      ).toEqual([
        ['10.244.1.5:8080', '33.33%'],
        ['10.244.2.7:8080', '33.33%'],
        ['10.244.3.9:8080', '33.33%'],
      ]);
    }
    const classic = runCli(['svc', '-q', `${LISTINGS}k8s-1.20-nginx-svc-classic.nft.nat.nvxL.txt`]);
    expect(row(classic.stdout, 'default/nginx-svc')?.slice(1, 6)).toEqual([
      'NodePort',
      '10.102.170.205:80/TCP',
      '32080',
      '-',
      '3',
    ]);
    expect(classic.stdout).toContain('no filter table');
  });
});
