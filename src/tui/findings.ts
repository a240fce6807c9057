/**
 * `check`'s findings, indexed the way the screens look them up: by service port label (the mark
 * in the service list, the list in the service screen) and by rule (the mark in a chain).
 */
import type { Finding, FindingSeverity } from '../check/finding.js';
import type { Rule } from '../model/rule.js';

export interface FindingIndex {
  readonly byService: ReadonlyMap<string, readonly Finding[]>;
  readonly byRule: ReadonlyMap<Rule, readonly Finding[]>;
}

function add<K>(map: Map<K, Finding[]>, key: K, f: Finding): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [f]);
  else list.push(f);
}

export function indexFindings(findings: readonly Finding[]): FindingIndex {
  const byService = new Map<string, Finding[]>();
  const byRule = new Map<Rule, Finding[]>();
  for (const f of findings) {
    if (f.location.service !== null) add(byService, f.location.service, f);
    // The rule a finding is about comes first; the others only support it.
    if (f.rules.length > 0) add(byRule, f.rules[0], f);
  }
  return { byService, byRule };
}

const RANK: Readonly<Record<FindingSeverity, number>> = { error: 0, warning: 1, info: 2 };

/** The most severe of the findings, or null for none. */
export function worstSeverity(findings: readonly Finding[] | undefined): FindingSeverity | null {
  let worst: FindingSeverity | null = null;
  for (const f of findings ?? []) {
    if (worst === null || RANK[f.severity] < RANK[worst]) worst = f.severity;
  }
  return worst;
}

/** Errors first, then warnings, then notes. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
