/**
 * `k8s-ipt trace --json` (documented in the README, "JSON: trace"). Built field by field so the
 * shape stays stable when the engine's types grow.
 */
import type { TraceOutcome, TraceResult, TraceStep } from '../trace/types.js';

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function stepToJson(step: TraceStep): Record<string, unknown> {
  return {
    kind: step.kind,
    hook: step.hook,
    table: step.table,
    chain: step.chain,
    rule: step.ruleNumber,
    line: step.line,
    comment: step.comment,
    matched: step.matched,
    target: step.target,
  };
}

function outcomeToJson(o: TraceOutcome): Record<string, unknown> {
  return {
    verdict: o.verdict,
    destination:
      o.destination !== null ? hostPort(o.destination.address, o.destination.port) : null,
    probability: o.probability,
    masquerade: o.masquerade,
    markedForMasquerade: o.markedForMasquerade,
    snatSource: o.snatSource,
    delivery: o.delivery,
    decidedBy: stepToJson(o.decidingStep),
    label: o.label,
    notes: o.notes,
    path: o.path.map(stepToJson),
  };
}

export function traceToJson(result: TraceResult): Record<string, unknown> {
  return {
    packet: result.packet,
    assumptions: result.assumptions,
    facts: result.facts,
    outcomes: result.outcomes.map(outcomeToJson),
  };
}
