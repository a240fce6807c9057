/**
 * The chain graph: chains as nodes, jumps as edges, each chain with its Kubernetes role. Plain
 * data (no references into the ruleset), so the DOT, Mermaid and JSON writers only format it.
 */
import type { ChainRoleKind } from '../kube/model.js';

/** A chain's role, or a verdict node (REJECT/DROP/ACCEPT) that service filter rules end in. */
export type GraphNodeKind = ChainRoleKind | 'verdict';

export interface GraphNode {
  /** `table/chain`, or `table/#VERDICT` for verdict nodes: unique in the graph. */
  readonly id: string;
  readonly table: string;
  /** The chain name, or the verdict (`REJECT`) for verdict nodes. */
  readonly name: string;
  readonly kind: GraphNodeKind;
  /** Label of the service port a service or endpoint chain belongs to. */
  readonly service: string | null;
  /** For endpoint (KUBE-SEP) chains: `ip:port` the chain DNATs to. */
  readonly endpoint: string | null;
  /** False for a jump target the dump does not declare. */
  readonly declared: boolean;
  readonly rules: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The rule's matches, short (`tcp dst 10.96.0.10:80`, `! src 10.244.0.0/16`); '' for none. */
  readonly match: string;
  /** The rule's comment, for tooltips. */
  readonly comment: string | null;
  /** The conditional probability of a `-m statistic` rule (S/2^31). */
  readonly probability: number | null;
  /** Share of new connections entering the ladder that take this edge, from the Kubernetes view. */
  readonly share: number | null;
  /** `-g` rather than `-j`. */
  readonly goto: boolean;
  /** Input line of the rule. */
  readonly line: number;
}

export interface ChainGraph {
  readonly tables: readonly string[];
  /** Labels of the service ports the graph is limited to; empty for the whole graph. */
  readonly services: readonly string[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}
