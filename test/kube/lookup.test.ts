import { describe, expect, it } from 'vitest';
import { buildKubeModel } from '../../src/kube/build.js';
import { chainRole, findServicePorts, parseServiceQuery } from '../../src/kube/lookup.js';
import { loadFixture } from '../helpers.js';

const labels = (xs: readonly { identity: { label: string } }[]): string[] =>
  xs.map((x) => x.identity.label);

describe('finding service ports', () => {
  const calico = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));
  const kindnet = buildKubeModel(loadFixture('k8s-1.23-kindnet.save'));
  const v6 = buildKubeModel(loadFixture('k8s-1.28-ipv6.save'));

  it('reads what people type', () => {
    expect(parseServiceQuery('default/web:http')).toEqual({
      kind: 'name',
      namespace: 'default',
      name: 'web',
      portName: 'http',
    });
    expect(parseServiceQuery('10.96.0.10:80/udp')).toEqual({
      kind: 'address',
      ip: '10.96.0.10',
      port: 80,
      protocol: 'udp',
    });
    expect(parseServiceQuery('[fd00:10:96:0::5d2e]:80')).toEqual({
      kind: 'address',
      ip: 'fd00:10:96::5d2e',
      port: 80,
      protocol: null,
    });
    expect(parseServiceQuery('KUBE-SVC-CDGGSHYLG3RE2FKL')).toEqual({
      kind: 'chain',
      chain: 'KUBE-SVC-CDGGSHYLG3RE2FKL',
    });
    expect(parseServiceQuery('  ')).toBeNull();
  });

  it('by ns/name[:port], with globs, all ports when the port is left out', () => {
    expect(labels(findServicePorts(calico, 'default/web:http'))).toEqual(['default/web:http']);
    expect(labels(findServicePorts(kindnet, 'ingress-nginx/ingress-nginx-controller'))).toEqual([
      'ingress-nginx/ingress-nginx-controller:http',
      'ingress-nginx/ingress-nginx-controller:https',
    ]);
    expect(labels(findServicePorts(calico, 'kube-system/kube-dns:dns*'))).toHaveLength(2);
    expect(labels(findServicePorts(calico, 'web'))).toEqual(['default/web:http']);
    expect(findServicePorts(calico, 'default/nothing')).toEqual([]);
  });

  it('by ClusterIP, external IP, LB IP, NodePort and endpoint address', () => {
    expect(labels(findServicePorts(calico, '10.96.0.10:80'))).toEqual(['default/web:http']);
    expect(labels(findServicePorts(calico, '192.0.2.50:80'))).toEqual(['default/web:http']);
    expect(labels(findServicePorts(calico, '203.0.113.20:80'))).toEqual(['default/shop-lb:http']);
    expect(labels(findServicePorts(calico, '192.168.1.11:31080'))).toEqual([
      'default/shop-lb:http',
    ]);
    expect(labels(findServicePorts(calico, '10.244.3.9:8080'))).toEqual(['default/web:http']);
    expect(labels(findServicePorts(calico, '10.96.0.53:53/udp'))).toEqual([
      'kube-system/kube-dns:dns',
    ]);
    expect(labels(findServicePorts(v6, '[fd00:10:96::5d2e]:80'))).toEqual(['default/web:http']);
  });

  it('by chain name', () => {
    expect(labels(findServicePorts(calico, 'KUBE-EXT-XT7WTEKTAV6QWUS4'))).toEqual([
      'default/shop-lb:http',
    ]);
    expect(chainRole(calico, 'nat', 'KUBE-FW-DAPVQ4ILVDCX2SMZ')?.service?.identity.label).toBe(
      'default/admin-lb:https',
    );
  });
});
