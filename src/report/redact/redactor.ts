/**
 * The redactor: consistent pseudonyms for everything in a dump that can name or locate something
 * (addresses, namespaces, service and port names, chain hashes derived from them, comments, host
 * names, interfaces, ipsets). The same key always gives the same pseudonyms; without the key they
 * cannot be reversed. Addresses keep their prefix relations (prefix-preserving.ts).
 *
 * Chain hashes are recomputed from the pseudonyms where the dump shows what they were computed
 * from (a comment naming the service port, confirmed by recomputing the original hash), so a
 * redacted dump is as self-consistent as the original: KUBE-SVC-… still equals the kube-proxy
 * hash of the (pseudonymous) service port name. Other hashes get keyed pseudonyms.
 */
import { formatIp, netMask, parseIp, parseNet, type IpFamily } from '../../model/ip.js';
import { PrefixPreservingMap } from './prefix-preserving.js';
import { Pseudonyms } from './pseudonyms.js';
import {
  COMMENT_VOCABULARY,
  commentWordCore,
  isFixedChainName,
  isFixedNfacctName,
  isFixedSetName,
  isGenericInterface,
  isWellKnownPort,
  isWellKnownService,
  WELL_KNOWN_NAMESPACES,
} from './vocabulary.js';

/** `ns/name[:port]` as kube-proxy writes it (port may be empty: `ns/name:`). */
const SVC_PORT_NAME =
  /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)(?::([-a-z0-9]*))?$/i;
const SVC_PORT_NAME_IN_TEXT =
  /(?<![A-Za-z0-9_.:/-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)(?::([-a-z0-9]*))?(?![A-Za-z0-9_/-])/gi;

/**
 * Address-like and hash-like tokens in any text: `[v6]:port`, IPv6 (with /len), IPv4 (with /len
 * or /mask, and :port), MAC addresses, kube-proxy's hashed chain names, Calico rule ids.
 */
const STRUCTURED =
  /\[([0-9A-Fa-f:.]+)\](:\d+(?:-\d+)?)?|(?<![0-9A-Za-z:.])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*)(\/\d{1,3})?(?![0-9A-Za-z:])|(?<![0-9A-Za-z.])(\d{1,3}(?:\.\d{1,3}){3})(\/(?:\d{1,3}(?:\.\d{1,3}){3}|\d{1,2}))?(:\d+(?:-\d+)?)?(?![0-9.]*\d)|\b(KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]{16})\b|\bcali:([A-Za-z0-9_-]{16})\b/g;

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface RedactorOptions {
  /** The key; a dump's own digest when none is given (see report/redact/key.ts). */
  readonly key: Buffer;
}

export class Redactor {
  private readonly addresses: PrefixPreservingMap;
  private readonly names: Pseudonyms;
  private readonly chains = new Map<string, string>();
  /** Original service-chain hash → pseudonymous hash (shared by SVC/SVL/EXT/FW/XLB). */
  private readonly serviceHashes = new Map<string, string>();
  private dictionary: RegExp | null = null;

  constructor(options: RedactorOptions) {
    this.addresses = new PrefixPreservingMap(options.key);
    this.names = new Pseudonyms(options.key);
  }

  // --- addresses

  /** A plain address (`10.0.0.1`, `fd00::1`); anything else is treated as a host name. */
  ip(text: string): string {
    const ip = parseIp(text);
    if (ip === null) return this.host(text);
    return formatIp(ip.family, this.addresses.map(ip.family, ip.value));
  }

  private mapValue(family: IpFamily, value: bigint): bigint {
    return this.addresses.map(family, value);
  }

  /** `-s`/`-d` text: an address, `addr/len`, `addr/mask`, `anywhere`, or a host name. */
  net(text: string): string {
    if (text === 'anywhere' || text === 'localhost' || text === 'ip6-localhost') return text;
    const slash = text.indexOf('/');
    const addrText = slash === -1 ? text : text.slice(0, slash);
    const suffix = slash === -1 ? '' : text.slice(slash);
    const ip = parseIp(addrText);
    if (ip === null) return this.host(addrText) + suffix;
    let mapped = this.mapValue(ip.family, ip.value);
    const net = slash === -1 ? null : parseNet(text);
    if (net !== null) {
      const mask = netMask(net.family, net.prefix);
      // Keep host bits cleared when the original had them cleared (iptables-save always does).
      if ((ip.value & mask) === ip.value) mapped &= mask;
    }
    return formatIp(ip.family, mapped) + suffix;
  }

  private host(name: string): string {
    return this.names.of('host', name, (d) => `host-${d}`, 8);
  }

  // --- service names

  namespace(ns: string): string {
    if (WELL_KNOWN_NAMESPACES.has(ns)) return ns;
    return this.names.of('namespace', ns, (d) => `ns-${d}`);
  }

  serviceName(ns: string, name: string): string {
    if (isWellKnownService(ns, name)) return name;
    return this.names.of('service', name, (d) => `svc-${d}`);
  }

  portName(ns: string, name: string, port: string): string {
    if (port === '' || isWellKnownPort(ns, name, port)) return port;
    return this.names.of('port', port, (d) => `p-${d}`);
  }

  /** `ns/name[:port]` (as kube-proxy writes it) → the same with pseudonyms; null if not one. */
  svcPortName(word: string): string | null {
    const m = SVC_PORT_NAME.exec(word);
    if (m === null) return null;
    const [, ns, name, port] = m;
    const head = `${this.namespace(ns)}/${this.serviceName(ns, name)}`;
    return port === undefined ? head : `${head}:${this.portName(ns, name, port)}`;
  }

  // --- chains, interfaces, sets

  /** Registers the pseudonym of a service-chain hash (computed by chain-names.ts). */
  setServiceHash(original: string, pseudonym: string): void {
    this.serviceHashes.set(original, pseudonym);
  }

  setChain(original: string, pseudonym: string): void {
    this.chains.set(original, pseudonym);
  }

  hashPseudonym(kind: string, hash: string): string {
    return this.names.of(`hash-${kind}`, hash, (d) => d.toUpperCase(), 16);
  }

  chain(name: string): string {
    const known = this.chains.get(name);
    if (known !== undefined) return known;
    let out: string;
    const m = /^(KUBE-(?:SVC|SVL|EXT|FW|XLB)-)([A-Z2-7]{16})$/.exec(name);
    const sep = /^KUBE-SEP-([A-Z2-7]{16})$/.exec(name);
    if (m !== null) {
      out = m[1] + (this.serviceHashes.get(m[2]) ?? this.hashPseudonym('service', m[2]));
    } else if (sep !== null) {
      out = `KUBE-SEP-${this.hashPseudonym('endpoint', sep[1])}`;
    } else if (isFixedChainName(name)) {
      out = name;
    } else {
      const prefix = name.startsWith('cali') ? 'cali-x' : /[a-z]/.test(name) ? 'chain' : 'CHAIN';
      out = this.names.of(
        'chain',
        name,
        (d) => `${prefix}-${prefix === 'CHAIN' ? d.toUpperCase() : d}`,
        8,
      );
    }
    this.chains.set(name, out);
    return out;
  }

  iface(name: string): string {
    if (isGenericInterface(name)) return name;
    const wildcard = name.endsWith('+');
    const base = wildcard ? name.slice(0, -1) : name;
    return this.names.of('interface', base, (d) => `if-${d}`, 8) + (wildcard ? '+' : '');
  }

  setName(name: string): string {
    if (isFixedSetName(name)) return name;
    return this.names.of('ipset', name, (d) => `set-${d}`, 8);
  }

  nfacctName(name: string): string {
    if (isFixedNfacctName(name)) return name;
    return this.names.of('nfacct', name, (d) => `acct-${d}`, 8);
  }

  /** An xt_recent list: kube-proxy names them after the endpoint chain. */
  recentName(name: string): string {
    if (/^KUBE-SEP-[A-Z2-7]{16}$/.test(name)) return this.chain(name);
    return this.names.of('recent', name, (d) => `list-${d}`, 8);
  }

  // --- text

  /** One structured token (address, chain hash, Calico id) found by STRUCTURED. */
  private structuredToken(match: string, groups: (string | undefined)[]): string {
    const [v6bracket, v6port, v6, v6len, v4, v4suffix, v4port, chain, caliId] = groups;
    if (v6bracket !== undefined) {
      return parseIp(v6bracket) === null ? match : `[${this.ip(v6bracket)}]${v6port ?? ''}`;
    }
    if (v6 !== undefined) {
      if (MAC.test(v6)) return this.names.of('mac', v6.toLowerCase(), (d) => macOf(d), 12);
      if (parseIp(v6) === null) return match;
      return this.net(v6 + (v6len ?? ''));
    }
    if (v4 !== undefined) {
      if (parseIp(v4) === null) return match;
      return this.net(v4 + (v4suffix ?? '')) + (v4port ?? '');
    }
    if (chain !== undefined) return this.chain(chain);
    if (caliId !== undefined) return `cali:${this.names.of('calico-id', caliId, (d) => d, 16)}`;
    return match;
  }

  /** Replaces addresses, MACs, chain hashes and Calico ids in any text. */
  structured(text: string): string {
    return text.replace(STRUCTURED, (match: string, ...rest: unknown[]) =>
      this.structuredToken(match, rest.slice(0, 9) as (string | undefined)[]),
    );
  }

  /** A comment: kept word for word when it is kube-proxy's (or a CNI's) fixed text. */
  comment(text: string): string {
    if (text === '') return text;
    let known = true;
    const words = text.split(' ').map((word) => {
      if (word === '') return word;
      const svc = this.svcPortName(word);
      if (svc !== null) return svc;
      const mapped = this.structured(word);
      if (mapped !== word) return mapped;
      // Only names of chains this dump has; an upper-case word is not a chain name by itself.
      if (this.chains.has(word)) return this.chain(word);
      const core = commentWordCore(word);
      if (core === '' || /^\d+$/.test(core)) return word;
      if (!COMMENT_VOCABULARY.has(core) || this.isSensitiveWord(core)) known = false;
      return word;
    });
    if (known) return words.join(' ');
    return this.names.of('comment', text, (d) => `comment-${d}`, 8);
  }

  /** Free text (problem messages, unmodelled options): every known name and address replaced. */
  text(text: string): string {
    if (text === '') return text;
    let out = text;
    for (const original of this.names.originals('comment')) {
      if (original.length >= 4 && out.includes(original)) {
        out = out.split(original).join(this.comment(original));
      }
    }
    out = this.structured(out);
    out = out.replace(SVC_PORT_NAME_IN_TEXT, (m: string) => this.svcPortName(m) ?? m);
    const dictionary = this.dictionaryRegExp();
    if (dictionary !== null) {
      out = out.replace(dictionary, (m: string) => this.lookupName(m) ?? m);
    }
    return out;
  }

  private readonly sensitiveKinds = [
    'namespace',
    'service',
    'port',
    'host',
    'interface',
    'ipset',
    'chain',
    'nfacct',
    'recent',
  ];
  private sensitiveCache: {
    version: number;
    lower: Set<string>;
    pseudonyms: Map<string, string>;
  } | null = null;

  /** Original names (lower case) and their pseudonyms, rebuilt when new names appear. */
  private sensitive(): { lower: Set<string>; pseudonyms: Map<string, string> } {
    if (this.sensitiveCache === null || this.sensitiveCache.version !== this.names.version) {
      const lower = new Set<string>();
      const pseudonyms = new Map<string, string>();
      for (const kind of this.sensitiveKinds) {
        for (const o of this.names.originals(kind)) {
          lower.add(o.toLowerCase());
          if (!pseudonyms.has(o)) pseudonyms.set(o, this.names.lookup(kind, o) ?? o);
        }
      }
      this.sensitiveCache = { version: this.names.version, lower, pseudonyms };
      this.dictionary = null;
    }
    return this.sensitiveCache;
  }

  private isSensitiveWord(word: string): boolean {
    return this.sensitive().lower.has(word.toLowerCase());
  }

  private lookupName(original: string): string | null {
    return this.sensitive().pseudonyms.get(original) ?? null;
  }

  private dictionaryRegExp(): RegExp | null {
    const { pseudonyms } = this.sensitive();
    if (this.dictionary === null && pseudonyms.size > 0) {
      const sorted = [...pseudonyms.keys()].sort((a, b) => b.length - a.length);
      this.dictionary = new RegExp(
        `(?<![A-Za-z0-9_.-])(?:${sorted.map(escapeRegExp).join('|')})(?![A-Za-z0-9_-])`,
        'g',
      );
    }
    return this.dictionary;
  }

  /** Every original name that was replaced (for tests and the report's redaction note). */
  replacedNames(): string[] {
    return this.sensitiveKinds.flatMap((k) => this.names.originals(k));
  }
}

function macOf(digest: string): string {
  // A locally administered unicast MAC (second hex digit 2, 6, a or e) from the digest.
  const hex = Buffer.from(digest, 'utf8').toString('hex').slice(0, 12);
  const first = ((parseInt(hex.slice(0, 2), 16) & 0xfc) | 0x02).toString(16).padStart(2, '0');
  return [
    first,
    hex.slice(2, 4),
    hex.slice(4, 6),
    hex.slice(6, 8),
    hex.slice(8, 10),
    hex.slice(10, 12),
  ].join(':');
}
