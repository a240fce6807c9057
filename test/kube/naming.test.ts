import { describe, expect, it } from 'vitest';
import {
  endpointChainName,
  hash16,
  joinHostPort,
  serviceChainHash,
  servicePortNameString,
  splitServiceChain,
} from '../../src/kube/naming.js';

describe('kube-proxy chain names', () => {
  // The verified vectors of kube-proxy-iptables.md §2.2.
  it.each([
    ['default/kubernetes:https', 'tcp', 'NPX46M4PTMTKRN6Y'],
    ['kube-system/kube-dns:dns', 'udp', 'TCOU7JCQXEZGVUNU'],
    ['kube-system/kube-dns:dns-tcp', 'tcp', 'ERIFXISQEP7F7OF4'],
    ['kube-system/kube-dns:metrics', 'tcp', 'JD5MR3NA4I4DYORP'],
    ['ns1/svc1:p80', 'tcp', 'XPGD46QRK7WJZT7O'],
    ['default/nginx', 'tcp', '2CMXP7HKUVJN7L6M'],
    ['default/hostnames:', 'tcp', 'NWV5X2332I4OT4T3'],
  ] as const)('%s + %s → KUBE-SVC-%s', (name, proto, hash) => {
    expect(serviceChainHash(name, proto)).toBe(hash);
  });

  it('names endpoint chains from service, protocol and ip:port', () => {
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe(
      'KUBE-SEP-SXIVWICOYRO3J4NJ',
    );
  });

  it('brackets IPv6 addresses as Go net.JoinHostPort does', () => {
    expect(joinHostPort('fd00::1', 8080)).toBe('[fd00::1]:8080');
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
  });

  it('writes unnamed ports with and without the old trailing colon', () => {
    expect(servicePortNameString('default', 'nginx', '')).toBe('default/nginx');
    expect(servicePortNameString('default', 'nginx', '', true)).toBe('default/nginx:');
    expect(servicePortNameString('default', 'web', 'http')).toBe('default/web:http');
  });

  it('is 16 characters of base32', () => {
    expect(hash16('anything')).toMatch(/^[A-Z2-7]{16}$/);
  });

  it('splits service-level chain names by prefix', () => {
    expect(splitServiceChain('KUBE-SVL-ABC')).toEqual({ prefix: 'KUBE-SVL-', hash: 'ABC' });
    expect(splitServiceChain('KUBE-SEP-ABC')).toBeNull();
    expect(splitServiceChain('KUBE-SERVICES')).toBeNull();
  });
});
