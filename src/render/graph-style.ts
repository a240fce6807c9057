/**
 * What the chain graph's nodes look like, shared by the DOT and Mermaid writers: a colour and a
 * legend entry per chain kind, and the text lines of node and edge labels (raw dump text; each
 * writer escapes it for its own syntax).
 */
import { formatProbability, formatShare } from '../graph/labels.js';
import type { GraphEdge, GraphNode, GraphNodeKind } from '../graph/model.js';

export interface KindStyle {
  readonly fill: string;
  readonly legend: string;
}

export const KIND_STYLES: Readonly<Record<GraphNodeKind, KindStyle>> = {
  builtin: { fill: '#d9d9d9', legend: 'built-in chain' },
  services: { fill: '#ffe08a', legend: 'service dispatch (KUBE-SERVICES)' },
  'node-ports': { fill: '#ffe08a', legend: 'NodePort dispatch (KUBE-NODEPORTS)' },
  'external-services': { fill: '#ffe08a', legend: 'external dispatch (KUBE-EXTERNAL-SERVICES)' },
  'proxy-firewall': { fill: '#ffb3b3', legend: 'load-balancer firewall (KUBE-PROXY-FIREWALL)' },
  firewall: { fill: '#ffb3b3', legend: 'firewall (KUBE-FIREWALL)' },
  forward: { fill: '#e6e6c3', legend: 'forwarding (KUBE-FORWARD)' },
  postrouting: { fill: '#d7b8f3', legend: 'masquerade (KUBE-POSTROUTING)' },
  'mark-masq': { fill: '#d7b8f3', legend: 'mark for masquerade (KUBE-MARK-MASQ)' },
  'mark-drop': { fill: '#ff9e9e', legend: 'mark for drop (KUBE-MARK-DROP)' },
  canary: { fill: '#f5f5f5', legend: 'canary' },
  svc: { fill: '#9ecbff', legend: 'service (KUBE-SVC)' },
  svl: { fill: '#c9e2ff', legend: 'service, local endpoints (KUBE-SVL)' },
  ext: { fill: '#ffc48a', legend: 'external entry (KUBE-EXT)' },
  fw: { fill: '#ff9e9e', legend: 'source ranges (KUBE-FW)' },
  xlb: { fill: '#ffd9a8', legend: 'external, local endpoints (KUBE-XLB)' },
  sep: { fill: '#b6e3b6', legend: 'endpoint (KUBE-SEP)' },
  ipvs: { fill: '#c8e6e6', legend: 'IPVS mode' },
  'other-kube': { fill: '#f0e6d2', legend: 'other Kubernetes chain' },
  cni: { fill: '#eeeeee', legend: 'CNI plugin' },
  docker: { fill: '#d6eaf8', legend: 'Docker' },
  other: { fill: '#ffffff', legend: 'other chain' },
  verdict: { fill: '#ffffff', legend: 'verdict' },
};

/** Node label lines, most important first. */
export function nodeLines(n: GraphNode): string[] {
  const lines = [n.name];
  if (n.kind === 'sep') {
    if (n.endpoint !== null) lines.push(`DNAT ${n.endpoint}`);
    if (n.service !== null) lines.push(n.service);
  } else if (n.service !== null) {
    lines.push(n.service);
  }
  if (!n.declared && n.kind !== 'verdict') lines.push('(not declared)');
  return lines;
}

/**
 * Edge label lines: the match, then the odds. A ladder step shows its conditional probability
 * and the share of new connections it ends up with; the last step has no draw (`else`).
 */
export function edgeLines(e: GraphEdge): string[] {
  const lines: string[] = [];
  if (e.match !== '') lines.push(e.match);
  const share = e.share === null ? null : `(${formatShare(e.share)} of new conns)`;
  if (e.probability !== null) {
    lines.push(`p=${formatProbability(e.probability)}${share === null ? '' : ` ${share}`}`);
  } else if (share !== null) {
    lines.push(`else ${share}`);
  }
  return lines;
}

/** The kinds a graph uses, in the legend's order. */
export function kindsUsed(nodes: readonly GraphNode[]): GraphNodeKind[] {
  const used = new Set(nodes.map((n) => n.kind));
  return (Object.keys(KIND_STYLES) as GraphNodeKind[]).filter((k) => used.has(k));
}
