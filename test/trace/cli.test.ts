/** `k8s-ipt trace` as a user runs it (the built CLI): text, JSON, DEST forms, errors. */
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture, runCli } from '../helpers.js';

const CLASSIC = fixturePath('k8s-1.20-nginx-svc-classic.save');
const CALICO = fixturePath('k8s-1.28-etp-local-calico.save');

interface JsonOutcome {
  verdict: string;
  destination: string | null;
  probability: number;
  masquerade: boolean;
  path: { table: string; chain: string; rule: number; target: string }[];
}

function json(
  args: string[],
  input?: string,
): { packet: Record<string, unknown>; assumptions: string[]; outcomes: JsonOutcome[] } {
  const r = runCli([...args, '--json'], input);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('k8s-ipt trace', () => {
  it('acceptance: three DNAT outcomes of 1/3 each, not masqueraded from a pod', () => {
    const r = runCli(['trace', '10.102.170.205:80', CLASSIC]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /1\s+33\.33%\s+DNAT\s+10\.244\.1\.2:80\s+no\s+default\/nginx-svc → 10\.244\.1\.2:80/,
    );
    expect(r.stdout).toMatch(/3\s+33\.33%\s+DNAT\s+10\.244\.2\.4:80\s+no/);
    expect(r.stdout).toContain(
      'nat KUBE-SERVICES #10 → KUBE-SVC-HL5LMXD5JFHQZ6LN  /* default/nginx-svc cluster IP */',
    );
    expect(r.stdout).toContain('assumptions (what the dump cannot tell):');
  });

  it('acceptance: from the node they are masqueraded (JSON)', () => {
    const out = json([
      'trace',
      '10.102.170.205:80',
      CLASSIC,
      '--from',
      'node',
      '--node-ip',
      '192.168.1.11',
    ]);
    expect(out.outcomes.map((o) => [o.verdict, o.destination, o.masquerade])).toEqual([
      ['DNAT', '10.244.1.2:80', true],
      ['DNAT', '10.244.1.3:80', true],
      ['DNAT', '10.244.2.4:80', true],
    ]);
    expect(out.outcomes.reduce((a, o) => a + o.probability, 0)).toBeCloseTo(1, 12);
    expect(out.outcomes[0].path[0]).toEqual({
      kind: 'rule',
      hook: 'OUTPUT',
      table: 'nat',
      chain: 'OUTPUT',
      rule: 1,
      line: expect.any(Number),
      comment: 'kubernetes service portals',
      matched: [],
      target: 'KUBE-SERVICES',
    });
    expect(out.packet).toMatchObject({ origin: 'node', source: '192.168.1.11', protocol: 'tcp' });
  });

  it('acceptance: a service without endpoints is REJECTed by a named filter rule', () => {
    const out = json(['trace', 'default/orphan:http', CALICO]);
    expect(out.outcomes).toHaveLength(1);
    expect(out.outcomes[0]).toMatchObject({ verdict: 'REJECT', destination: null, probability: 1 });
    expect(out.outcomes[0].path.at(-1)).toMatchObject({
      table: 'filter',
      chain: 'KUBE-SERVICES',
      target: 'REJECT icmp-port-unreachable',
    });
  });

  it('acceptance: an eTP=Local NodePort without local endpoints is DROPped by its rule', () => {
    const r = runCli(['trace', '192.168.1.11:30090', CALICO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /100%\s+DROP\s+-\s+-\s+default\/edge-np:http\s+filter KUBE-EXTERNAL-SERVICES #1 \/\* default\/edge-np:http has no local endpoints \*\//,
    );
  });

  it('DEST as ns/name, a port-less IP with --proto, and [IPv6]:port', () => {
    const byName = json(['trace', 'kube-system/kube-dns:dns', CLASSIC]);
    expect(byName.packet).toMatchObject({
      destination: '10.96.0.10',
      destinationPort: 53,
      protocol: 'udp',
    });
    const byIp = json(['trace', '10.96.0.10', CLASSIC, '--proto', 'udp']);
    expect(byIp.outcomes.map((o) => o.destination)).toEqual(['10.244.0.2:53', '10.244.0.3:53']);
    const v6 = readFixture('k8s-1.28-ipv6.save');
    const svc = /-A KUBE-SERVICES -d ([0-9a-f:]+)\/128 -p tcp .*--dport (\d+) -j KUBE-SVC/.exec(v6);
    expect(svc).not.toBeNull();
    const out = json(['trace', `[${svc?.[1]}]:${svc?.[2]}`, '-'], v6);
    expect(out.outcomes.length).toBeGreaterThan(0);
    expect(out.outcomes.every((o) => o.verdict === 'DNAT' && o.destination?.startsWith('['))).toBe(
      true,
    );
  });

  it('says what to do when DEST is ambiguous or wrong, with exit code 2 and no stack trace', () => {
    const several = runCli(['trace', '10.96.0.10', CLASSIC]);
    expect(several.status).toBe(2);
    expect(several.stderr).toContain('10.96.0.10 serves several ports: 53/udp, 53/tcp, 9153/tcp');
    const missing = runCli(['trace', 'default/nope', CLASSIC]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no service port default/nope in the dump');
    const junk = runCli(['trace', '10.0.0.1:80', CLASSIC, '--node-ip', 'not-an-ip']);
    expect(junk.status).toBe(2);
    expect(junk.stderr).toContain('--node-ip "not-an-ip" is not an IP address');
    for (const r of [several, missing, junk]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('escapes control characters from the dump on the terminal', () => {
    const dumpText = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -d 10.96.0.1/32 -p tcp -m comment --comment "evil\u0007bell\u009bx" -m tcp --dport 80 -j DNAT --to-destination 10.244.2.1:80',
      'COMMIT',
      '',
    ].join('\n');
    const r = runCli(['trace', '10.96.0.1:80', '-'], dumpText);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\u0007');
    expect(r.stdout).not.toContain('\u009b');
    expect(r.stdout).toContain('evil\\x07bell\\x9bx');
    const j = runCli(['trace', '10.96.0.1:80', '-', '--json'], dumpText);
    expect(j.stdout).not.toContain('\u0007');
    expect(j.stdout).not.toContain('\u009b');
  });
});
