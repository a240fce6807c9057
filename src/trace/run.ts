/**
 * What one trace run shares while it follows its flows (the environment, the pending forks, the
 * ends reached, the assumptions made) and the small helpers that record steps and ends.
 */
import type { Ruleset } from '../model/ruleset.js';
import type { Rule } from '../model/rule.js';
import { describeTarget } from './describe.js';
import type { TraceEnvironment } from './environment.js';
import type { Leaf } from './outcomes.js';
import type { PreparedRuleset } from './prepare.js';
import type { FlowState } from './state.js';
import type { TraceStep, TraceVerdict } from './types.js';

/** Assumption sentences in the order they came up, each once. */
export class Assumptions {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();
  add(text: string): void {
    if (!this.seen.has(text)) {
      this.seen.add(text);
      this.list.push(text);
    }
  }
}

export interface Run {
  readonly ruleset: Ruleset;
  readonly prepared: PreparedRuleset;
  readonly env: TraceEnvironment;
  readonly assumptions: Assumptions;
  readonly pending: FlowState[];
  readonly leaves: Leaf[];
  /** Probability mass of flows the trace stopped following (MAX_LEAVES). */
  abandoned: number;
  /** Destinations routed out of the assumed outside interface (one assumption for them all). */
  readonly outsideRoutes: Set<string>;
}

export type StepResult = 'continue' | 'done';

export function ruleStep(s: FlowState, rule: Rule, matched: readonly string[]): TraceStep {
  return {
    kind: 'rule',
    hook: s.hook,
    table: rule.table,
    chain: rule.chain,
    ruleNumber: rule.index,
    line: rule.line,
    depth: Math.max(0, s.stack.length - 1),
    rule,
    comment: rule.comment,
    matched,
    target: describeTarget(rule.target),
  };
}

export function plainStep(
  s: FlowState,
  kind: TraceStep['kind'],
  table: string,
  chain: string,
  target: string,
): TraceStep {
  return {
    kind,
    hook: s.hook,
    table,
    chain,
    ruleNumber: 0,
    line: 0,
    depth: 0,
    rule: null,
    comment: null,
    matched: [],
    target,
  };
}

export function record(s: FlowState, step: TraceStep): void {
  s.path.push(step);
  s.node.steps.push(step);
}

export function leaf(
  run: Run,
  s: FlowState,
  verdict: TraceVerdict | null,
  deciding: TraceStep | null,
): void {
  run.leaves.push({ state: s, verdict, deciding });
}

export function where(rule: Rule): string {
  return `${rule.table} ${rule.chain} #${rule.index}`;
}
