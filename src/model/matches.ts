/**
 * Typed match modules (`-m NAME ...`). Every module kube-proxy, Docker, Flannel, Calico and
 * Cilium emit has a typed entry; anything else is a GenericMatch holding its options verbatim,
 * so nothing in a dump is ever dropped. Options of a known module that the typed form does not
 * model are kept in `extra`.
 */
import type { InterfaceMatch } from './rule.js';

/** One `[!] --name arg...` option as written. */
export interface MatchOption {
  readonly name: string;
  readonly negated: boolean;
  readonly args: readonly string[];
}

interface MatchBase {
  /** The `-m` module name as written (`tcp`, `conntrack`, `state`, ...). */
  readonly module: string;
  /** Options of this module that the typed form does not model, in input order. */
  readonly extra: readonly MatchOption[];
}

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface PortMatch {
  readonly negated: boolean;
  /** Null when the port was printed as a service name that cannot be resolved (`dpt:myapp`). */
  readonly range: PortRange | null;
  /** As printed (`80`, `30000:32767`, `https`). */
  readonly text: string;
}

export interface PortListMatch {
  readonly negated: boolean;
  /** One entry per comma-separated item; null where a service name could not be resolved. */
  readonly ranges: readonly (PortRange | null)[];
  readonly text: string;
}

export interface CommentMatch extends MatchBase {
  readonly kind: 'comment';
  readonly text: string;
}

/** The tcp, udp and sctp modules (the same port options). */
export interface ProtocolPortsMatch extends MatchBase {
  readonly kind: 'ports';
  readonly module: 'tcp' | 'udp' | 'sctp' | 'udplite' | 'dccp';
  readonly sourcePort: PortMatch | null;
  readonly destinationPort: PortMatch | null;
  /** `--tcp-flags MASK COMP` (`--syn` is saved as `--tcp-flags FIN,SYN,RST,ACK SYN`). */
  readonly tcpFlags: {
    readonly negated: boolean;
    readonly mask: readonly string[];
    readonly compare: readonly string[];
  } | null;
}

export interface MultiportMatch extends MatchBase {
  readonly kind: 'multiport';
  readonly sourcePorts: PortListMatch | null;
  readonly destinationPorts: PortListMatch | null;
  /** `--ports`: either source or destination. */
  readonly ports: PortListMatch | null;
}

export interface StatisticRandomMatch extends MatchBase {
  readonly kind: 'statistic';
  readonly mode: 'random';
  readonly negated: boolean;
  /** The probability as printed. */
  readonly probability: number;
  readonly probabilityText: string;
  /**
   * The value the kernel stores, `round(p * 2^31)`; it matches when `(random & 0x7fffffff) < S`,
   * so the rule's exact probability is `S / 2^31`.
   */
  readonly kernelThreshold: number;
}

export interface StatisticNthMatch extends MatchBase {
  readonly kind: 'statistic';
  readonly mode: 'nth';
  readonly negated: boolean;
  readonly every: number;
  readonly packet: number;
}

export type StatisticMatch = StatisticRandomMatch | StatisticNthMatch;

export interface RecentMatch extends MatchBase {
  readonly kind: 'recent';
  readonly negated: boolean;
  readonly command: 'set' | 'rcheck' | 'update' | 'remove';
  readonly name: string;
  readonly seconds: number | null;
  readonly hitcount: number | null;
  readonly reap: boolean;
  readonly rttl: boolean;
  readonly mask: string | null;
  readonly side: 'source' | 'dest';
}

/** `-m mark` and `-m connmark`: matches when `(mark & mask) == value`. */
export interface MarkMatch extends MatchBase {
  readonly kind: 'mark';
  readonly module: 'mark' | 'connmark';
  readonly negated: boolean;
  readonly value: number;
  readonly mask: number;
}

export interface AddressTypeTest {
  readonly negated: boolean;
  /** Upper-case route types: LOCAL, UNICAST, BROADCAST, ... */
  readonly types: readonly string[];
}

export interface AddrtypeMatch extends MatchBase {
  readonly kind: 'addrtype';
  readonly sourceType: AddressTypeTest | null;
  readonly destinationType: AddressTypeTest | null;
  readonly limitIfaceIn: boolean;
  readonly limitIfaceOut: boolean;
}

export interface StateSet {
  readonly negated: boolean;
  /** Upper-case states: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT, DNAT. */
  readonly states: readonly string[];
}

/** `-m conntrack --ctstate` and the older `-m state --state` (same meaning for states). */
export interface ConntrackMatch extends MatchBase {
  readonly kind: 'conntrack';
  readonly module: 'conntrack' | 'state';
  readonly state: StateSet | null;
  readonly status: StateSet | null;
}

export interface SetMatch extends MatchBase {
  readonly kind: 'set';
  readonly negated: boolean;
  /** The ipset name; its members are not in the dump. */
  readonly setName: string;
  readonly flags: readonly ('src' | 'dst')[];
}

export interface NegatableFlag {
  readonly negated: boolean;
}

export interface PhysdevMatch extends MatchBase {
  readonly kind: 'physdev';
  readonly physdevIn: InterfaceMatch | null;
  readonly physdevOut: InterfaceMatch | null;
  readonly isIn: NegatableFlag | null;
  readonly isOut: NegatableFlag | null;
  readonly isBridged: NegatableFlag | null;
}

export interface RpfilterMatch extends MatchBase {
  readonly kind: 'rpfilter';
  readonly loose: boolean;
  readonly validMark: boolean;
  readonly acceptLocal: boolean;
  readonly invert: boolean;
}

export interface NfacctMatch extends MatchBase {
  readonly kind: 'nfacct';
  readonly name: string;
}

export interface GenericMatch extends MatchBase {
  readonly kind: 'generic';
  readonly options: readonly MatchOption[];
}

export type Match =
  | CommentMatch
  | ProtocolPortsMatch
  | MultiportMatch
  | StatisticMatch
  | RecentMatch
  | MarkMatch
  | AddrtypeMatch
  | ConntrackMatch
  | SetMatch
  | PhysdevMatch
  | RpfilterMatch
  | NfacctMatch
  | GenericMatch;

export type MatchKind = Match['kind'];

/** 2^31: the statistic module's probability scale. */
export const STATISTIC_SCALE = 2147483648;
