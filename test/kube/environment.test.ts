/** Node-wide facts: proxy mode, era, CNI and Docker chains, marks, detector, stale chains. */
import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import { loadFixture, parseText, readFixture as loadFixtureText } from '../helpers.js';

describe('era guess', () => {
  it.each([
    ['k8s-1.16-xlb-flannel.save', '1.16', 'legacy'],
    ['k8s-1.20-nginx-svc-classic.save', '1.19–1.20', 'legacy'],
    ['k8s-1.23-kindnet.save', '1.21–1.23', 'legacy'],
    ['k8s-1.24-ext-svl.save', '1.24', 'modern'],
    ['k8s-1.28-etp-local-docker.save', '≥1.25', 'modern'],
    ['k8s-1.28-etp-local-calico.save', '≥1.30', 'modern'],
  ])('%s → %s (%s layout)', (fixture, label, layout) => {
    const era = buildKubeModel(loadFixture(fixture)).era;
    expect(era.label).toBe(label);
    expect(era.layout).toBe(layout);
    expect(era.conflicts).toEqual([]);
    expect(era.evidence.length).toBeGreaterThan(0);
  });

  it('reports contradicting evidence instead of an empty range', () => {
    // A 1.16 dump with one KUBE-EXT chain pasted in.
    const text = loadFixtureText('k8s-1.16-xlb-flannel.save').replace(
      ':KUBE-MARK-DROP - [0:0]',
      ':KUBE-MARK-DROP - [0:0]\n:KUBE-EXT-AAAAAAAAAAAAAAAA - [0:0]',
    );
    const era = buildKubeModel(parseText(text)).era;
    expect(era.conflicts.map((e) => e.fact).join('\n')).toContain('KUBE-EXT');
  });
});

describe('node facts', () => {
  it('detects Docker, flannel, Calico and kindnet chains', () => {
    expect(
      buildKubeModel(loadFixture('k8s-1.20-nginx-svc-classic.save')).software.map((s) => s.name),
    ).toEqual(['docker', 'flannel']);
    expect(
      buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save')).software.map((s) => s.name),
    ).toEqual(['calico']);
    expect(
      buildKubeModel(loadFixture('k8s-1.23-kindnet.save'))
        .software.map((s) => s.name)
        .sort(),
    ).toEqual(['docker', 'kindnet']);
  });

  it('reads the mark bits and the local-traffic detector', () => {
    const m = buildKubeModel(loadFixture('k8s-1.16-xlb-flannel.save'));
    expect(m.masqueradeMark).toMatchObject({ value: 0x4000, mask: 0x4000 });
    expect(m.dropMark).toMatchObject({ value: 0x8000, mask: 0x8000 });
    expect(m.localDetector).toMatchObject({ kind: 'cidr', values: ['10.244.0.0/16'] });
    const v6 = buildKubeModel(loadFixture('k8s-1.28-ipv6.save'));
    expect(v6.family).toBe('ipv6');
    expect(v6.podCIDRs).toEqual(['fd00:10:244::/56']);
  });

  it("infers docker0's address from Docker's masquerade rule, as a likely node address", () => {
    const m = buildKubeModel(loadFixture('k8s-1.28-etp-local-docker.save'));
    expect(m.nodeAddresses).toEqual([
      expect.objectContaining({ ip: '172.17.0.1', confidence: 'likely' }),
    ]);
  });

  it('lists chains no service uses: a stale SEP with its rules, an empty stale SVC', () => {
    const m = buildKubeModel(loadFixture('k8s-1.28-etp-local-docker.save'));
    expect(m.staleChains.map((c) => [c.chain.name, c.reason, c.service])).toEqual([
      ['KUBE-SEP-AFD2WHVCSJFKX6F3', 'unreferenced', 'default/web:http'],
      ['KUBE-SVC-723E4CLGGVNOVNDJ', 'unreferenced-empty', null],
    ]);
    // The stale endpoint is not one of web's endpoints.
    const web = m.services.find((s) => s.identity.label === 'default/web:http');
    expect(web?.endpoints.map((e) => e.address)).not.toContain('10.244.2.99:8080');
  });

  it('gives every kube-proxy chain a role tied to its service', () => {
    const m = buildKubeModel(loadFixture('k8s-1.24-ext-svl.save'));
    const role = m.chainRoles.get('nat/KUBE-SVL-JR7PZPMGEHYLHTEW');
    expect(role?.kind).toBe('svl');
    expect(role?.service?.identity.label).toBe('default/web-lb:http');
    expect(m.chainRoles.get('nat/KUBE-MARK-MASQ')?.kind).toBe('mark-masq');
    expect(m.chainRoles.get('filter/KUBE-SERVICES')?.kind).toBe('services');
    expect(m.chainRoles.get('nat/FLANNEL-POSTRTG')?.kind).toBe('cni');
    const sep = [...m.chainRoles.values()].find(
      (r) => r.kind === 'sep' && r.endpoint?.address === '10.244.1.20:8080',
    );
    expect(sep?.service?.identity.label).toBe('default/web-lb:http');
  });

  it('says "none" for a dump without kube-proxy rules', () => {
    const m = buildKubeModel(
      parseText(
        '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n',
      ),
    );
    expect(m.mode).toBe('none');
    expect(m.services).toEqual([]);
  });

  it('says "unknown", not "none", for a filter listing without the nat table', () => {
    // `iptables -nvL` shows the filter table only: kube-proxy's chains are there, the service
    // rules that tell iptables from IPVS mode are not.
    const m = buildKubeModel(loadFixture('listings/k8s-1.28-etp-local-calico.nft.filter.nvxL.txt'));
    expect(m.ruleset.table('nat')).toBeUndefined();
    expect(m.mode).toBe('unknown');
    expect(m.modeEvidence.map((e) => e.fact).join('\n')).toMatch(
      /kube-proxy's chains are here \(KUBE-.*\), but not the nat table/,
    );
  });

  it('blames the missing nat table when only health-check rules name services', () => {
    const m = buildKubeModel(
      parseText(
        [
          '*filter',
          ':INPUT ACCEPT [0:0]',
          ':FORWARD ACCEPT [0:0]',
          ':OUTPUT ACCEPT [0:0]',
          ':KUBE-NODEPORTS - [0:0]',
          '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
          '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/ingress:https health check node port" -m tcp --dport 30380 -j ACCEPT',
          'COMMIT',
          '',
        ].join('\n'),
      ),
    );
    expect(m.mode).toBe('unknown');
    expect(m.services).toEqual([]);
    const lost = m.warnings.find((w) => w.code === 'fields-lost');
    expect(lost?.message).toBe(
      'the rules name default/ingress:https, but the nat table, which holds their service rules, is not in this input',
    );
  });
});
