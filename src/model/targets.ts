/**
 * Rule targets (`-j NAME ...` / `-g CHAIN`). A name that is a declared chain of the table is a
 * ChainTarget; the built-in verdicts and the extensions analysis needs are typed; anything else
 * is a GenericTarget with its options verbatim.
 */
import type { MatchOption, PortRange } from './matches.js';

interface TargetBase {
  readonly name: string;
  /** Options the typed form does not model, in input order. */
  readonly extra: readonly MatchOption[];
}

export interface VerdictTarget extends TargetBase {
  readonly kind: 'verdict';
  readonly name: 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE';
}

export interface ChainTarget extends TargetBase {
  readonly kind: 'chain';
  readonly chain: string;
  /** `-g`: the callee's RETURN (or end) returns to this chain's caller, not here. */
  readonly goto: boolean;
}

/** One `--to-destination`/`--to-source` value: `ADDR[-ADDR][:PORT[-PORT]]`. */
export interface NatRange {
  readonly text: string;
  /** Null when only a port was given (`:8080`) or the text is garbled. */
  readonly addressFrom: string | null;
  readonly addressTo: string | null;
  readonly ports: PortRange | null;
}

export interface DnatTarget extends TargetBase {
  readonly kind: 'dnat';
  readonly name: 'DNAT';
  readonly destinations: readonly NatRange[];
  readonly random: boolean;
  readonly persistent: boolean;
}

export interface SnatTarget extends TargetBase {
  readonly kind: 'snat';
  readonly name: 'SNAT';
  readonly sources: readonly NatRange[];
  readonly random: boolean;
  readonly randomFully: boolean;
  readonly persistent: boolean;
}

export interface MasqueradeTarget extends TargetBase {
  readonly kind: 'masquerade';
  readonly name: 'MASQUERADE';
  readonly toPorts: PortRange | null;
  readonly random: boolean;
  readonly randomFully: boolean;
}

export interface RedirectTarget extends TargetBase {
  readonly kind: 'redirect';
  readonly name: 'REDIRECT';
  readonly toPorts: PortRange | null;
}

/**
 * MARK and CONNMARK `--set-xmark`-style operations, normalised: new = (old & ~mask) ^ value.
 * `--or-mark V` is value V mask V, `--xor-mark V` is value V mask 0, `--and-mark V` is value 0
 * mask ~V, `--set-mark V[/M]` is value V mask M|V. iptables-save always prints `--set-xmark`.
 */
export interface MarkTarget extends TargetBase {
  readonly kind: 'mark';
  readonly name: 'MARK' | 'CONNMARK';
  /** Null for CONNMARK save/restore forms, which are kept in `extra`. */
  readonly value: number | null;
  readonly mask: number | null;
}

export interface RejectTarget extends TargetBase {
  readonly kind: 'reject';
  readonly name: 'REJECT';
  /** `icmp-port-unreachable` (the default), `tcp-reset`, ... */
  readonly rejectWith: string;
}

export interface LogTarget extends TargetBase {
  readonly kind: 'log';
  readonly name: 'LOG' | 'NFLOG' | 'ULOG';
  readonly prefix: string | null;
}

export interface GenericTarget extends TargetBase {
  readonly kind: 'generic';
  readonly options: readonly MatchOption[];
  /**
   * Text after the target name that could not be read as options, e.g. `[unsupported revision]`
   * printed by an iptables binary older than the one that wrote the rule.
   */
  readonly unparsed: string | null;
}

export type Target =
  | VerdictTarget
  | ChainTarget
  | DnatTarget
  | SnatTarget
  | MasqueradeTarget
  | RedirectTarget
  | MarkTarget
  | RejectTarget
  | LogTarget
  | GenericTarget;

export const VERDICTS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

/** Target extensions that are not chains even when no chain of that name is declared. */
export const KNOWN_TARGET_EXTENSIONS: ReadonlySet<string> = new Set([
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'NETMAP',
  'MARK',
  'CONNMARK',
  'REJECT',
  'LOG',
  'NFLOG',
  'ULOG',
  'NFQUEUE',
  'CT',
  'NOTRACK',
  'TRACE',
  'TPROXY',
  'TCPMSS',
  'TOS',
  'DSCP',
  'CLASSIFY',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
  'TEE',
  'AUDIT',
  'SET',
  'HMARK',
  'IDLETIMER',
  'LED',
  'RATEEST',
  'SYNPROXY',
  'TTL',
  'HL',
  'ECN',
  'CLUSTERIP',
  'NPT',
  'DNPT',
  'SNPT',
  'MIRROR',
]);
