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
import type { Rule } from '../model/rule.js';
import type { Target } from '../model/targets.js';
import { ipKey, ipText, toIp, type Ip } from './address.js';
import { nextCandidate } from './chain-index.js';
import { describeTarget } from './describe.js';
import {
  isBridgeName,
  masqueradeSource,
  resolveEnvironment,
  route,
  type TraceEnvironment,
} from './environment.js';
import { matchRule } from './matchers.js';
import { collectOutcomes, type Leaf } from './outcomes.js';
import { recentListEndpoints } from './infer.js';
import { prepareTrace, type PreparedRuleset } from './prepare.js';
import { FlowState, newNode, type Stage } from './state.js';
import type {
  Packet,
  TraceHook,
  TraceOptions,
  TraceResult,
  TraceStep,
  TraceVerdict,
} from './types.js';

/** Beyond this many leaves the trace stops forking and says how much it did not follow. */
const MAX_LEAVES = 20_000;
/** Chain calls nest at most this deep (the kernel's own limit is far lower in practice). */
const MAX_DEPTH = 64;
/** Rules one flow may evaluate; only a pathological dump comes near it. */
const MAX_WORK = 5_000_000;

const chainStage = (table: string, hook: TraceHook): Stage => ({ kind: 'chain', table, hook });

const RECEIVE_PLAN: readonly Stage[] = [
  chainStage('raw', 'PREROUTING'),
  chainStage('mangle', 'PREROUTING'),
  chainStage('nat', 'PREROUTING'),
  { kind: 'route-in' },
];
const INPUT_PLAN: readonly Stage[] = [
  chainStage('mangle', 'INPUT'),
  chainStage('filter', 'INPUT'),
  chainStage('security', 'INPUT'),
  chainStage('nat', 'INPUT'),
];
const FORWARD_PLAN: readonly Stage[] = [
  chainStage('mangle', 'FORWARD'),
  chainStage('filter', 'FORWARD'),
  chainStage('security', 'FORWARD'),
  chainStage('mangle', 'POSTROUTING'),
  chainStage('nat', 'POSTROUTING'),
];
const OUTPUT_PLAN: readonly Stage[] = [
  chainStage('raw', 'OUTPUT'),
  chainStage('mangle', 'OUTPUT'),
  chainStage('nat', 'OUTPUT'),
  chainStage('filter', 'OUTPUT'),
  chainStage('security', 'OUTPUT'),
  { kind: 'route-out' },
];
const POSTROUTING_PLAN: readonly Stage[] = [
  chainStage('mangle', 'POSTROUTING'),
  chainStage('nat', 'POSTROUTING'),
];
// NAT was settled on the way out, so nat PREROUTING/INPUT do not run again for this flow.
const LOOPBACK_PLAN: readonly Stage[] = [
  { kind: 'loopback' },
  chainStage('raw', 'PREROUTING'),
  chainStage('mangle', 'PREROUTING'),
  chainStage('mangle', 'INPUT'),
  chainStage('filter', 'INPUT'),
  chainStage('security', 'INPUT'),
];

/** Non-terminating target extensions: they change the packet or log, then the chain goes on. */
const CONTINUING_TARGETS: ReadonlySet<string> = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'TRACE',
  'TCPMSS',
  'TOS',
  'DSCP',
  'CLASSIFY',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
  'AUDIT',
  'SET',
  'TTL',
  'HL',
  'ECN',
  'IDLETIMER',
  'LED',
  'RATEEST',
  'HMARK',
  'TEE',
]);

class Assumptions {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();
  add(text: string): void {
    if (!this.seen.has(text)) {
      this.seen.add(text);
      this.list.push(text);
    }
  }
}

interface Run {
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

type StepResult = 'continue' | 'done';

function ruleStep(s: FlowState, rule: Rule, matched: readonly string[]): TraceStep {
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

function plainStep(
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

function record(s: FlowState, step: TraceStep): void {
  s.path.push(step);
  s.node.steps.push(step);
}

function leaf(
  run: Run,
  s: FlowState,
  verdict: TraceVerdict | null,
  deciding: TraceStep | null,
): void {
  run.leaves.push({ state: s, verdict, deciding });
}

function where(rule: Rule): string {
  return `${rule.table} ${rule.chain} #${rule.index}`;
}

// ---------------------------------------------------------------------------------------------
// Stages

function enterChainStage(run: Run, s: FlowState, table: string, hook: TraceHook): void {
  if (table === 'nat' && s.untracked) return;
  const chain = run.ruleset.chain(table, hook);
  if (chain === undefined) return;
  s.hook = hook;
  s.table = table;
  switch (hook) {
    case 'PREROUTING':
    case 'INPUT':
      s.inInterface = s.receiveInterface;
      s.outInterface = '';
      break;
    case 'FORWARD':
      s.inInterface = s.receiveInterface;
      s.outInterface = s.routeInterface;
      break;
    case 'OUTPUT':
    case 'POSTROUTING':
      s.inInterface = '';
      s.outInterface = s.routeInterface;
      break;
  }
  s.baseChain = chain;
  s.stack = [{ chain, index: run.prepared.chainIndexes.get(chain) ?? null, next: 0 }];
}

function routeStep(run: Run, s: FlowState, hook: TraceHook, after: string): void {
  const r = route(run.env, s.destination);
  s.hook = hook;
  const where = r.local
    ? `${ipText(s.destination)} is a local address`
    : `${ipText(s.destination)} leaves by ${r.interface}`;
  record(s, plainStep(s, 'route', '', 'routing', `${after}: ${where}`));
  s.routeInterface = r.interface;
  if (
    !r.local &&
    r.interface === run.env.externalInterface &&
    run.env.facts.find((f) => f.name === 'external-interface')?.source === 'default'
  )
    run.outsideRoutes.add(ipText(s.destination));
}

function runStage(run: Run, s: FlowState, stage: Stage): void {
  switch (stage.kind) {
    case 'chain':
      enterChainStage(run, s, stage.table, stage.hook);
      return;
    case 'route-in': {
      const local = route(run.env, s.destination).local;
      routeStep(
        run,
        s,
        local ? 'INPUT' : 'FORWARD',
        local ? 'routing → INPUT' : 'routing → FORWARD',
      );
      s.plan = local ? INPUT_PLAN : FORWARD_PLAN;
      s.stageIndex = 0;
      s.delivery = local ? 'local' : 'forwarded';
      return;
    }
    case 'route-out': {
      const local = route(run.env, s.destination).local;
      if (s.destinationNatted) routeStep(run, s, 'POSTROUTING', 're-routing after DNAT');
      else s.routeInterface = route(run.env, s.destination).interface;
      s.plan = local ? [...POSTROUTING_PLAN, ...LOOPBACK_PLAN] : POSTROUTING_PLAN;
      s.stageIndex = 0;
      s.delivery = local ? 'local' : 'sent';
      return;
    }
    case 'loopback':
      s.receiveInterface = 'lo';
      s.hook = 'PREROUTING';
      record(
        s,
        plainStep(s, 'route', '', 'routing', `back in through lo to ${ipText(s.destination)}`),
      );
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Targets

function applyPolicy(run: Run, s: FlowState): StepResult {
  const chain = s.baseChain;
  s.stack = [];
  if (chain === null) return 'continue';
  const policy = chain.policy ?? 'ACCEPT';
  if (policy === 'DROP') {
    const step = plainStep(s, 'policy', chain.table, chain.name, 'policy DROP');
    record(s, step);
    leaf(run, s, 'DROP', step);
    return 'done';
  }
  if (chain.rules.length > 0) {
    const step = plainStep(s, 'policy', chain.table, chain.name, `policy ${policy}`);
    record(s, step);
    if (chain.table === 'filter') s.lastAccept = step;
  }
  return 'continue';
}

function acceptInTable(s: FlowState, step: TraceStep): StepResult {
  s.stack = [];
  if (step.table === 'filter') s.lastAccept = step;
  return 'continue';
}

function jump(run: Run, s: FlowState, rule: Rule, chainName: string, goto: boolean): StepResult {
  const chain = run.ruleset.chain(rule.table, chainName);
  if (chain === undefined) {
    run.assumptions.add(
      `${where(rule)} jumps to ${chainName}, which the dump does not contain; treated as an empty chain`,
    );
    return 'continue';
  }
  if (s.stack.length >= MAX_DEPTH) {
    run.assumptions.add(
      `${where(rule)}: chain calls nest deeper than ${MAX_DEPTH}; not followed further`,
    );
    return 'continue';
  }
  if (goto) s.stack.pop();
  s.stack.push({ chain, index: run.prepared.chainIndexes.get(chain) ?? null, next: 0 });
  return 'continue';
}

function natAddress(text: string | null, fallback: Ip): Ip | null {
  if (text === null) return fallback;
  return toIp(text);
}

function applyTarget(
  run: Run,
  s: FlowState,
  rule: Rule,
  target: Target,
  step: TraceStep,
): StepResult {
  switch (target.kind) {
    case 'chain':
      return jump(run, s, rule, target.chain, target.goto);
    case 'verdict':
      switch (target.name) {
        case 'ACCEPT':
          return acceptInTable(s, step);
        case 'DROP':
          leaf(run, s, 'DROP', step);
          return 'done';
        case 'RETURN':
          s.stack.pop();
          return s.stack.length === 0 ? applyPolicy(run, s) : 'continue';
        case 'QUEUE':
          run.assumptions.add(
            `${where(rule)} queues packets to a userspace program; assumed to accept them`,
          );
          return acceptInTable(s, step);
      }
      return 'continue';
    case 'dnat': {
      const d = target.destinations[0];
      if (d === undefined) return acceptInTable(s, step);
      const address = natAddress(d.addressFrom, s.destination);
      if (address === null || address.family !== s.destination.family) {
        run.assumptions.add(
          `${where(rule)}: DNAT to "${d.text}" cannot be read; the destination is left unchanged`,
        );
        return acceptInTable(s, step);
      }
      if (
        target.destinations.length > 1 ||
        (d.addressTo !== null && d.addressTo !== d.addressFrom) ||
        (d.ports !== null && d.ports.from !== d.ports.to)
      )
        run.assumptions.add(
          `${where(rule)}: DNAT to the range ${d.text}; the kernel picks one by hash, traced to the first`,
        );
      const port = d.ports !== null ? d.ports.from : s.destinationPort;
      const changed = address.value !== s.destination.value || port !== s.destinationPort;
      s.destination = address;
      s.destinationPort = port;
      if (changed) s.destinationNatted = true;
      s.dnatStep = step;
      return acceptInTable(s, step);
    }
    case 'redirect': {
      // REDIRECT sends to the node itself: 127.0.0.1 from OUTPUT, else the in-interface's address.
      const local =
        s.hook === 'OUTPUT'
          ? (toIp(s.destination.family === 4 ? '127.0.0.1' : '::1') as Ip)
          : run.env.primaryAddress;
      if (s.hook !== 'OUTPUT')
        run.assumptions.add(
          `${where(rule)}: REDIRECT goes to the address of the in-interface, taken as ${ipText(local)}`,
        );
      s.destination = local;
      if (target.toPorts !== null) s.destinationPort = target.toPorts.from;
      s.destinationNatted = true;
      s.dnatStep = step;
      return acceptInTable(s, step);
    }
    case 'snat': {
      const r = target.sources[0];
      const address = r !== undefined ? natAddress(r.addressFrom, s.source) : null;
      s.sourceNat = { step, masquerade: false, source: address };
      if (address !== null) {
        if (address.value !== s.source.value) s.sourceNatted = true;
        s.source = address;
      }
      return acceptInTable(s, step);
    }
    case 'masquerade': {
      const address = masqueradeSource(run.env, s.outInterface);
      s.sourceNat = { step, masquerade: true, source: address };
      if (address.value !== s.source.value) s.sourceNatted = true;
      s.source = address;
      return acceptInTable(s, step);
    }
    case 'mark': {
      if (target.value !== null && target.mask !== null) {
        const next = ((s.mark & ~target.mask) ^ target.value) >>> 0;
        if (target.name === 'MARK') s.mark = next;
        else s.connmark = ((s.connmark & ~target.mask) ^ target.value) >>> 0;
      } else {
        // CONNMARK --save-mark / --restore-mark (masks default to all bits).
        if (target.extra.some((o) => o.name === '--restore-mark')) s.mark = s.connmark;
        else if (target.extra.some((o) => o.name === '--save-mark')) s.connmark = s.mark;
        else
          run.assumptions.add(
            `${where(rule)}: ${describeTarget(target)} with options not modelled; the marks are left unchanged`,
          );
      }
      const masq = run.env.masqueradeMark;
      if ((s.mark & masq) >>> 0 === masq) s.markedForMasquerade = true;
      return 'continue';
    }
    case 'reject':
      leaf(run, s, 'REJECT', step);
      return 'done';
    case 'log':
      return 'continue';
    case 'generic': {
      if (target.unparsed !== null) {
        run.assumptions.add(
          `${where(rule)}: target ${target.name} ${target.unparsed} cannot be read (mixed iptables versions); treated as continuing`,
        );
        return 'continue';
      }
      if (
        target.name === 'NOTRACK' ||
        (target.name === 'CT' && target.options.some((o) => o.name === '--notrack'))
      ) {
        s.untracked = true;
        return 'continue';
      }
      if (target.name === 'CT' || CONTINUING_TARGETS.has(target.name)) return 'continue';
      if (target.name === 'NFQUEUE') {
        run.assumptions.add(
          `${where(rule)} hands packets to a userspace program (NFQUEUE); assumed to accept them`,
        );
        return acceptInTable(s, step);
      }
      run.assumptions.add(
        `${where(rule)}: target ${target.name} is not modelled; treated as continuing to the next rule`,
      );
      return 'continue';
    }
  }
}

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
