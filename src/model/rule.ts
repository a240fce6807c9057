/**
 * One rule, typed for analysis. The shape is the same whatever format the rule was read from
 * (iptables-save, `-S`, `-L` listings, fragments); what a format could not tell is recorded in
 * `unknowns` rather than guessed.
 */
import { parseNet, type IpNet } from './ip.js';
import type { Match } from './matches.js';
import type { Target } from './targets.js';

export interface Counters {
  readonly packets: number;
  readonly bytes: number;
  /**
   * False when the listing printed a rounded figure (`1651K`, `28M`): `packets`/`bytes` are the
   * lowest values that print that way and `packetsUpper`/`bytesUpper` the highest (iptables
   * rounds, so `124K` covers 123500..124499).
   */
  readonly exact: boolean;
  readonly packetsUpper?: number;
  readonly bytesUpper?: number;
}

/**
 * A `-s`/`-d` address. The numeric form is computed on first use: most addresses of a large dump
 * are never matched against anything, and a bigint per address costs real memory.
 */
export class AddressMatch {
  private cached: IpNet | null | undefined = undefined;

  constructor(
    readonly negated: boolean,
    /** As printed, e.g. `10.96.0.10/32`, `anywhere`, `k8s-cp/24`. */
    readonly text: string,
  ) {}

  /** Null when the text is a host name that cannot be resolved from the dump (`-L` without `-n`). */
  get net(): IpNet | null {
    if (this.cached === undefined)
      this.cached = this.text === 'anywhere' ? ANY_V4 : parseNet(this.text);
    return this.cached;
  }
}

const ANY_V4: IpNet = { family: 4, address: 0n, prefix: 0 };

export interface InterfaceMatch {
  readonly negated: boolean;
  /** May end in `+`, the iptables wildcard. */
  readonly name: string;
}

export interface ProtocolMatch {
  readonly negated: boolean;
  /** Lower-case protocol name (`tcp`, `udp`, `sctp`, `icmp`, `all`) or a number as text. */
  readonly name: string;
}

/**
 * A piece of information the input format did not carry for this rule, so later stages can
 * say "cannot be known from this input" instead of inventing a value.
 */
export type RuleUnknown =
  | 'table' // listing without `-t` context and no unambiguous chain name
  | 'chain' // grep fragment of a listing: the chain header was cut away
  | 'counters'
  | 'address-names' // `-L` without `-n`: host names in address columns
  | 'port-names' // `-L` without `-n`: service names in ports that are not well known
  | 'match-details' // listing text that could not be mapped to a typed match
  | 'target-options'
  | 'interfaces'; // `-L` without `-v`: `-i`/`-o` were not printed

export class Rule {
  /** 1-based position inside its chain, as `iptables -L --line-numbers` counts. */
  index = 0;
  counters: Counters | null = null;
  protocol: ProtocolMatch | null = null;
  source: AddressMatch | null = null;
  destination: AddressMatch | null = null;
  inInterface: InterfaceMatch | null = null;
  outInterface: InterfaceMatch | null = null;
  /** `-f` / `! -f`: second and later fragments only (IPv4). */
  fragment: { readonly negated: boolean } | null = null;
  /**
   * Read-only: readers share one list between rules with the same matches. To change a rule's
   * matches, assign a new list.
   */
  matches: readonly Match[] = [];
  /** Null for a rule without `-j`/`-g` (it only counts packets, like the KUBE-FW trailer). */
  target: Target | null = null;
  unknowns: RuleUnknown[] | null = null;
  /** 1-based column of the `-j`/`-g` in the input line, 0 if none; for diagnostics. */
  targetColumn = 0;

  constructor(
    public readonly table: string,
    public readonly chain: string,
    /** 1-based line of the input the rule came from. */
    public readonly line: number,
    /** 1-based column of the rule text inside that line (after a counter prefix or a prompt). */
    public readonly column: number,
  ) {}

  /** The comment of the rule (`-m comment --comment`), or null. */
  get comment(): string | null {
    for (const m of this.matches) if (m.kind === 'comment') return m.text;
    return null;
  }

  /** The name of the chain this rule jumps or goes to, or null if its target is not a chain. */
  get jumpChain(): string | null {
    return this.target !== null && this.target.kind === 'chain' ? this.target.chain : null;
  }

  markUnknown(what: RuleUnknown): void {
    if (this.unknowns === null) this.unknowns = [what];
    else if (!this.unknowns.includes(what)) this.unknowns.push(what);
  }
}

/**
 * A copy of `rule` placed in another table and chain: readers of fragments build rules before
 * they know where they belong, and the Kubernetes view places rows of unknown chains.
 */
export function relocateRule(rule: Rule, table: string, chain: string): Rule {
  // Every field copied as it is (whatever fields Rule has), then the two that change.
  const moved = Object.assign(Object.create(Rule.prototype) as Rule, rule);
  return Object.assign(moved, { table, chain });
}
