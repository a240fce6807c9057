/** Short phrases for finding messages, shared by the check families. */
import type { Rule } from '../model/rule.js';
import type { EntryKind, FilterRule } from '../kube/model.js';
import { joinHostPort } from '../kube/naming.js';

/** `filter KUBE-SERVICES rule 3`. */
export function ruleRef(rule: Rule): string {
  return `${rule.table} ${rule.chain} rule ${rule.index}`;
}

/** `rule 3 (line 52)`, for explanations inside one chain. */
export function ruleAt(rule: Rule): string {
  return rule.line > 0 ? `rule ${rule.index} (line ${rule.line})` : `rule ${rule.index}`;
}

const ENTRY_WORDS: Readonly<Record<EntryKind, string>> = {
  'cluster-ip': 'ClusterIP',
  'external-ip': 'external IP',
  'load-balancer': 'LoadBalancer IP',
  external: 'external or LoadBalancer IP',
  'node-port': 'NodePort',
  'node-port-localhost': 'localhost NodePort',
};

/** `ClusterIP 10.96.0.10:80/tcp`, `NodePort 30080/tcp`. */
export function describeFilterEntry(f: FilterRule): string {
  const what = f.entry === null ? 'traffic' : ENTRY_WORDS[f.entry];
  const proto = f.protocol !== null ? `/${f.protocol}` : '';
  if (f.ip !== null && f.port !== null) return `${what} ${joinHostPort(f.ip, f.port)}${proto}`;
  if (f.port !== null) return `${what} ${f.port}${proto}`;
  if (f.ip !== null) return `${what} ${f.ip}`;
  return what;
}

export function percent(p: number): string {
  if (p === 0) return '0%';
  if (p < 0.001) return `${(p * 100).toPrecision(2)}%`;
  return `${(p * 100).toFixed(1)}%`;
}
