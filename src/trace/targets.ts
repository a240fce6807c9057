/**
 * What a rule's target does to the flow: jump or go to a chain, end the table's walk (ACCEPT,
 * NAT), end the flow (DROP, REJECT), change marks, or only log. Built-in chain policies too.
 */
import type { Rule } from '../model/rule.js';
import type { Target } from '../model/targets.js';
import { ipText, toIp, type Ip } from './address.js';
import { describeTarget } from './describe.js';
import { masqueradeSource } from './environment.js';
import { leaf, plainStep, record, where, type Run, type StepResult } from './run.js';
import type { FlowState } from './state.js';
import type { TraceStep } from './types.js';

/** Chain calls nest at most this deep (the kernel's own limit is far lower in practice). */
const MAX_DEPTH = 64;
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

export function applyPolicy(run: Run, s: FlowState): StepResult {
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

export function applyTarget(
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
