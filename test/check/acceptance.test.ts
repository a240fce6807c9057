import { describe, expect, it } from 'vitest';
import { endpointChainName } from '../../src/kube/naming.js';
import { runCli } from '../helpers.js';
import { checkText, codes, only } from './check.js';
import { editFixture } from './dump.js';

// default/web:http lost its pod 10.244.3.77; kube-proxy has not removed the endpoint chain yet.
const STALE_SEP = endpointChainName('default/web:http', 'tcp', '10.244.3.77:8080');

/**
 * The calico fixture has default/orphan (no endpoints: REJECT) and default/edge-np
 * (externalTrafficPolicy=Local, endpoints only on other nodes: DROP); add a stale SEP chain.
 */
function brokenNode(): string {
  return editFixture('k8s-1.28-etp-local-calico.save', 'nat', {
    chains: [`:${STALE_SEP} - [0:0]`],
    append: [
      `-A ${STALE_SEP} -s 10.244.3.77/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ`,
      `-A ${STALE_SEP} -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.3.77:8080`,
    ],
  });
}

describe('check acceptance: no endpoints, eTP=Local without local endpoints, stale SEP', () => {
  const findings = checkText(brokenNode());

  it('lists all three with their codes and locations', () => {
    const noEndpoints = only(findings, 'service-no-endpoints');
    expect(noEndpoints).toHaveLength(1);
    expect(noEndpoints[0]).toMatchObject({
      severity: 'error',
      location: {
        service: 'default/orphan:http',
        table: 'filter',
        chain: 'KUBE-SERVICES',
        ruleNumber: 1,
      },
    });
    expect(noEndpoints[0].message).toContain('ClusterIP 10.96.45.67:80/tcp');
    expect(noEndpoints[0].message).toContain('NodePort 30099/tcp');

    const noLocal = only(findings, 'external-no-local-endpoints');
    expect(noLocal).toHaveLength(1);
    expect(noLocal[0]).toMatchObject({
      severity: 'warning',
      location: {
        service: 'default/edge-np:http',
        table: 'filter',
        chain: 'KUBE-EXTERNAL-SERVICES',
      },
    });
    expect(noLocal[0].rules[0].target).toMatchObject({ kind: 'verdict', name: 'DROP' });

    const stale = only(findings, 'stale-chain');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({
      severity: 'warning',
      location: { service: 'default/web:http', table: 'nat', chain: STALE_SEP, ruleNumber: 1 },
    });
    expect(stale[0].message).toContain('DNAT to 10.244.3.77:8080');
    expect(stale[0].rules).toHaveLength(2);
  });

  it('points every finding at an input line that holds its rule', () => {
    const lines = brokenNode().split('\n');
    for (const f of findings) {
      if (f.rules.length === 0 || f.location.line === null) continue;
      expect(lines[f.location.line - 1]).toContain(`-A ${f.location.chain}`);
    }
  });

  it('exits 1 from the command line, and prints the codes', () => {
    const r = runCli(['check', '-'], brokenNode());
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^error\[service-no-endpoints\] filter KUBE-SERVICES rule 1, <stdin>:\d+, default\/orphan:http$/m,
    );
    expect(r.stdout).toContain('warning[external-no-local-endpoints]');
    expect(r.stdout).toContain(`warning[stale-chain] nat ${STALE_SEP} rule 1`);
    expect(r.stdout.trim().split('\n').pop()).toMatch(
      /^<stdin>: \d+ findings \(1 error, \d+ warnings, \d+ notes\)$/,
    );
  });

  it('the same dump without the broken services is clean: exit 0', () => {
    const r = runCli(['check', 'fixtures/k8s-1.20-nginx-svc-classic.save']);
    expect(r.stdout.trim()).toBe('fixtures/k8s-1.20-nginx-svc-classic.save: no findings');
    expect(r.status).toBe(0);
  });

  it('keeps the codes stable in the summary', () => {
    expect(codes(findings)).toEqual(
      expect.arrayContaining([
        'service-no-endpoints',
        'external-no-local-endpoints',
        'stale-chain',
      ]),
    );
  });
});
