/**
 * The model as plain JSON (the `--json` shape of `k8s-ipt parse`, documented in the README).
 * Built field by field, so the JSON stays stable when the model's internals change.
 */
import type { Problem } from '../model/problems.js';
import type { AddressMatch, Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import { printRule } from './save.js';

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
