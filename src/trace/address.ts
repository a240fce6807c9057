/**
 * Addresses as the engine handles them: a family and a number, plus small sets of addresses and
 * prefixes. Text in, text out; bigint in between so `-s`/`-d` tests are arithmetic.
 */
import {
  formatIp,
  netContains,
  parseIp,
  parseNet,
  type IpFamily,
  type IpNet,
} from '../model/ip.js';
import type { AddressMatch } from '../model/rule.js';
import type { TraceFamily } from './types.js';

export interface Ip {
  readonly family: IpFamily;
  readonly value: bigint;
}

export function ipFamilyOf(family: TraceFamily): IpFamily {
  return family === 'ipv6' ? 6 : 4;
}

export function traceFamilyOf(family: IpFamily): TraceFamily {
  return family === 6 ? 'ipv6' : 'ipv4';
}

export function toIp(text: string): Ip | null {
  const ip = parseIp(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  return ip === null ? null : { family: ip.family, value: ip.value };
}

export function ipText(ip: Ip): string {
  return formatIp(ip.family, ip.value);
}

/** `10.0.0.1:80`, or `[fd00::1]:80` for IPv6 (as DNAT targets and JoinHostPort print them). */
export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A key that identifies one address in maps: its canonical text (`10.96.0.10`, `fd00::a`). */
export function ipKey(ip: Ip): string {
  return formatIp(ip.family, ip.value);
}

// Canonical dotted quad (no leading zeros), optionally with /32: the form iptables-save prints.
const CANONICAL_V4_HOST =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\/32)?$/;

/**
 * The ipKey of a `-s`/`-d` that names one host, or null when it names a network, is negated
 * or cannot be read. Works on the text where it can: a large dump has hundreds of thousands of
 * addresses, and turning each into a number costs time and memory for nothing.
 */
export function hostKeyOf(a: AddressMatch | null): string | null {
  if (a === null || a.negated || a.text === 'anywhere') return null;
  const t = a.text;
  if (CANONICAL_V4_HOST.test(t)) return t.endsWith('/32') ? t.slice(0, -3) : t;
  if (!t.includes(':')) return null;
  const net = a.net;
  return net !== null && isHostNet(net) ? formatIp(net.family, net.address) : null;
}

/** True when the text is certainly a single host (`/32`, `/128`): no need to parse it. */
export function isHostText(text: string): boolean {
  return text.endsWith('/32') || text.endsWith('/128') || !text.includes('/');
}

export function isHostNet(net: IpNet): boolean {
  return net.prefix === (net.family === 4 ? 32 : 128);
}

export const LOOPBACK_V4: IpNet = { family: 4, address: 0x7f000000n, prefix: 8 };
export const LOOPBACK_V6: IpNet = { family: 6, address: 1n, prefix: 128 };
const MULTICAST_V4: IpNet = { family: 4, address: 0xe0000000n, prefix: 4 };
const MULTICAST_V6: IpNet = { family: 6, address: 0xffn << 120n, prefix: 8 };

export function isLoopback(ip: Ip): boolean {
  return netContains(ip.family === 4 ? LOOPBACK_V4 : LOOPBACK_V6, ip.family, ip.value);
}

export function isMulticast(ip: Ip): boolean {
  return netContains(ip.family === 4 ? MULTICAST_V4 : MULTICAST_V6, ip.family, ip.value);
}

export function isLimitedBroadcast(ip: Ip): boolean {
  return ip.family === 4 && ip.value === 0xffffffffn;
}

/** A set of prefixes (hosts are /32 or /128), tested by containment. */
export class NetSet {
  private readonly hosts = new Set<string>();
  private readonly nets: IpNet[] = [];

  constructor(nets: Iterable<IpNet> = []) {
    for (const n of nets) this.add(n);
  }

  add(net: IpNet): void {
    if (isHostNet(net)) this.hosts.add(ipKey({ family: net.family, value: net.address }));
    else this.nets.push(net);
  }

  has(ip: Ip): boolean {
    if (this.hosts.has(ipKey(ip))) return true;
    for (const n of this.nets) if (netContains(n, ip.family, ip.value)) return true;
    return false;
  }
}

/** Parses an address or CIDR the user gave; null when it is not one. */
export function parseNetText(text: string): IpNet | null {
  return parseNet(text.trim());
}

/** The first host address of a prefix (`10.244.1.0/24` → 10.244.1.1), where a bridge usually sits. */
export function firstHost(net: IpNet): Ip {
  return { family: net.family, value: net.address + 1n };
}
