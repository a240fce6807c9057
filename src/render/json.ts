/**
 * The model as plain JSON (the `--json` shape of `k8s-ipt parse`, documented in the README).
 * Built field by field, so the JSON stays stable when the model's internals change.
 */
import type { Problem } from '../model/problems.js';
import type { AddressMatch, Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import { printRule } from './save.js';

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls, the bidi overrides and the
// line/paragraph separators as they are; all are valid JSON when written as \uXXXX.
const INERT = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify (indented), with the characters escapeText would neutralise written as \u
 * escapes: every `--json` output goes through here, so no dump text can act on a terminal.
 */
export function stringifyInert(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    INERT,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function address(a: AddressMatch | null): { negated: boolean; text: string } | null {
  return a === null ? null : { negated: a.negated, text: a.text };
}

export function ruleToJson(rule: Rule): Record<string, unknown> {
  return {
    line: rule.line,
    column: rule.column,
    index: rule.index,
    text: printRule(rule),
    counters: rule.counters,
    protocol: rule.protocol,
    source: address(rule.source),
    destination: address(rule.destination),
    inInterface: rule.inInterface,
    outInterface: rule.outInterface,
    fragment: rule.fragment,
    comment: rule.comment,
    matches: rule.matches,
    target: rule.target,
    unknowns: rule.unknowns ?? [],
  };
}

export function problemToJson(p: Problem): Record<string, unknown> {
  return { ...p };
}

export function rulesetToJson(ruleset: Ruleset): Record<string, unknown> {
  return {
    file: ruleset.file,
    format: ruleset.format,
    formatSource: ruleset.formatSource,
    family: ruleset.family,
    generator: ruleset.generator,
    hasCounters: ruleset.hasCounters,
    losses: ruleset.losses,
    skippedLines: ruleset.skippedLines,
    tables: ruleset.tables.map((t) => ({
      name: t.name,
      nameSource: t.nameSource,
      committed: t.committed,
      chains: t.chains.map((c) => ({
        name: c.name,
        builtin: c.builtin,
        policy: c.policy,
        counters: c.counters,
        references: c.references,
        declared: c.declared,
        line: c.line,
        rules: c.rules.map(ruleToJson),
      })),
    })),
    problems: ruleset.problems.map(problemToJson),
  };
}
