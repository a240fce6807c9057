/**
 * IP addresses and prefixes as numbers, so matching a rule's `-s`/`-d` against a packet is
 * arithmetic rather than string work. IPv4 uses a 32-bit unsigned number; IPv6 a bigint.
 */
export type IpFamily = 4 | 6;

export interface IpNet {
  readonly family: IpFamily;
  /** Network address with host bits as written (iptables-save always prints them cleared). */
  readonly address: bigint;
  readonly prefix: number;
}

const V4_MAX = 0xffffffffn;
const V6_MAX = (1n << 128n) - 1n;

export function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (part.length === 0 || part.length > 3) return null;
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      if (c < 48 || c > 57) return null;
    }
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIpv6(text: string): bigint | null {
  if (text.length < 2 || text.length > 45) return null;
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const doubleColon = head.indexOf('::');
  if (doubleColon !== -1 && head.indexOf('::', doubleColon + 1) !== -1) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (doubleColon !== -1) {
    const left = parseGroups(head.slice(0, doubleColon));
    const right = parseGroups(head.slice(doubleColon + 2));
    if (!left || !right || left.length + right.length > 7) return null;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function parseIp(text: string): { family: IpFamily; value: bigint } | null {
  if (text.includes(':')) {
    const v = parseIpv6(text);
    return v === null ? null : { family: 6, value: v };
  }
  const v = parseIpv4(text);
  return v === null ? null : { family: 4, value: v };
}

/** Parses `10.0.0.0/8`, `10.0.0.1` (a host) or a dotted netmask `10.0.0.0/255.0.0.0`. */
export function parseNet(text: string): IpNet | null {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(p)) {
      prefix = Number(p);
      if (prefix > bits) return null;
    } else if (ip.family === 4) {
      const mask = parseIpv4(p);
      if (mask === null) return null;
      prefix = maskToPrefix(mask, 32);
      if (prefix < 0) return null;
    } else {
      return null;
    }
  }
  return { family: ip.family, address: ip.value, prefix };
}

function maskToPrefix(mask: bigint, bits: number): number {
  let prefix = 0;
  for (let i = bits - 1; i >= 0; i--) {
    if ((mask >> BigInt(i)) & 1n) prefix++;
    else break;
  }
  const max = bits === 32 ? V4_MAX : V6_MAX;
  const expected = prefix === 0 ? 0n : (max << BigInt(bits - prefix)) & max;
  return expected === mask ? prefix : -1;
}

export function netMask(family: IpFamily, prefix: number): bigint {
  const bits = family === 4 ? 32 : 128;
  const max = family === 4 ? V4_MAX : V6_MAX;
  return prefix === 0 ? 0n : (max << BigInt(bits - prefix)) & max;
}

export function netContains(net: IpNet, family: IpFamily, address: bigint): boolean {
  if (net.family !== family) return false;
  const mask = netMask(family, net.prefix);
  return (address & mask) === (net.address & mask);
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function formatNet(net: IpNet): string {
  return `${formatIp(net.family, net.address)}/${net.prefix}`;
}

/**
 * Whether `text` is an address or prefix `parseNet` accepts, without building it: readers check
 * every address of a dump, and most are never needed as numbers.
 */
export function isNetText(text: string): boolean {
  if (text.includes(':')) return parseNet(text) !== null;
  let octets = 0;
  let digits = 0;
  let value = 0;
  let i = 0;
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46 /* . */) {
      if (digits === 0 || ++octets > 3) return false;
      digits = 0;
      value = 0;
    } else if (c === 47 /* / */) {
      break;
    } else return false;
  }
  if (digits === 0 || octets !== 3) return false;
  if (i === n) return true;
  const rest = text.slice(i + 1);
  if (/^\d{1,2}$/.test(rest)) return Number(rest) <= 32;
  return parseNet(text) !== null;
}
