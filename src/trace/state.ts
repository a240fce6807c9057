/**
 * One flow being followed: the packet as rules see it (FlowView) plus where the engine is (the
 * hook plan, the chain call stack) and what happened so far (path, NAT, probability). A
 * probabilistic rule forks the state: `fork()` copies everything that can change.
 */
import type { Chain } from '../model/ruleset.js';
import type { Ip } from './address.js';
import type { ChainIndex } from './chain-index.js';
import type { FlowView } from './flow.js';
import type { PacketOrigin, TraceDelivery, TraceHook, TraceProtocol, TraceStep } from './types.js';

export interface Frame {
  readonly chain: Chain;
  readonly index: ChainIndex | null;
  /** Position of the next rule to consider. */
  next: number;
}

export type Stage =
  | { readonly kind: 'chain'; readonly table: string; readonly hook: TraceHook }
  /** The routing decision after nat PREROUTING: INPUT or FORWARD. */
  | { readonly kind: 'route-in' }
  /** Re-routing after the OUTPUT hook (nat OUTPUT may have changed the destination). */
  | { readonly kind: 'route-out' }
  /** A locally generated packet to a local address comes back in through `lo`. */
  | { readonly kind: 'loopback' };

/** A tree node under construction (the same shape as TraceNode, but mutable). */
export interface NodeBuilder {
  steps: TraceStep[];
  branch: { step: TraceStep; arms: ArmBuilder[] } | null;
  outcome: number | null;
}

export interface ArmBuilder {
  label: string;
  conditionalProbability: number;
  probability: number;
  node: NodeBuilder;
}

export function newNode(): NodeBuilder {
  return { steps: [], branch: null, outcome: null };
}

export interface SourceNat {
  readonly step: TraceStep;
  readonly masquerade: boolean;
  readonly source: Ip | null;
}

export class FlowState implements FlowView {
  // --- the packet
  source: Ip;
  destination: Ip;
  sourcePort: number;
  destinationPort: number;
  inInterface = '';
  outInterface = '';
  hook: TraceHook = 'PREROUTING';
  table = 'raw';
  mark: number;
  connmark = 0;
  untracked = false;
  destinationNatted = false;
  sourceNatted = false;

  // --- where the engine is
  plan: readonly Stage[];
  stageIndex = 0;
  stack: Frame[] = [];
  /** The built-in chain of the current stage (its policy applies when the stack empties). */
  baseChain: Chain | null = null;
  /** The interface the packet came in on for the receive path ('lo' after a loopback). */
  receiveInterface: string;
  /** The interface the current route leaves by. */
  routeInterface = '';
  delivery: TraceDelivery = 'none';

  // --- what happened
  probability = 1;
  path: TraceStep[] = [];
  node: NodeBuilder;
  dnatStep: TraceStep | null = null;
  sourceNat: SourceNat | null = null;
  markedForMasquerade = false;
  lastAccept: TraceStep | null = null;
  /** Rules evaluated so far (a safety bound against pathological dumps). */
  work = 0;

  constructor(
    readonly protocol: TraceProtocol,
    readonly origin: PacketOrigin,
    readonly originalSource: Ip,
    readonly originalDestination: Ip,
    readonly originalDestinationPort: number,
    sourcePort: number,
    mark: number,
    readonly bridged: boolean,
    receiveInterface: string,
    plan: readonly Stage[],
    node: NodeBuilder,
  ) {
    this.source = originalSource;
    this.destination = originalDestination;
    this.sourcePort = sourcePort;
    this.destinationPort = originalDestinationPort;
    this.mark = mark;
    this.receiveInterface = receiveInterface;
    this.plan = plan;
    this.node = node;
  }

  fork(): FlowState {
    const copy = Object.create(FlowState.prototype) as FlowState;
    Object.assign(copy, this);
    copy.stack = this.stack.map((f) => ({ ...f }));
    copy.path = [...this.path];
    return copy;
  }
}
