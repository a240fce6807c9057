/**
 * The netfilter hooks in the kernel's order, as plans of stages: which table's built-in chain
 * runs next, and where the routing decisions fall. A stage sets the hook's interfaces (what
 * `-i`/`-o` see there) and starts the chain walk in its built-in chain.
 */
import { ipText } from './address.js';
import { route } from './environment.js';
import { plainStep, record, type Run } from './run.js';
import type { FlowState, Stage } from './state.js';
import type { TraceHook } from './types.js';

const chainStage = (table: string, hook: TraceHook): Stage => ({ kind: 'chain', table, hook });

export const RECEIVE_PLAN: readonly Stage[] = [
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
export const OUTPUT_PLAN: readonly Stage[] = [
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

export function runStage(run: Run, s: FlowState, stage: Stage): void {
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
