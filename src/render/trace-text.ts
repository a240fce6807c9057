/**
 * `k8s-ipt trace` for people: the packet, the path as an indented tree (branches with their
 * probabilities), a table of outcomes, and the assumptions. Every string from the dump goes
 * through escapeText.
 */
import type {
  Packet,
  TraceBranchArm,
  TraceNode,
  TraceOutcome,
  TraceResult,
  TraceStep,
} from '../trace/types.js';
import { escapeText } from './escape.js';
import { renderTable } from './table.js';

const ORIGIN_TEXT: Record<Packet['origin'], string> = {
  pod: 'from a pod',
  node: 'from the node itself',
  external: 'from outside the node',
};

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `33.33%`, with more digits when a share is small, never "0.00%" for a share that exists. */
export function formatShare(p: number): string {
  if (p >= 0.9999995) return '100%';
  const pct = p * 100;
  if (pct >= 1) return `${pct.toFixed(2)}%`;
  if (pct >= 0.0001) return `${pct.toPrecision(3)}%`;
  return '<0.0001%';
}

export function describePacket(packet: Packet): string {
  const via = packet.inInterface !== null ? ` in on ${escapeText(packet.inInterface)}` : '';
  return `${packet.protocol} ${hostPort(packet.source, packet.sourcePort)} → ${hostPort(packet.destination, packet.destinationPort)}, a new flow ${ORIGIN_TEXT[packet.origin]}${via}`;
}

export function stepLocation(step: TraceStep): string {
  if (step.kind === 'route') return 'routing';
  const rule = step.ruleNumber > 0 ? ` #${step.ruleNumber}` : '';
  return `${escapeText(step.table)} ${escapeText(step.chain)}${rule}`;
}

function stepLine(step: TraceStep): string {
  if (step.kind === 'route') return `· ${escapeText(step.target)}`;
  const comment = step.comment !== null ? `  /* ${escapeText(step.comment)} */` : '';
  return `${stepLocation(step)} → ${escapeText(step.target)}${comment}`;
}

function outcomeShort(o: TraceOutcome): string {
  const dest =
    o.destination !== null ? ` ${hostPort(o.destination.address, o.destination.port)}` : '';
  const masq = o.masquerade ? ', masqueraded' : '';
  return `${o.verdict}${dest}${masq}`;
}

/**
 * The tree, flattened where it can be: the "not matched" arm of a branch continues at the same
 * indentation (it is the same chain going on), the "matched" arm is indented under it.
 */
function renderNode(
  node: TraceNode,
  outcomes: readonly TraceOutcome[],
  indent: string,
  out: string[],
): void {
  // Steps are indented by their chain-call depth; each branch adds a bar column in front.
  const pad = (depth: number): string => '  '.repeat(depth);
  let current: TraceNode | null = node;
  while (current !== null) {
    for (const step of current.steps) out.push(`${indent}${pad(step.depth)}${stepLine(step)}`);
    if (current.outcome !== null) {
      out.push(
        `${indent}⇒ outcome ${current.outcome + 1}: ${outcomeShort(outcomes[current.outcome])}`,
      );
      return;
    }
    const branch: TraceNode['branch'] = current.branch;
    if (branch === null) return;
    out.push(`${indent}${pad(branch.step.depth)}${stepLine(branch.step)}`);
    const taken: TraceBranchArm = branch.arms[0];
    const notTaken: TraceBranchArm | undefined = branch.arms[1];
    out.push(
      `${indent}├─ ${formatShare(taken.conditionalProbability)} of these flows (${formatShare(taken.probability)} of all): rule matches`,
    );
    renderNode(taken.node, outcomes, `${indent}│ `, out);
    if (notTaken === undefined) return;
    out.push(
      `${indent}└─ ${formatShare(notTaken.conditionalProbability)} (${formatShare(notTaken.probability)} of all): rule does not match, on to the next`,
    );
    current = notTaken.node;
  }
}

function decidedBy(o: TraceOutcome): string {
  const s = o.decidingStep;
  if (s.kind === 'policy') return `${stepLocation(s)} ${escapeText(s.target)}`;
  const comment = s.comment !== null ? ` /* ${escapeText(s.comment)} */` : '';
  return `${stepLocation(s)}${comment}`;
}

function masqueradeCell(o: TraceOutcome): string {
  if (o.verdict === 'DROP' || o.verdict === 'REJECT') return '-';
  if (!o.masquerade) return o.markedForMasquerade ? 'no (marked)' : 'no';
  return o.snatSource !== null ? `yes → ${o.snatSource}` : 'yes';
}

export function renderOutcomeTable(outcomes: readonly TraceOutcome[]): string {
  const withLabels = outcomes.some((o) => o.label !== null);
  const head = [
    '#',
    'SHARE',
    'VERDICT',
    'DESTINATION',
    'MASQUERADE',
    ...(withLabels ? ['SERVICE'] : []),
    'DECIDED BY',
  ];
  const rows = outcomes.map((o, i) => [
    String(i + 1),
    formatShare(o.probability),
    o.verdict,
    o.destination !== null ? hostPort(o.destination.address, o.destination.port) : '-',
    masqueradeCell(o),
    ...(withLabels ? [o.label !== null ? escapeText(o.label) : '-'] : []),
    decidedBy(o),
  ]);
  return renderTable(head, rows, { alignRight: [0, 1] });
}

export function renderTraceText(result: TraceResult): string {
  const out: string[] = [];
  out.push(`trace: ${describePacket(result.packet)}`);
  out.push('');
  out.push('path:');
  renderNode(result.tree, result.outcomes, '  ', out);
  out.push('');
  out.push(result.outcomes.length === 1 ? 'outcome:' : `outcomes (${result.outcomes.length}):`);
  out.push(renderOutcomeTable(result.outcomes));
  const notes = result.outcomes.flatMap((o, i) =>
    o.notes.map((n) => `  outcome ${i + 1}: ${escapeText(n)}`),
  );
  if (notes.length > 0) {
    out.push('');
    out.push('notes:');
    out.push(...notes);
  }
  if (result.assumptions.length > 0) {
    out.push('');
    out.push('assumptions (what the dump cannot tell):');
    for (const a of result.assumptions) out.push(`  - ${escapeText(a)}`);
  }
  return out.join('\n') + '\n';
}
