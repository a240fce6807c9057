/**
 * Option values shared by several modules: ports, marks, address types, states, NAT ranges.
 * Each parser throws a ValueError naming what it expected; callers turn that into a problem at
 * the option's position and keep the option verbatim.
 */
import { isNetText } from '../model/ip.js';
import { AddressMatch } from '../model/rule.js';
import type { MatchOption, PortListMatch, PortMatch, PortRange } from '../model/matches.js';
import type { NatRange } from '../model/targets.js';
import { wellKnownPort } from './services.js';

export class ValueError extends Error {
  constructor(
    message: string,
    public readonly expected: string,
    /** The offending value, to point at it; null to point at the option. */
    public readonly offending: string | null = null,
  ) {
    super(message);
  }
}

/** The one value of an option that takes exactly one (`--dport 80`, `--to-ports 8080`). */
export function single(o: MatchOption): string {
  if (o.args.length !== 1)
    throw new ValueError(
      `${o.name} takes one value, got ${o.args.length === 0 ? 'none' : o.args.length}`,
      `${o.name} VALUE`,
    );
  return o.args[0];
}

function parsePortNumber(text: string): number | null {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : null;
  }
  return null;
}

/** A port or a service name: null for a name this tool cannot resolve. */
function parsePortOrName(text: string): number | null {
  const n = parsePortNumber(text);
  if (n !== null) return n;
  if (/^[A-Za-z][A-Za-z0-9._-]*$/.test(text)) return wellKnownPort(text);
  throw new ValueError(`invalid port "${text}"`, 'a port number 0-65535 or a service name', text);
}

/** `80`, `30000:32767`, `:1024`, `https` (as `-L` without `-n` prints). */
export function parsePortRange(text: string): PortRange | null {
  const sep = text.indexOf(':');
  if (sep === -1) {
    const p = parsePortOrName(text);
    return p === null ? null : { from: p, to: p };
  }
  const a = sep === 0 ? 0 : parsePortOrName(text.slice(0, sep));
  const b = sep === text.length - 1 ? 65535 : parsePortOrName(text.slice(sep + 1));
  if (a === null || b === null) return null;
  if (a > b)
    throw new ValueError(`port range "${text}" is reversed`, 'FROM:TO with FROM <= TO', text);
  return { from: a, to: b };
}

export function parsePortMatch(text: string, negated: boolean): PortMatch {
  return { negated, range: parsePortRange(text), text };
}

export function parsePortList(text: string, negated: boolean): PortListMatch {
  const ranges = text.split(',').map((item) => {
    if (item === '') throw new ValueError(`empty item in port list "${text}"`, 'PORT[,PORT...]');
    // multiport writes ranges with ':'.
    return parsePortRange(item);
  });
  return { negated, ranges, text };
}

/** Marks are 32-bit; iptables prints them in hex (`0x4000`) but accepts decimal. */
export function parseMarkNumber(text: string): number {
  let n: number;
  if (/^0x[0-9a-fA-F]{1,8}$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^\d{1,10}$/.test(text)) n = Number(text);
  else throw new ValueError(`invalid mark value "${text}"`, 'a 32-bit number such as 0x4000', text);
  if (n > 0xffffffff) throw new ValueError(`mark value "${text}" exceeds 32 bits`, '0..0xffffffff');
  return n;
}

/** `VALUE[/MASK]`; the mask defaults to all ones. */
export function parseMarkPair(text: string): { value: number; mask: number | null } {
  const slash = text.indexOf('/');
  if (slash === -1) return { value: parseMarkNumber(text), mask: null };
  return {
    value: parseMarkNumber(text.slice(0, slash)),
    mask: parseMarkNumber(text.slice(slash + 1)),
  };
}

const addressCache = [new Map<string, AddressMatch>(), new Map<string, AddressMatch>()];

/** Forgets shared address objects; readers call it before each input. */
export function resetAddressCache(): void {
  addressCache[0].clear();
  addressCache[1].clear();
}

/** Address objects are immutable, so equal addresses of a dump share one object. */
export function parseAddress(text: string, negated: boolean): AddressMatch {
  const cache = addressCache[negated ? 1 : 0];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const address = newAddress(text, negated);
  cache.set(text, address);
  return address;
}

/** A new address object (for callers that share them by other means); throws if invalid. */
export function newAddress(text: string, negated: boolean): AddressMatch {
  if (
    isNetText(text) ||
    // A host name as `-L` without `-n` prints it: kept, never resolved by guessing.
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\/\d{1,3})?$/.test(text)
  ) {
    return new AddressMatch(negated, text);
  }
  throw new ValueError(
    `invalid address "${text}"`,
    'an IPv4 or IPv6 address with optional /prefix',
    text,
  );
}

export function parseUnsigned(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text))
    throw new ValueError(`invalid ${what} "${text}"`, `a whole number for ${what}`, text);
  return Number(text);
}

/** `ADDR[-ADDR][:PORT[-PORT]]`, IPv6 in brackets: `[fd00::1]:8080`. */
export function parseNatRange(text: string): NatRange {
  let addressPart = text;
  let portPart: string | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw new ValueError(`unterminated "[" in "${text}"`, '[IPv6]:PORT');
    addressPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(':')) portPart = rest.slice(1);
    else if (rest !== '') throw new ValueError(`unexpected "${rest}" in "${text}"`, '[IPv6]:PORT');
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const c = text.indexOf(':');
      addressPart = text.slice(0, c);
      portPart = text.slice(c + 1);
    } else if (colons > 1) {
      addressPart = text; // bare IPv6 address without a port
    }
  }
  let addressFrom: string | null = null;
  let addressTo: string | null = null;
  if (addressPart !== '') {
    const dash = addressPart.indexOf('-');
    addressFrom = dash === -1 ? addressPart : addressPart.slice(0, dash);
    addressTo = dash === -1 ? addressPart : addressPart.slice(dash + 1);
    if (!isNetText(addressFrom) || !isNetText(addressTo))
      throw new ValueError(`invalid address in "${text}"`, 'ADDR[-ADDR][:PORT[-PORT]]');
  }
  let ports: PortRange | null = null;
  if (portPart !== null) {
    const [a, b] = portPart.split('-');
    const from = parsePortNumber(a);
    const to = b === undefined ? from : parsePortNumber(b);
    if (from === null || to === null)
      throw new ValueError(`invalid port in "${text}"`, 'ADDR[-ADDR][:PORT[-PORT]]');
    ports = from === to ? singlePort(from) : { from, to };
  }
  return { text, addressFrom, addressTo, ports };
}

/** Port ranges are immutable: one object per single port (every DNAT of a dump names one). */
const singlePorts = new Array<PortRange | undefined>(65536);

function singlePort(port: number): PortRange {
  let range = singlePorts[port];
  if (range === undefined) {
    range = { from: port, to: port };
    singlePorts[port] = range;
  }
  return range;
}

/** `80`, `80-90` (MASQUERADE/REDIRECT `--to-ports`). */
export function parseToPorts(text: string): PortRange {
  const [a, b] = text.split('-');
  const from = parsePortNumber(a);
  const to = b === undefined ? from : parsePortNumber(b);
  if (from === null || to === null)
    throw new ValueError(`invalid port range "${text}"`, 'PORT[-PORT]');
  return { from, to };
}
