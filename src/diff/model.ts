/**
 * The difference between two Kubernetes views (two dumps: before/after a change, or node A vs
 * node B). Plain data, no references into either ruleset, so it serialises as it is.
 *
 * Direction is always A → B, as in `git diff A B`: `added` means only in B, `removed` only in A.
 */
import type { ChainRoleKind } from '../kube/model.js';

export type ChangeStatus = 'added' | 'removed' | 'changed';

/** A value as the diff reports it: text, a number, a list, or null for "not known/none". */
export type FieldValue = string | number | boolean | null | readonly (string | number)[];

/** Service-port fields the diff compares. */
export type ServiceField =
  | 'type'
  | 'protocol'
  | 'port'
  | 'clusterIP'
  | 'nodePorts'
  | 'externalIPs'
  | 'loadBalancerIPs'
  /** External and LoadBalancer IPs together, when a dump without comments cannot tell them apart. */
  | 'externalAddresses'
  | 'loadBalancerSourceRanges'
  | 'sessionAffinity'
  | 'externalTrafficPolicy'
  | 'internalTrafficPolicy'
  | 'healthCheckNodePort'
  | 'masqueradeClusterIP'
  | 'masqueradeExternal'
  | 'endpointsStatus'
  | 'chainHash';

export interface FieldChange<F extends string = ServiceField> {
  readonly field: F;
  readonly a: FieldValue;
  readonly b: FieldValue;
  /**
   * True for a difference that two healthy nodes of one cluster are expected to show (which
   * endpoints are local to the node), as opposed to one in the cluster-wide state.
   */
  readonly nodeLocal: boolean;
}

/** One endpoint as one dump shows it. */
export interface EndpointState {
  /** `ip:port`; null when the DNAT target could not be read. */
  readonly address: string | null;
  /** The KUBE-SEP chain. */
  readonly chain: string;
  /** Effective probability in the cluster ladder (KUBE-SVC); null when that ladder omits it. */
  readonly clusterProbability: number | null;
  /** Effective probability in the local ladder (KUBE-SVL/XLB); null when it omits it. */
  readonly localProbability: number | null;
  /** On this node (listed by a local ladder); null when the dump cannot tell. */
  readonly local: boolean | null;
  /** Has a session-affinity (`-m recent`) rule. */
  readonly affinity: boolean;
}

// The SEP chain name is not compared: for one address it changes only with the service's hash
// input, which the service-level `chainHash` change already reports.
export type EndpointField = 'clusterProbability' | 'localProbability' | 'local' | 'affinity';

export interface EndpointDiff {
  /** The address, or the SEP chain name when the address is unknown. */
  readonly key: string;
  readonly status: ChangeStatus;
  readonly a: EndpointState | null;
  readonly b: EndpointState | null;
  /** For `changed`: which fields differ. */
  readonly fields: readonly EndpointField[];
  /**
   * True when the endpoint's place in the cluster-wide ladder is the same in both dumps and
   * only its node-local side differs (local flag, local ladder).
   */
  readonly nodeLocal: boolean;
}

/** A service port in one dump, summarised for added/removed entries. */
export interface ServiceSummary {
  readonly id: string;
  readonly label: string;
  readonly type: string;
  readonly protocol: string | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  readonly nodePorts: readonly number[];
  readonly endpoints: number;
  readonly endpointsStatus: string;
  readonly chainHash: string | null;
}

/** How two service ports were recognised as the same one. */
export type PairedBy =
  | 'id' // the same identity id (name and protocol, or the chain hash)
  | 'chain-hash' // the same 16-character chain suffix, named in one dump only
  | 'address'; // the same ClusterIP:port/proto, names unknown on one side

export interface ServiceDiff {
  readonly id: string;
  readonly label: string;
  readonly status: ChangeStatus;
  readonly pairedBy: PairedBy | null;
  readonly a: ServiceSummary | null;
  readonly b: ServiceSummary | null;
  readonly changes: readonly FieldChange[];
  readonly endpoints: readonly EndpointDiff[];
  /** Every difference of this service is node-local (see FieldChange.nodeLocal). */
  readonly nodeLocal: boolean;
}

/** Facts about a whole dump the diff compares. */
export type DumpField =
  | 'mode'
  | 'era'
  | 'family'
  | 'masqueradeMark'
  | 'localDetector'
  | 'podCIDRs'
  | 'software'
  | 'largeClusterMode';

export interface DumpInfo {
  readonly file: string;
  readonly format: string;
  readonly mode: string;
  readonly era: string;
  readonly family: string;
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly hasCounters: boolean;
  /** What this input cannot tell (from the Kubernetes view's limitations). */
  readonly limitations: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Rule level

export interface RuleLine {
  /** Input line of the rule in its own dump. */
  readonly line: number;
  /** The rule in canonical iptables-save form, without counters. */
  readonly text: string;
}

export interface ChainDiff {
  readonly table: string;
  /** The chain's name in A and in B (null when only in the other); may differ for hashed chains. */
  readonly a: string | null;
  readonly b: string | null;
  readonly role: ChainRoleKind | null;
  /** Label of the service port the chain belongs to. */
  readonly service: string | null;
  /** For KUBE-SEP chains: the endpoint address. */
  readonly endpoint: string | null;
  readonly status: ChangeStatus;
  /** Rules only in A (in A's order) and only in B (in B's order). */
  readonly removed: readonly RuleLine[];
  readonly added: readonly RuleLine[];
  /** The rules both have are in a different order (only reported where order matters). */
  readonly reordered: boolean;
  /** False for chains whose rule order kube-proxy leaves to chance (KUBE-SERVICES, ...). */
  readonly orderMatters: boolean;
  /**
   * True for the rules of a fragment whose chains the input does not name (a grep'ed listing):
   * they are compared as one pool per table, in no order.
   */
  readonly chainUnknown: boolean;
}

/** A hashed chain paired across the dumps under another name (its hash input changed). */
export interface RenamedChain {
  readonly table: string;
  readonly a: string;
  readonly b: string;
}

export interface RulesDiff {
  readonly chains: readonly ChainDiff[];
  /** Paired chains with the same rules (renamed ones included). */
  readonly unchangedChains: number;
  readonly renamedChains: readonly RenamedChain[];
}

export interface KubeDiff {
  readonly a: DumpInfo;
  readonly b: DumpInfo;
  readonly dump: readonly FieldChange<DumpField>[];
  /** Service ports that differ, in A's order, then those only in B. */
  readonly services: readonly ServiceDiff[];
  readonly unchangedServices: number;
  /** Null unless the rule-level diff was asked for. */
  readonly rules: RulesDiff | null;
  /** True when nothing differs at the levels compared. */
  readonly identical: boolean;
  /** What limits this comparison, in words (a side without service ports, ...). */
  readonly notes: readonly string[];
}
