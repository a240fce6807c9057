/**
 * The contract of the packet tracer: what goes in (a Packet and TraceOptions), what comes out
 * (a TraceResult: a branch tree, the distinct outcomes with their probabilities, and every
 * assumption made). The TUI trace view and `report --trace` code against these types, so they
 * only grow: fields are added, never renamed.
 *
 * The engine runs on the Ruleset alone; nothing here depends on the Kubernetes view. Labels
 * (which service an outcome belongs to, which endpoint a destination is) are filled in by the
 * caller afterwards, in `TraceOutcome.label`.
 */
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';

export type TraceProtocol = 'tcp' | 'udp' | 'sctp';

/**
 * Where the first packet of the flow starts:
 * - `pod`: a pod on this node, arriving on the pod bridge / veth (PREROUTING);
 * - `node`: a process on the node itself, hostNetwork pods included (OUTPUT);
 * - `external`: another machine, arriving on the node's outside interface (PREROUTING).
 */
export type PacketOrigin = 'pod' | 'node' | 'external';

export type TraceFamily = 'ipv4' | 'ipv6';

/** The first packet of a new flow, as the engine evaluates it. Addresses are plain IP text. */
export interface Packet {
  readonly family: TraceFamily;
  readonly protocol: TraceProtocol;
  readonly origin: PacketOrigin;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  /** The interface the packet arrives on; null for `node` (locally generated packets have none). */
  readonly inInterface: string | null;
  /**
   * The interface the route to the destination leaves by, when the caller knows it. Null: the
   * engine derives it per hook (route to the pre-/post-DNAT destination) and lists the assumption.
   */
  readonly outInterface: string | null;
  /** The packet mark (skb->mark) on entry; 0 unless something upstream set it. */
  readonly mark: number;
}

/** Where a value the dump cannot state came from, so presenters can show it honestly. */
export type ValueSource = 'given' | 'inferred' | 'default';

export interface TraceOptions {
  /**
   * The node's local addresses (`addrtype LOCAL`, and the INPUT-vs-FORWARD routing decision).
   * Loopback (127.0.0.0/8, ::1) is always local and need not be listed. When absent the engine
   * infers what it can from the dump and lists that as an assumption.
   */
  readonly nodeAddresses?: readonly string[];
  /** The pod CIDR(s) of this node or cluster (pod source address, route to pods via the bridge). */
  readonly podCidrs?: readonly string[];
  /** The interface pods of this node sit behind (`cni0`, `cbr0`, `veth+`...). */
  readonly podInterface?: string;
  /** The node's outside interface (`eth0`): in-interface of external packets, route to others. */
  readonly externalInterface?: string;
  /**
   * Trace a returning client of a ClientIP-affinity service: the `recent --rcheck` rule of the
   * endpoint `IP` or `IP:PORT` matches (a new client has no entry, so by default none does).
   */
  readonly affinityHit?: string;
  /**
   * ipset contents are not in the dump: per set name, the addresses (or CIDRs) that are members.
   * A set not listed here is assumed per `unknownSetMembership`, and that is listed.
   */
  readonly ipsetMembers?: ReadonlyMap<string, readonly string[]>;
  /** How a `-m set` match on a set whose members are not given is evaluated. Default `no-match`. */
  readonly unknownSetMembership?: 'match' | 'no-match';
  /**
   * How a match the engine cannot evaluate (an unmodelled module, a rule with unknown parts) is
   * treated. Default `match` (as kube-proxy's own tracer does); always listed as an assumption.
   */
  readonly unknownMatch?: 'match' | 'no-match';
}

export type TraceHook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/**
 * One thing that happened on the way. `rule` steps are rules whose matches all held (their
 * target then ran); `policy` is a built-in chain's policy taking effect; `route` is the routing
 * decision between hooks; `note` records something without a rule (a RETURN off a chain's end).
 */
export interface TraceStep {
  readonly kind: 'rule' | 'policy' | 'route' | 'note';
  readonly hook: TraceHook | null;
  readonly table: string;
  readonly chain: string;
  /** 1-based rule number inside the chain (`iptables -L --line-numbers`); 0 for non-rule steps. */
  readonly ruleNumber: number;
  /** 1-based line in the input the rule came from; 0 for non-rule steps. */
  readonly line: number;
  /** How deep in user-chain calls the rule sits: 0 in the built-in chain of its hook. */
  readonly depth: number;
  /** The rule itself (for raw views); null for non-rule steps. */
  readonly rule: Rule | null;
  /** The rule's comment, as written in the dump (escape before printing). */
  readonly comment: string | null;
  /** What matched, human-readable: `-d 10.96.0.10/32`, `statistic 0.33333333349 (taken)`. */
  readonly matched: readonly string[];
  /**
   * What the target did: `KUBE-SVC-X`, `goto KUBE-X`, `DNAT 10.244.1.2:80`, `MARK or 0x4000`,
   * `RETURN`, `ACCEPT`, `policy DROP`, `route: local → INPUT`.
   */
  readonly target: string;
}

export type TraceVerdict = 'DNAT' | 'ACCEPT' | 'DROP' | 'REJECT';

/** Where an accepted packet ends up on this node. */
export type TraceDelivery =
  | 'local' // delivered to a local socket (INPUT)
  | 'forwarded' // routed on through FORWARD and POSTROUTING
  | 'sent' // generated on the node and sent out through POSTROUTING
  | 'none'; // dropped or rejected

export interface TraceEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface TraceOutcome {
  readonly verdict: TraceVerdict;
  /** Post-NAT destination for DNAT, the original for ACCEPT without DNAT, null for DROP/REJECT. */
  readonly destination: TraceEndpoint | null;
  /** Share of new flows that end here: the exact product of the conditional branch probabilities. */
  readonly probability: number;
  /** True only when a MASQUERADE (or SNAT) target actually ran in nat POSTROUTING. */
  readonly masquerade: boolean;
  /** Whether the flow carried kube-proxy's masquerade mark at some point (marked ≠ masqueraded). */
  readonly markedForMasquerade: boolean;
  /**
   * The new source address after SNAT/MASQUERADE when it is known (SNAT --to-source, or
   * MASQUERADE out of `lo`, which picks the node address); null when not masqueraded or unknown.
   */
  readonly snatSource: string | null;
  readonly delivery: TraceDelivery;
  /** The rule (or policy) that decided the verdict: the DNAT rule, the DROP/REJECT rule, ... */
  readonly decidingStep: TraceStep;
  /** Every step from the first hook to the end, in order. */
  readonly path: readonly TraceStep[];
  /** Things worth saying about this outcome only (e.g. the source visibly unchanged). */
  readonly notes: readonly string[];
  /** Filled by callers that know the Kubernetes view, e.g. `default/web:http → 10.244.1.5:8080`. */
  label: string | null;
}

/**
 * The branch tree: a node is a run of steps, then either a branch (a probabilistic rule, with
 * one arm for "matched" and one for "not matched") or a leaf naming its outcome.
 */
export interface TraceNode {
  readonly steps: readonly TraceStep[];
  readonly branch: TraceBranch | null;
  /** Index into TraceResult.outcomes for a leaf; null for a node that branches. */
  readonly outcome: number | null;
}

export interface TraceBranch {
  /** The rule that branches (statistic random/nth, or a match assumed both ways). */
  readonly step: TraceStep;
  readonly arms: readonly TraceBranchArm[];
}

export interface TraceBranchArm {
  /** `matched` / `not matched`. */
  readonly label: string;
  /** Probability of this arm given that the branch was reached (kernel threshold / 2^31). */
  readonly conditionalProbability: number;
  /** Probability of reaching the end of this arm's first node from the start of the trace. */
  readonly probability: number;
  readonly node: TraceNode;
}

/** A fact the engine used that the dump does not state, and where it came from. */
export interface TraceFact {
  readonly name: 'node-addresses' | 'pod-cidrs' | 'pod-interface' | 'external-interface';
  readonly values: readonly string[];
  readonly source: ValueSource;
}

export interface TraceResult {
  readonly packet: Packet;
  /** Everything the trace assumed that the dump cannot tell, as sentences for people. */
  readonly assumptions: readonly string[];
  /** The facts behind those assumptions, typed. */
  readonly facts: readonly TraceFact[];
  /** Distinct outcomes (branches with identical outcomes merged), most likely first. */
  readonly outcomes: readonly TraceOutcome[];
  readonly tree: TraceNode;
}

/** The engine's entry point. Indexes the ruleset on first use (cached per Ruleset). */
export type TraceFlow = (ruleset: Ruleset, packet: Packet, options?: TraceOptions) => TraceResult;
