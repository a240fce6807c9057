/**
 * kube-proxy's chain names (pkg/proxy/iptables/proxier.go, portProtoHash and
 * servicePortEndpointChainName): PREFIX + the first 16 characters of base32(sha256(input)).
 * Knowing the scheme lets the Kubernetes view confirm a comment's service name against the
 * chain it labels, and recognise a service's chains by their shared 16-character suffix.
 */
import { hash } from 'node:crypto';
import type { ServiceProtocol } from './model.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * RFC 4648 base32, upper case, of the whole 5-bit groups only: callers keep a prefix (kube-proxy
 * its first 16 characters, exactly 10 bytes; the report's pseudonyms a few), so neither padding
 * nor a last character part-filled with zero bits is wanted.
 */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** First 16 characters of base32(sha256(s)): the base32 of the digest's first 10 bytes. */
export function hash16(s: string): string {
  return base32(hash('sha256', s, 'buffer').subarray(0, 10));
}

/** Service-level chain prefixes; all chains of one service port share the hash suffix. */
export const SERVICE_CHAIN_PREFIXES = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-EXT-',
  'KUBE-FW-',
  'KUBE-XLB-',
] as const;
export type ServiceChainPrefix = (typeof SERVICE_CHAIN_PREFIXES)[number];

export const ENDPOINT_CHAIN_PREFIX = 'KUBE-SEP-';

/** `default/web:http` (named port) or `default/web` (unnamed, ≥≈1.19) or `default/web:` (older). */
export function servicePortNameString(
  namespace: string,
  name: string,
  portName: string,
  trailingColon = false,
): string {
  if (portName !== '') return `${namespace}/${name}:${portName}`;
  return trailingColon ? `${namespace}/${name}:` : `${namespace}/${name}`;
}

/** The 16-character suffix of a service port's chains. */
export function serviceChainHash(svcPortName: string, protocol: ServiceProtocol): string {
  return hash16(svcPortName + protocol);
}

/** `ip:port` as Go's net.JoinHostPort writes it (brackets around IPv6 addresses). */
export function joinHostPort(ip: string, port: number | string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The KUBE-SEP-… name of one endpoint of a service port. */
export function endpointChainName(
  svcPortName: string,
  protocol: ServiceProtocol,
  endpoint: string,
): string {
  return ENDPOINT_CHAIN_PREFIX + hash16(svcPortName + protocol + endpoint);
}

/** The prefix and 16-character hash of a service-level chain name, or null. */
export function splitServiceChain(
  chain: string,
): { prefix: ServiceChainPrefix; hash: string } | null {
  for (const prefix of SERVICE_CHAIN_PREFIXES) {
    if (chain.startsWith(prefix) && chain.length > prefix.length) {
      return { prefix, hash: chain.slice(prefix.length) };
    }
  }
  return null;
}

export function isEndpointChain(chain: string): boolean {
  return chain.startsWith(ENDPOINT_CHAIN_PREFIX) && chain.length > ENDPOINT_CHAIN_PREFIX.length;
}

/**
 * The nat chains kube-proxy writes for one service port or one endpoint (KUBE-SVC/SVL/EXT/FW/
 * XLB/SEP-…): most of a large dump, and read only for the services someone looks at.
 */
export function isPerServicePortChain(table: string, chain: string): boolean {
  return table === 'nat' && (splitServiceChain(chain) !== null || isEndpointChain(chain));
}
