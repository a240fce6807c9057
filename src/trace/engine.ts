/**
 * The tracer: follows the first packet of a new flow through the netfilter hooks in the order
 * the kernel runs them, over every table the dump has.
 *
 *   from a pod or outside:  raw, mangle, nat PREROUTING → routing on the post-DNAT destination →
 *     local:  mangle, filter, security, nat INPUT
 *     else:   mangle, filter, security FORWARD → mangle, nat POSTROUTING
 *   from the node:  raw, mangle, nat, filter, security OUTPUT (all with the route to the
 *     original destination, as the kernel's single LOCAL_OUT pass has) → re-route →
 *     mangle, nat POSTROUTING → (local destination) back in through lo: raw, mangle
 *     PREROUTING, mangle, filter, security INPUT
 *
 * A rule with a `statistic` match forks the flow: one copy goes on as if it matched, one as if
 * not, each with its exact probability. Every fork ends in an outcome; equal outcomes merge.
 */
import type { Ruleset } from '../model/ruleset.js';
import { ipKey, toIp, type Ip } from './address.js';
import { nextCandidate } from './chain-index.js';
import { isBridgeName, resolveEnvironment, route } from './environment.js';
import { OUTPUT_PLAN, RECEIVE_PLAN, runStage } from './hooks.js';
import { recentListEndpoints } from './infer.js';
import { matchRule } from './matchers.js';
import { collectOutcomes } from './outcomes.js';
import { prepareTrace } from './prepare.js';
import { Assumptions, leaf, plainStep, record, ruleStep, type Run } from './run.js';
import { FlowState, newNode } from './state.js';
import { applyPolicy, applyTarget } from './targets.js';
import type { Packet, TraceOptions, TraceResult, TraceStep } from './types.js';

/** Beyond this many leaves the trace stops forking and says how much it did not follow. */
const MAX_LEAVES = 20_000;
/** Rules one flow may evaluate; only a pathological dump comes near it. */
const MAX_WORK = 5_000_000;

// ---------------------------------------------------------------------------------------------
// The walk

function nextRuleIndex(s: FlowState): number {
  const frame = s.stack[s.stack.length - 1];
  const rules = frame.chain.rules;
  if (frame.index === null) return frame.next < rules.length ? frame.next : -1;
  const key =
    frame.index.dimension === 'destination' ? ipKey(s.destination) : String(s.destinationPort);
  return nextCandidate(frame.index, key, frame.next);
}

function fork(
  run: Run,
  s: FlowState,
  step: TraceStep,
  probability: number,
  chance: readonly string[],
): FlowState | null {
  if (run.leaves.length + run.pending.length >= MAX_LEAVES) {
    run.abandoned += s.probability * (1 - probability);
    return null;
  }
  const notTaken = s.fork();
  const takenNode = newNode();
  const notTakenNode = newNode();
  const label = chance.join(', ');
  s.node.branch = {
    step,
    arms: [
      {
        label: `matched: ${label}`,
        conditionalProbability: probability,
        probability: s.probability * probability,
        node: takenNode,
      },
      {
        label: 'not matched',
        conditionalProbability: 1 - probability,
        probability: s.probability * (1 - probability),
        node: notTakenNode,
      },
    ],
  };
  notTaken.probability = s.probability * (1 - probability);
  notTaken.node = notTakenNode;
  s.probability *= probability;
  s.node = takenNode;
  return notTaken;
}

/** Follows one flow until it ends; forks go to run.pending. */
function follow(run: Run, s: FlowState): void {
  for (;;) {
    if (s.stack.length === 0) {
      if (s.stageIndex >= s.plan.length) {
        leaf(run, s, null, null);
        return;
      }
      runStage(run, s, s.plan[s.stageIndex++]);
      continue;
    }
    const frame = s.stack[s.stack.length - 1];
    const i = nextRuleIndex(s);
    if (i < 0) {
      s.stack.pop();
      if (s.stack.length === 0 && applyPolicy(run, s) === 'done') return;
      continue;
    }
    frame.next = i + 1;
    if (++s.work > MAX_WORK) {
      run.assumptions.add(
        `the trace stopped after ${MAX_WORK} rule evaluations (the dump loops or is enormous)`,
      );
      leaf(run, s, 'DROP', plainStep(s, 'note', s.table, frame.chain.name, 'trace stopped'));
      return;
    }
    const rule = frame.chain.rules[i];
    const m = matchRule(rule, s, run.env);
    for (const a of m.assumptions) run.assumptions.add(a);
    if (m.probability === 0) continue;
    const step = ruleStep(s, rule, m.matched);
    if (m.probability < 1) {
      const other = fork(run, s, step, m.probability, m.chance);
      if (other !== null) run.pending.push(other);
      else s.probability *= m.probability;
      s.path.push(step);
    } else record(s, step);
    if (rule.target === null) continue;
    if (applyTarget(run, s, rule, rule.target, step) === 'done') return;
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

function startState(run: Run, packet: Packet, source: Ip, destination: Ip): FlowState {
  const env = run.env;
  const node = newNode();
  const fromNode = packet.origin === 'node';
  const receive = fromNode
    ? ''
    : (packet.inInterface ?? (packet.origin === 'pod' ? env.podInterface : env.externalInterface));
  const bridged = packet.origin === 'pod' && isBridgeName(receive);
  const s = new FlowState(
    packet.protocol,
    packet.origin,
    source,
    destination,
    packet.destinationPort,
    packet.sourcePort,
    packet.mark >>> 0,
    bridged,
    receive,
    fromNode ? OUTPUT_PLAN : RECEIVE_PLAN,
    node,
  );
  if (fromNode) {
    // LOCAL_OUT runs once with the route to the original destination (§13.1): filter OUTPUT's
    // `-o` sees that route even after nat OUTPUT's DNAT.
    s.routeInterface = route(env, destination).interface;
    s.hook = 'OUTPUT';
  }
  return s;
}

export function traceFlow(
  ruleset: Ruleset,
  packet: Packet,
  options: TraceOptions = {},
): TraceResult {
  const prepared = prepareTrace(ruleset);
  const source = toIp(packet.source);
  const destination = toIp(packet.destination);
  if (source === null || destination === null || source.family !== destination.family)
    throw new TypeError(`traceFlow: bad packet addresses ${packet.source} → ${packet.destination}`);
  const { env, assumptions: envAssumptions } = resolveEnvironment({
    family: destination.family,
    facts: prepared.facts,
    options: { ...options, externalInterface: packet.outInterface ?? options.externalInterface },
    destination,
    destinationIsServiceAddress: prepared.ruleDestinations.has(ipKey(destination)),
    nodeSource: packet.origin === 'node' ? source : null,
    recentList: (name) => recentListEndpoints(ruleset, prepared.facts, name),
  });
  const assumptions = new Assumptions();
  for (const a of envAssumptions) assumptions.add(a);
  const run: Run = {
    ruleset,
    prepared,
    env,
    assumptions,
    pending: [],
    leaves: [],
    abandoned: 0,
    outsideRoutes: new Set(),
  };
  const start = startState(run, packet, source, destination);
  const tree = start.node;
  run.pending.push(start);
  while (run.pending.length > 0) {
    const s = run.pending.pop() as FlowState;
    follow(run, s);
  }
  if (run.outsideRoutes.size > 0) {
    const list = [...run.outsideRoutes];
    const shown =
      list.length > 4
        ? `${list.slice(0, 4).join(', ')} and ${list.length - 4} more`
        : list.join(', ');
    assumptions.add(
      `routes to ${shown} leave by ${env.externalInterface}, the assumed name of the node's outside interface (--out-iface)`,
    );
  }
  if (run.abandoned > 0)
    assumptions.add(
      `the trace stopped branching after ${MAX_LEAVES} outcomes; ${(run.abandoned * 100).toPrecision(3)}% of flows were not followed`,
    );
  const builtinRules = ruleset.tables.some((t) =>
    t.chains.some((c) => c.builtin && c.rules.length > 0),
  );
  if (!builtinRules && ruleset.ruleCount > 0)
    assumptions.add(
      "the dump has no rule in a built-in chain (PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING): nothing leads a packet into its chains (a fragment?), so the trace shows the kernel's defaults only",
    );
  if (ruleset.table('nat') === undefined)
    assumptions.add('the dump has no nat table: no DNAT or masquerade can be traced');
  const outcomes = collectOutcomes(run.leaves);
  return { packet, assumptions: assumptions.list, facts: env.facts, outcomes, tree };
}
