/**
 * From the ends of all followed flows to the list of distinct outcomes: each leaf becomes an
 * outcome, leaves that end the same way (verdict, destination, source NAT, delivery, deciding
 * rule) merge and add their probabilities, and the tree's leaves point at the merged entry.
 */
import { ipText } from './address.js';
import { plainStep } from './run.js';
import type { FlowState, NodeBuilder } from './state.js';
import type { TraceOutcome, TraceStep, TraceVerdict } from './types.js';

export interface Leaf {
  readonly state: FlowState;
  /** DROP/REJECT when a rule or policy ended the flow; null when it made it to the end. */
  readonly verdict: TraceVerdict | null;
  readonly deciding: TraceStep | null;
}

function stepKey(step: TraceStep): string {
  return `${step.kind}|${step.table}|${step.chain}|${step.ruleNumber}|${step.line}`;
}

function notesFor(s: FlowState, masquerade: boolean, snatSource: string | null): string[] {
  const notes: string[] = [];
  if (s.markedForMasquerade && !masquerade && s.delivery === 'local' && s.origin !== 'node')
    notes.push(
      'marked for masquerade, but delivered to a local address through INPUT: POSTROUTING never runs, so the source is kept',
    );
  if (
    s.dnatStep !== null &&
    s.delivery === 'forwarded' &&
    s.origin === 'pod' &&
    s.destination.value === s.originalSource.value
  )
    notes.push(
      "a pod reaching itself through its service: the packet goes back out of the bridge port it came in on, which needs hairpin mode on that port (the CNI plugin's hairpinMode); without it the bridge drops it",
    );
  if (masquerade && snatSource !== null && snatSource === ipText(s.originalSource))
    notes.push(`masqueraded to ${snatSource}, the source it already had: no visible change`);
  return notes;
}

function toOutcome(leaf: Leaf): TraceOutcome {
  const s = leaf.state;
  const verdict: TraceVerdict = leaf.verdict ?? (s.dnatStep !== null ? 'DNAT' : 'ACCEPT');
  const ended = verdict === 'DROP' || verdict === 'REJECT';
  const masquerade = !ended && s.sourceNat !== null;
  const snatSource = masquerade && s.sourceNat?.source ? ipText(s.sourceNat.source) : null;
  const deciding = leaf.deciding ??
    (verdict === 'DNAT' ? s.dnatStep : null) ??
    s.lastAccept ??
    s.path[s.path.length - 1] ?? {
      // Nothing was walked at all, so the stand-in belongs to no hook.
      ...plainStep(s, 'note', '', '', 'no rule applies'),
      hook: null,
    };
  return {
    verdict,
    destination: ended ? null : { address: ipText(s.destination), port: s.destinationPort },
    probability: s.probability,
    masquerade,
    markedForMasquerade: s.markedForMasquerade,
    snatSource,
    delivery: ended ? 'none' : s.delivery,
    decidingStep: deciding,
    path: s.path,
    notes: notesFor(s, masquerade, snatSource),
    label: null,
  };
}

function outcomeKey(o: TraceOutcome): string {
  const d = o.destination === null ? '-' : `${o.destination.address}:${o.destination.port}`;
  return [
    o.verdict,
    d,
    o.masquerade,
    o.snatSource ?? '-',
    o.delivery,
    stepKey(o.decidingStep),
  ].join('|');
}

export function collectOutcomes(leaves: readonly Leaf[]): TraceOutcome[] {
  const merged: TraceOutcome[] = [];
  const byKey = new Map<string, number>();
  const leafNodes: { node: NodeBuilder; index: number }[] = [];
  for (const leaf of leaves) {
    const outcome = toOutcome(leaf);
    const key = outcomeKey(outcome);
    let index = byKey.get(key);
    if (index === undefined) {
      index = merged.length;
      byKey.set(key, index);
      merged.push(outcome);
    } else {
      const prev = merged[index];
      // Keep the path of the likelier way there; add the probabilities.
      const keep = outcome.probability > prev.probability ? outcome : prev;
      merged[index] = {
        ...keep,
        probability: prev.probability + outcome.probability,
        markedForMasquerade: prev.markedForMasquerade || outcome.markedForMasquerade,
      };
    }
    leafNodes.push({ node: leaf.state.node, index });
  }
  // Most likely first; (near-)ties keep the order the rules gave them: 1/3 from the kernel's
  // quantised thresholds differs from the next 1/3 in the tenth decimal.
  const order = merged
    .map((_, i) => i)
    .sort((a, b) => {
      const d = merged[b].probability - merged[a].probability;
      return Math.abs(d) > 1e-9 ? d : a - b;
    });
  const newIndex = new Map<number, number>();
  order.forEach((old, pos) => newIndex.set(old, pos));
  for (const { node, index } of leafNodes) node.outcome = newIndex.get(index) ?? index;
  return order.map((i) => merged[i]);
}
