/**
 * The Kubernetes view of a ruleset: the service ports, endpoints and load-balancing ladders that
 * kube-proxy's chains encode, read back from the chain graph. This file holds only types (and
 * the signatures of the builder and lookups, re-exported at the end); the logic lives beside it
 * in src/kube/.
 *
 * Everything here points back at the ruleset's own Chain and Rule objects, so consumers (trace,
 * check, report, diff, graph, the TUI) can show the rules behind every fact without searching.
 *
 * Conventions:
 * - `null` means "cannot be known from this input" (a comment-less chain, a listing that does not
 *   print ports, IPVS mode). It never means "none"; empty lists and `false` mean none.
 * - Probabilities are numbers in 0..1 computed from the kernel thresholds (S / 2^31) of the
 *   printed `--probability` values, never assumed to be 1/n.
 * - Addresses are printed without a prefix length (`10.96.0.10`, `fd00::10`); IPv6 endpoints are
 *   written `[fd00::1]:8080` where an address and port are joined.
 *
 * Stable: extend, do not rename. Other stages code against these names.
 */
import type { Counters, Rule } from '../model/rule.js';
import type { Chain, Ruleset } from '../model/ruleset.js';

// ---------------------------------------------------------------------------------------------
// Identity

export type ServiceProtocol = 'tcp' | 'udp' | 'sctp';

/**
 * kube-proxy's ServicePortName: `namespace/name[:portName]` plus the protocol. Any part may be
 * unknown (null) when comments are absent and the chain hash could not be matched.
 */
export interface ServicePortName {
  readonly namespace: string | null;
  readonly name: string | null;
  /**
   * The port's name; `''` for an unnamed port (kube-proxy prints `ns/svc`, or `ns/svc:` before
   * ≈1.19); null when unknown.
   */
  readonly portName: string | null;
  readonly protocol: ServiceProtocol | null;
}

/** Where the identity came from, most trustworthy first. */
export type IdentitySource =
  | 'comment' // kube-proxy's comments, confirmed by the chain hash where one exists
  | 'comment-unverified' // comments, but no service chain to check the hash against
  | 'hash' // recovered by matching the chain hash against names seen elsewhere in the dump
  | 'none'; // no comment and no match: only the chain hash and ClusterIP:port identify it

export interface ServiceIdentity extends ServicePortName {
  /**
   * Stable key for this service port within a dump and across dumps of the same cluster:
   * `ns/name:portName/proto` (`ns/name/proto` for unnamed ports) when known, else
   * `hash:<16-char chain suffix>`, else `ip:<clusterIP>:<port>/<proto>`.
   */
  readonly id: string;
  /** Human label: `default/web:http`, or the chain name / `IP:PORT/proto` when unknown. */
  readonly label: string;
  /** The 16-character suffix shared by KUBE-SVC/SVL/EXT/FW/XLB chains; null if no such chain. */
  readonly chainHash: string | null;
  readonly source: IdentitySource;
  /** The svcPortName string as kube-proxy hashed it (`default/nginx:` in old eras), if known. */
  readonly hashInput: string | null;
  /** True when the comments use the pre-≈1.19 trailing colon for an unnamed port. */
  readonly trailingColon: boolean;
}

// ---------------------------------------------------------------------------------------------
// Service ports

/**
 * ClusterIP, NodePort or LoadBalancer as the rules show them. `ExternalIP` is a ClusterIP
 * service that also has external IPs (the dump cannot tell a ClusterIP service with
 * externalIPs from anything else).
 */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalIP';

export type TrafficPolicy = 'Cluster' | 'Local';

/** Why a service port has the endpoints it has (or not). */
export type EndpointsStatus =
  | 'listed' // endpoints read from KUBE-SVC/SVL/XLB chains
  | 'none' // filter REJECT "has no endpoints" (no usable endpoint anywhere)
  | 'no-local' // only a "has no local endpoints" DROP / KUBE-MARK-DROP for this node
  | 'ipvs' // IPVS mode: endpoints live in the kernel's IPVS table, not in the dump
  | 'unknown'; // the input does not carry the chains (fragment, missing chain)

export interface SessionAffinity {
  /** From `-m recent --rcheck --seconds T`. */
  readonly timeoutSeconds: number | null;
}

/** How an entry rule reaches the service. */
export type EntryKind =
  | 'cluster-ip'
  | 'external-ip'
  | 'load-balancer'
  /** An external IP or a LoadBalancer IP: without comments the rules cannot tell which. */
  | 'external'
  | 'node-port'
  /** A NodePort rule limited to 127.0.0.0/8 (localhost NodePorts, nfacct era). */
  | 'node-port-localhost';

/** One rule in nat KUBE-SERVICES or KUBE-NODEPORTS that leads to this service's chains. */
export interface EntryRule {
  readonly kind: EntryKind;
  readonly rule: Rule;
  /** Destination address matched (no prefix); null for NodePorts (no `-d`) or when unknown. */
  readonly ip: string | null;
  readonly port: number | null;
  readonly protocol: ServiceProtocol | null;
  /** The chain the rule jumps to (KUBE-SVC/SVL/EXT/FW/XLB-…). */
  readonly target: string;
}

/** What kind of filter-table rule speaks for this service. */
export type FilterRuleKind =
  | 'reject-no-endpoints' // REJECT "has no endpoints"
  | 'drop-no-local-endpoints' // DROP "has no local endpoints"
  | 'firewall-drop' // KUBE-PROXY-FIREWALL "traffic not accepted by KUBE-FW-…"
  | 'health-check-accept'; // filter KUBE-NODEPORTS "health check node port" ACCEPT

export interface FilterRule {
  readonly kind: FilterRuleKind;
  /** What the rule's destination tuple is; null for health-check rules. */
  readonly entry: EntryKind | null;
  readonly ip: string | null;
  readonly port: number | null;
  readonly protocol: ServiceProtocol | null;
  readonly rule: Rule;
}

/** A nat rule that marks the packet for masquerade (and the Kubernetes meaning of it). */
export interface MasqueradeRule {
  /** Which traffic the rule concerns. */
  readonly appliesTo:
    | 'cluster-ip' // the ClusterIP rule (`! -s podCIDR`, `! -i bridge` or unconditional)
    | 'external' // all external entry points (KUBE-EXT eTP=Cluster, NodePort/FW/externalIP ≤1.23)
    | 'local-source' // eTP=Local: traffic from the node itself (`--src-type LOCAL`)
    | 'localhost-node-port' // ≤1.23 eTP=Local NodePort from 127.0.0.0/8
    | 'hairpin'; // KUBE-SEP `-s <endpoint>`: a pod reaching itself
  /** The source condition, as the rule states it. */
  readonly sources: SourceCondition;
  readonly rule: Rule;
}

export type SourceCondition =
  | { readonly kind: 'all' }
  | { readonly kind: 'not-cidr'; readonly cidr: string } // ! -s 10.244.0.0/16
  | { readonly kind: 'cidr'; readonly cidr: string } // -s 10.244.1.5/32 (hairpin), 127.0.0.0/8
  | { readonly kind: 'not-interface'; readonly name: string } // ! -i cbr0 / ! -i veth+
  | { readonly kind: 'local-type' } // -m addrtype --src-type LOCAL
  | { readonly kind: 'other'; readonly text: string };

export interface MasqueradeFacts {
  readonly rules: readonly MasqueradeRule[];
  /**
   * ClusterIP traffic: 'all' (--masquerade-all), 'non-pod' (a local-traffic detector excludes
   * pods), 'none' (no rule: no detector configured), null when unknown (no chains).
   */
  readonly clusterIP: 'all' | 'non-pod' | 'none' | null;
  /**
   * External entry points (NodePort, externalIP, LB): 'all' (eTP=Cluster, ≥1.24 and NodePorts),
   * 'non-pod' (1.21–1.23 externalIP rule with a detector), 'local-sources' (eTP=Local: only
   * traffic from the node itself), 'none', or null when there is no external entry point.
   */
  readonly external: 'all' | 'non-pod' | 'local-sources' | 'none' | null;
}

/** The service-level chains of one service port (all share one hash suffix). */
export interface ServiceChains {
  readonly svc: Chain | null;
  readonly svl: Chain | null;
  readonly ext: Chain | null;
  readonly fw: Chain | null;
  readonly xlb: Chain | null;
  /** KUBE-SEP chains reached from the chains above, in first-seen order. */
  readonly seps: readonly Chain[];
}

/** Which endpoint list a ladder balances over. */
export type LadderKind =
  | 'cluster' // KUBE-SVC: every usable endpoint
  | 'local'; // KUBE-SVL (≥1.24) or KUBE-XLB (≤1.23): endpoints on this node

/** One rule of a probability ladder, in chain order. */
export interface LadderStep {
  readonly rule: Rule;
  /** The KUBE-SEP chain the rule jumps to. */
  readonly endpointChain: string;
  /** The conditional probability S/2^31 of the printed value; null for an unconditional rule. */
  readonly conditional: number | null;
  /** The kernel threshold S = round(p·2^31); null for an unconditional rule. */
  readonly kernelThreshold: number | null;
  /** `--mode nth`: every n-th new connection rather than a random draw (share = 1/every). */
  readonly nth: { readonly every: number; readonly packet: number } | null;
  /** Effective probability of a new connection taking this rule: q·Π(1−q_j) over earlier steps. */
  readonly probability: number;
  /** Rule matches besides statistic/comment/recent that make the step depend on the packet. */
  readonly extraConditions: readonly string[];
}

/** A statistical comparison of observed counters against the ladder's probabilities. */
export interface ShareTest {
  readonly method: 'chi-square goodness of fit';
  /** Packets counted on the ladder rules (new connections that were balanced). */
  readonly totalPackets: number;
  /** Chi-square statistic and degrees of freedom (steps with probability > 0, minus 1). */
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  /** Significance level: an endpoint is flagged only when the test rejects at this level. */
  readonly alpha: number;
  /** Minimum expected count per endpoint for the test to be run. */
  readonly minExpected: number;
  readonly verdict:
    | 'consistent' // p ≥ alpha
    | 'off' // p < alpha: at least one endpoint is flagged
    | 'too-few-packets' // some expected count below minExpected
    | 'no-traffic'; // every ladder counter is zero
}

export interface Ladder {
  readonly kind: LadderKind;
  readonly chain: Chain;
  readonly steps: readonly LadderStep[];
  /** `-m recent --rcheck` rules: returning clients go to their endpoint before any draw. */
  readonly affinityRules: readonly Rule[];
  /** Sum of the steps' probabilities (1 for a well-formed ladder, up to rounding of S). */
  readonly total: number;
  /** Probability that a new connection matches no step (1 − total, 0 for a complete ladder). */
  readonly remainder: number;
  /**
   * What happens to the remainder, in words (e.g. "falls off KUBE-SVC-… and returns to
   * KUBE-SERVICES un-DNATed"); null when the remainder is 0.
   */
  readonly remainderFate: string | null;
  /** Steps that can never be reached (after an unconditional step). */
  readonly unreachableSteps: readonly LadderStep[];
  /** Null when the input has no counters. */
  readonly test: ShareTest | null;
}

/** Counters observed for one endpoint on one ladder. */
export interface ObservedShare {
  /** Packets on the ladder rule (new connections balanced to this endpoint). */
  readonly packets: number;
  /** packets / ladder total, or null when the ladder total is 0. */
  readonly share: number | null;
  readonly expected: number;
  /** Standardised residual (o − e) / sqrt(e·(1 − p)). */
  readonly residual: number | null;
  /** True when the ladder's test rejected and this endpoint's residual exceeds the bound. */
  readonly off: boolean;
  /** False when the listing printed rounded counters (the figure is a lower bound). */
  readonly exact: boolean;
}

/** An endpoint's place in one ladder. */
export interface EndpointPath {
  readonly ladder: LadderKind;
  readonly chain: string;
  /** 0-based position in the ladder. */
  readonly position: number;
  readonly step: LadderStep;
  /** Effective probability (= step.probability). */
  readonly probability: number;
  readonly observed: ObservedShare | null;
}

export interface EndpointAffinity {
  /** The `--rcheck` rule in the balancing chain; null when only the `--set` is seen. */
  readonly checkRule: Rule | null;
  /** The `--set` on the DNAT rule in the SEP chain. */
  readonly setRule: Rule | null;
  readonly timeoutSeconds: number | null;
  /** The xt_recent list name (the SEP chain's name). */
  readonly listName: string;
}

export interface Endpoint {
  /** Pod (or node) address, no prefix. Null when the DNAT target cannot be read. */
  readonly ip: string | null;
  readonly port: number | null;
  /** `ip:port` (`[ip]:port` for IPv6), as kube-proxy joins them; null when ip is unknown. */
  readonly address: string | null;
  /** The KUBE-SEP chain. */
  readonly chain: Chain;
  readonly dnatRule: Rule | null;
  /** The `-s <ip> -j KUBE-MARK-MASQ` hairpin rule. */
  readonly hairpinRule: Rule | null;
  /**
   * Probability on the service's primary path: the ladder that ClusterIP traffic uses (KUBE-SVC,
   * or KUBE-SVL with internalTrafficPolicy=Local; the cluster ladder when there is no ClusterIP
   * rule). 0 when only another ladder lists the endpoint (see `paths`); null when no ladder
   * could be read.
   */
  readonly probability: number | null;
  /** One entry per ladder listing this endpoint (cluster, local). */
  readonly paths: readonly EndpointPath[];
  /**
   * True when a local-policy ladder (KUBE-SVL / KUBE-XLB) lists it; false when a local ladder
   * exists and does not; null when the chains cannot tell (no local ladder).
   */
  readonly local: boolean | null;
  readonly affinity: EndpointAffinity | null;
  /** Counters of the DNAT rule (all new connections to this endpoint, every path). */
  readonly counters: Counters | null;
  /** Every rule of the SEP chain and every rule that jumps to it. */
  readonly rules: readonly Rule[];
  /** The comment named this endpoint (`-> ip:port`); null when there is no such comment. */
  readonly commentAddress: string | null;
  /**
   * Whether the SEP chain's name is kube-proxy's hash of this service port and address: true
   * confirms the endpoint belongs to the service (useful without comments); null when the
   * service identity or the address is unknown.
   */
  readonly hashVerified: boolean | null;
}

export type KubeWarningCode =
  | 'ladder-remainder' // the ladder does not sum to 1
  | 'ladder-unreachable' // steps after an unconditional step
  | 'ladder-conditional' // a step with matches that depend on the packet
  | 'ladder-nth' // --mode nth instead of random
  | 'observed-share-off' // counters differ significantly from the ladder
  | 'no-traffic' // the dump has counters and none on this service
  | 'no-endpoints' // REJECT: no usable endpoint
  | 'no-local-endpoints' // DROP / KUBE-MARK-DROP: eTP/iTP Local without local endpoints
  | 'endpoints-in-ipvs' // IPVS mode: the dump does not list endpoints
  | 'hash-mismatch' // chain hash does not match the comment's service name
  | 'identity-unknown' // no comment and no hash match
  | 'missing-chain' // a jump to a chain the dump does not declare
  | 'empty-chain' // a referenced KUBE-SVC/SVL/EXT/SEP chain without rules
  | 'dnat-unreadable' // a SEP without a readable DNAT target
  | 'duplicate-tuple' // two services claim one IP:port/proto; the first in rule order wins
  | 'fields-lost'; // the input format lost a field this view needs

export interface KubeWarning {
  readonly code: KubeWarningCode;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly rules: readonly Rule[];
}

/** A field of the Kubernetes view that this input cannot tell. */
export type KubeUnknown =
  | 'identity'
  | 'port'
  | 'protocol'
  | 'cluster-ip'
  | 'endpoints'
  | 'counters'
  | 'traffic-policy'
  /** Whether `externalIPs` are external IPs or LoadBalancer IPs (no comment labels them). */
  | 'external-kind'
  /** No entry rule is in the input (a fragment): `type` is a guess from the chains. */
  | 'type';

export interface ServicePort {
  readonly identity: ServiceIdentity;
  readonly type: ServiceType;
  readonly protocol: ServiceProtocol | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  /** NodePorts (normally one; the localhost nfacct rule repeats the same port). */
  readonly nodePorts: readonly number[];
  /** External IPs; also addresses that may be either (see `unknowns` 'external-kind'). */
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  /** From KUBE-FW `-s` rules; empty when there are none (or the era does not show them). */
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinity: SessionAffinity | null;
  /** Null when the chains cannot tell (no external entry point, or no chains). */
  readonly externalTrafficPolicy: TrafficPolicy | null;
  readonly internalTrafficPolicy: TrafficPolicy | null;
  readonly healthCheckNodePort: number | null;
  readonly masquerade: MasqueradeFacts;
  readonly chains: ServiceChains;
  readonly entryRules: readonly EntryRule[];
  /** Filter-table rules for this service (no-endpoint REJECT/DROP, firewall, health check). */
  readonly filterRules: readonly FilterRule[];
  /** Rules that mark for drop in nat (≤1.24 KUBE-MARK-DROP in XLB/FW/SVL). */
  readonly markDropRules: readonly Rule[];
  readonly ladders: readonly Ladder[];
  /** Union of the endpoints of all ladders, in cluster-ladder order then local-only ones. */
  readonly endpoints: readonly Endpoint[];
  readonly endpointsStatus: EndpointsStatus;
  /**
   * New connections counted on the entry rules (for a service without nat rules: on its filter
   * REJECT/DROP rules); null without counters. `packets === 0` with counters present means no
   * new connection reached this service since the counters were last zeroed.
   */
  readonly traffic: { readonly packets: number; readonly exact: boolean } | null;
  readonly warnings: readonly KubeWarning[];
  readonly unknowns: readonly KubeUnknown[];
}

// ---------------------------------------------------------------------------------------------
// The whole view

export type ProxyMode =
  | 'iptables'
  | 'ipvs'
  /** kube-proxy chains exist but are empty, with no IPVS signs: nftables mode or a stopped proxy. */
  | 'nftables-leftovers'
  /** No kube-proxy chains at all. */
  | 'none'
  /** A fragment too small to tell, or an input without the nat table. */
  | 'unknown';

export interface Evidence {
  readonly fact: string;
  /** The rule or chain that shows it, when there is one. */
  readonly rule: Rule | null;
  readonly chain: string | null;
}

export interface EraEvidence extends Evidence {
  /** Minor versions this fact allows (inclusive); null = open-ended. */
  readonly minMinor: number | null;
  readonly maxMinor: number | null;
}

export interface EraGuess {
  /** Range of 1.x minor versions consistent with all evidence; null bound = open. */
  readonly minMinor: number | null;
  readonly maxMinor: number | null;
  /** `1.21–1.23`, `≥1.25`, `unknown`. */
  readonly label: string;
  /** Chain layout family: XLB/FW-with-MARK-DROP vs EXT/SVL. */
  readonly layout: 'legacy' | 'modern' | 'unknown';
  readonly evidence: readonly EraEvidence[];
  /** Evidence that contradicts the rest (a mixed or hand-edited dump). */
  readonly conflicts: readonly EraEvidence[];
}

export interface DetectedSoftware {
  /** `docker`, `flannel`, `calico`, `cilium`, `kindnet`, `weave`, `kube-router`, `cni-bridge`, … */
  readonly name: string;
  readonly chains: readonly string[];
}

export interface MarkBit {
  /** The mark value (0x4000 by default). */
  readonly value: number;
  readonly mask: number;
  /** The rule that sets it (KUBE-MARK-MASQ / KUBE-MARK-DROP). */
  readonly rule: Rule;
}

export interface LocalTrafficDetector {
  /** `cidr` = ClusterCIDR/NodeCIDR (`-s cidr`), `interface` = BridgeInterface/InterfaceNamePrefix. */
  readonly kind: 'cidr' | 'interface';
  /** The CIDRs or interface names (`cbr0`, `veth+`). */
  readonly values: readonly string[];
  readonly evidence: readonly Rule[];
}

export interface NodeAddress {
  readonly ip: string;
  readonly confidence: 'certain' | 'likely';
  readonly evidence: Evidence;
}

/** What a chain is to the Kubernetes view (for graph colouring, trace labels, the TUI). */
export type ChainRoleKind =
  | 'services' // nat/filter KUBE-SERVICES
  | 'node-ports'
  | 'external-services'
  | 'proxy-firewall'
  | 'forward'
  | 'postrouting'
  | 'mark-masq'
  | 'mark-drop'
  | 'firewall'
  | 'canary'
  | 'svc'
  | 'svl'
  | 'ext'
  | 'fw'
  | 'xlb'
  | 'sep'
  | 'ipvs'
  | 'other-kube'
  | 'cni'
  | 'docker'
  | 'builtin'
  | 'other';

export interface ChainRole {
  readonly kind: ChainRoleKind;
  readonly table: string;
  readonly chain: string;
  /** The service port whose chain this is (svc/svl/ext/fw/xlb/sep). */
  readonly service: ServicePort | null;
  /** The endpoint whose chain this is (sep). */
  readonly endpoint: Endpoint | null;
}

export interface StaleChain {
  readonly table: string;
  readonly chain: Chain;
  /** Unreferenced: nothing jumps to it. Empty: it has no rules. */
  readonly reason: 'unreferenced' | 'empty' | 'unreferenced-empty';
  /** The service it names in its comments or hash, when known. */
  readonly service: string | null;
}

export interface KubeModel {
  readonly ruleset: Ruleset;
  readonly mode: ProxyMode;
  readonly modeEvidence: readonly Evidence[];
  readonly era: EraGuess;
  readonly family: 'ipv4' | 'ipv6' | 'unknown';
  /** Service ports in dump order of their first entry rule (filter-only ones after). */
  readonly services: readonly ServicePort[];
  /**
   * True when SEP chains lack comments while KUBE-SERVICES rules keep theirs: kube-proxy's
   * >1000-endpoint mode. A dump without any comment (stripped, foreign) is not this mode: see
   * `commentsAbsent`.
   */
  readonly largeClusterMode: boolean;
  /** True when no kube-proxy rule carries a comment at all (hand-stripped or foreign rules). */
  readonly commentsAbsent: boolean;
  readonly software: readonly DetectedSoftware[];
  readonly masqueradeMark: MarkBit | null;
  readonly dropMark: MarkBit | null;
  /** The local-traffic detector kube-proxy runs with, read from masquerade / EXT rules. */
  readonly localDetector: LocalTrafficDetector | null;
  /** Pod CIDRs seen in masquerade and short-circuit rules (`! -s 10.244.0.0/16`). */
  readonly podCIDRs: readonly string[];
  /** Addresses of this node the dump reveals (nodePortAddresses rules, KUBE-FW `-s <LB IP>`…). */
  readonly nodeAddresses: readonly NodeAddress[];
  readonly staleChains: readonly StaleChain[];
  /** Model-wide warnings (per-service ones are on ServicePort.warnings). */
  readonly warnings: readonly KubeWarning[];
  /** Input losses that limit this view (from Ruleset.losses and Rule.unknowns), in words. */
  readonly limitations: readonly string[];
  /** Role of every KUBE-* chain (and CNI/Docker ones) by `table/chain`. */
  readonly chainRoles: ReadonlyMap<string, ChainRole>;
  /**
   * The work that later reads of this model would do (building deferred service ports, the
   * index of which service owns each chain), as jobs of a few milliseconds each, for a caller
   * that does it ahead of time while idle (the browser, after its first screen). Reads do
   * whatever is left; the answers are the same either way.
   */
  readonly warmUpJobs: () => Array<() => void>;
}

/** What `findServicePorts` accepts: `ns/name[:port]`, `name` globs, `IP[:PORT][/proto]`, chains. */
export type ServiceQuery =
  | {
      readonly kind: 'name';
      readonly namespace: string | null;
      readonly name: string;
      readonly portName: string | null;
    }
  | {
      readonly kind: 'address';
      readonly ip: string;
      readonly port: number | null;
      readonly protocol: ServiceProtocol | null;
    }
  | { readonly kind: 'chain'; readonly chain: string };

export type BuildKubeModel = (ruleset: Ruleset) => KubeModel;
export type FindServicePorts = (model: KubeModel, query: string) => readonly ServicePort[];

export { buildKubeModel } from './build.js';
export {
  chainRole,
  findServicePorts,
  findServicePortsByAddress,
  findServicePortsByName,
  parseServiceQuery,
} from './lookup.js';
