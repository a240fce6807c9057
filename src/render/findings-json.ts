/**
 * Findings as plain JSON (`check --json`, and the findings of `report --format json`), built
 * field by field so the shape stays stable; documented in the README ("JSON: check and report").
 */
import type { Finding, FindingLocation } from '../check/finding.js';
import type { Counters, Rule } from '../model/rule.js';
import { printRule } from './save.js';

export const CHECK_JSON_VERSION = 1;

export interface FindingRuleJson {
  readonly table: string;
  readonly chain: string;
  /** 1-based rule number inside the chain. */
  readonly rule: number;
  /** 1-based input line; 0 when unknown. */
  readonly line: number;
  /** The rule as iptables-save prints it (without counters). */
  readonly text: string;
  readonly counters: Counters | null;
}

export interface FindingJson {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly explanation: readonly string[];
  readonly location: FindingLocation;
  readonly rules: readonly FindingRuleJson[];
}

export interface FindingSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

export function ruleToFindingJson(rule: Rule): FindingRuleJson {
  return {
    table: rule.table,
    chain: rule.chain,
    rule: rule.index,
    line: rule.line,
    text: printRule(rule),
    counters: rule.counters,
  };
}

export function findingToJson(f: Finding): FindingJson {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    explanation: f.explanation,
    location: f.location,
    rules: f.rules.map(ruleToFindingJson),
  };
}

export function summarizeFindings(
  findings: readonly { readonly severity: string }[],
): FindingSummary {
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info') };
}

export function findingSummaryText(s: FindingSummary): string {
  const total = s.errors + s.warnings + s.infos;
  if (total === 0) return 'no findings';
  const parts = [
    `${s.errors} error${s.errors === 1 ? '' : 's'}`,
    `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`,
    `${s.infos} note${s.infos === 1 ? '' : 's'}`,
  ];
  return `${total} finding${total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

export interface CheckJson {
  readonly version: number;
  readonly file: string;
  readonly summary: FindingSummary;
  readonly findings: readonly FindingJson[];
}

export function checkToJson(file: string, findings: readonly Finding[]): CheckJson {
  return {
    version: CHECK_JSON_VERSION,
    file,
    summary: summarizeFindings(findings),
    findings: findings.map(findingToJson),
  };
}
