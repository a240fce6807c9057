/**
 * What `k8s-ipt check` reports: findings, each with a stable code, a severity, one sentence for
 * people, the reasoning behind it, and where it is (service, table/chain, rule, input line).
 * Findings point at the ruleset's own Rule objects so presenters can show the rules behind them.
 */
import type { Rule } from '../model/rule.js';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** Most severe first; used for sorting and `--min-severity`-style filtering. */
export const SEVERITY_ORDER: readonly FindingSeverity[] = ['error', 'warning', 'info'];

export function severityRank(s: FindingSeverity): number {
  return SEVERITY_ORDER.indexOf(s);
}

/** Every code `check` can report. Stable: add codes, never rename or reuse one. */
export type FindingCode =
  | 'service-no-endpoints'
  | 'external-no-local-endpoints'
  | 'internal-no-local-endpoints'
  | 'stale-chain'
  | 'iptables-mode-leftover'
  | 'empty-chain'
  | 'undeclared-chain'
  | 'ladder-remainder'
  | 'ladder-unreachable'
  | 'rule-shadowed'
  | 'rule-redundant'
  | 'rule-duplicate'
  | 'proxy-mode-ipvs'
  | 'proxy-mode-nftables'
  | 'proxy-mode-none'
  | 'mixed-iptables-backends'
  | 'unsupported-revision'
  | 'garbled-nat'
  | 'large-cluster-mode'
  | 'endpoint-share-off'
  | 'duplicate-service-tuple'
  | 'chain-hash-mismatch'
  | 'unreadable-dnat';

export interface FindingLocation {
  /** The service port label (`default/web:http`) the finding concerns, when there is one. */
  readonly service: string | null;
  readonly table: string | null;
  readonly chain: string | null;
  /** 1-based rule number inside the chain (`iptables -L --line-numbers`), when one rule is meant. */
  readonly ruleNumber: number | null;
  /** 1-based line of the input, when the finding points at one line. */
  readonly line: number | null;
}

export interface Finding {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  /** One sentence for people; dump text inside it is raw (escape before printing). */
  readonly message: string;
  /** Why the finding holds: the reasoning, step by step (shadowing proofs, counters, evidence). */
  readonly explanation: readonly string[];
  readonly location: FindingLocation;
  /** The rules behind the finding, the one it is about first. */
  readonly rules: readonly Rule[];
}

export const NO_LOCATION: FindingLocation = {
  service: null,
  table: null,
  chain: null,
  ruleNumber: null,
  line: null,
};

/** The location of one rule, optionally labelled with the service it belongs to. */
export function ruleLocation(rule: Rule, service: string | null = null): FindingLocation {
  return {
    service,
    table: rule.table,
    chain: rule.chain,
    ruleNumber: rule.index > 0 ? rule.index : null,
    line: rule.line > 0 ? rule.line : null,
  };
}

/** The location of a whole chain (its declaration line). */
export function chainLocation(
  table: string,
  chain: string,
  line: number,
  service: string | null = null,
): FindingLocation {
  return { service, table, chain, ruleNumber: null, line: line > 0 ? line : null };
}

/** Errors first, then by input line, then by code, so output is stable across runs. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (a.location.line ?? Number.MAX_SAFE_INTEGER) - (b.location.line ?? Number.MAX_SAFE_INTEGER) ||
    a.code.localeCompare(b.code) ||
    a.message.localeCompare(b.message)
  );
}
