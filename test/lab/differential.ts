/**
 * One differential check: send new flows through the lab's real kernel, read what happened to
 * each (conntrack's DNAT destination and source NAT; an ICMP error for a REJECT), trace the same
 * packet with the engine, and compare outcome by outcome: verdicts, destinations, masquerade,
 * and the distribution (chi-square against the engine's probabilities).
 */
import type { Ruleset } from '../../src/model/ruleset.js';
import { traceFlow } from '../../src/trace/index.js';
import type { Packet, TraceOptions, TraceOutcome, TraceResult } from '../../src/trace/types.js';
import { CLIENT_POD, AFFINITY_CLIENTS, HAIRPIN_POD, type LabCase } from './lab-cluster.js';
import {
  LAB,
  type ConntrackEntry,
  type Flow,
  type NetnsLab,
  type SendResult,
} from './netns-lab.js';

/**
 * Chi-square critical values at α = 10⁻⁶ (df 1..12). The suite makes about a hundred of these
 * tests per run (four lab configurations, both the engine's and the Kubernetes model's
 * probabilities): at 10⁻⁶ each, a correct engine fails a whole run about 1 in 10 000 times
 * (Bonferroni). A wrong model is still far outside: a ladder read as its printed probabilities
 * instead of their products gives 75 with 2 endpoints and 600 flows, about 200 with 3 and 900,
 * about 670 with 7 and 1,400.
 */
const CHI2_CRITICAL: readonly number[] = [
  0, 23.928, 27.631, 30.665, 33.377, 35.888, 38.258, 40.522, 42.701, 44.811, 46.863, 48.866, 50.825,
];

export function chi2Critical(df: number): number {
  return CHI2_CRITICAL[Math.min(df, CHI2_CRITICAL.length - 1)];
}

/** Pearson's statistic of observed counts against expected probabilities. */
export function chiSquare(observed: readonly number[], probabilities: readonly number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  let x = 0;
  probabilities.forEach((p, i) => {
    const e = n * p;
    if (e > 0) x += (observed[i] - e) ** 2 / e;
  });
  return x;
}

export type Observed =
  | {
      readonly verdict: 'DNAT' | 'ACCEPT';
      readonly destination: string;
      readonly snat: string | null;
    }
  | { readonly verdict: 'DROP' | 'REJECT'; readonly destination: null; readonly snat: null };

const hostPort = (a: string, p: number): string => `${a}:${p}`;

export function classify(
  flow: Flow,
  sent: SendResult | undefined,
  entry: ConntrackEntry | undefined,
): Observed {
  if (entry === undefined) {
    const e = sent?.error ?? null;
    return e === 'ECONNREFUSED' || e === 'EHOSTUNREACH' || e === 'ENETUNREACH' || e === 'EACCES'
      ? { verdict: 'REJECT', destination: null, snat: null }
      : { verdict: 'DROP', destination: null, snat: null };
  }
  const natted = entry.reply.src !== flow.destination || entry.reply.sport !== flow.destinationPort;
  const snat = entry.reply.dst !== flow.source ? entry.reply.dst : null;
  return natted
    ? { verdict: 'DNAT', destination: hostPort(entry.reply.src, entry.reply.sport), snat }
    : { verdict: 'ACCEPT', destination: hostPort(flow.destination, flow.destinationPort), snat };
}

function outcomeKey(o: { verdict: string; destination: string | null }): string {
  return `${o.verdict} ${o.destination ?? '-'}`;
}

function engineKey(o: TraceOutcome): string {
  return outcomeKey({
    verdict: o.verdict,
    destination:
      o.destination !== null ? hostPort(o.destination.address, o.destination.port) : null,
  });
}

/** What a person would see of the engine's source NAT: the new source, if it differs. */
function engineVisibleSnat(o: TraceOutcome, source: string): string | null | 'unknown' {
  if (!o.masquerade) return null;
  if (o.snatSource === null) return 'unknown';
  return o.snatSource === source ? null : o.snatSource;
}

export interface CaseFigures {
  readonly name: string;
  readonly flows: number;
  readonly outcomes: string;
  readonly chi2: number | null;
  readonly df: number;
  readonly kubeChi2: number | null;
  readonly problems: readonly string[];
}

let nextPort = 20_000;
function portBlock(n: number): number {
  if (nextPort + n > 60_000) nextPort = 20_000;
  const base = nextPort;
  nextPort += n;
  return base;
}

export function senderNamespace(lab: NetnsLab, c: LabCase): string {
  switch (c.sender) {
    case 'client-pod':
      return lab.addPod(CLIENT_POD, AFFINITY_CLIENTS).ns;
    case 'hairpin-pod':
      return lab.addPod(HAIRPIN_POD).ns;
    case 'node':
      return lab.node;
    case 'client':
      return lab.client;
  }
}

export function labTraceOptions(localAddresses: readonly string[]): TraceOptions {
  return {
    nodeAddresses: [LAB.nodeIp, ...localAddresses],
    podCidrs: [LAB.podCidr],
    podInterface: 'cni0',
    externalInterface: 'eth0',
  };
}

export function labPacket(c: LabCase, source: string): Packet {
  return {
    family: 'ipv4',
    protocol: c.protocol,
    origin: c.origin,
    source,
    sourcePort: 40_000,
    destination: c.destination,
    destinationPort: c.port,
    inInterface: c.origin === 'pod' ? 'cni0' : c.origin === 'external' ? 'eth0' : null,
    outInterface: null,
    mark: 0,
  };
}

/** Sends the flows of a case from `sources` (one flow each, cycling) and classifies them. */
export function sendAndObserve(
  lab: NetnsLab,
  c: LabCase,
  ns: string,
  sources: readonly string[],
  count: number,
): { flows: Flow[]; observed: Observed[] } {
  const base = portBlock(count);
  const flows: Flow[] = Array.from({ length: count }, (_, i) => ({
    source: sources[i % sources.length],
    sourcePort: base + i,
    destination: c.destination,
    destinationPort: c.port,
  }));
  let sent: SendResult[] = [];
  if (c.protocol === 'sctp') lab.sendSctp(ns, flows);
  else sent = lab.send(ns, c.protocol, flows, c.protocol === 'tcp' ? 700 : 150);
  const byFlow = new Map(sent.map((s) => [`${s.source}|${s.sourcePort}`, s]));
  const entries = new Map<string, ConntrackEntry>();
  for (const e of lab.conntrack())
    if (e.protocol === c.protocol) entries.set(`${e.original.src}|${e.original.sport}`, e);
  const observed = flows.map((f) =>
    classify(
      f,
      byFlow.get(`${f.source}|${f.sourcePort}`),
      entries.get(`${f.source}|${f.sourcePort}`),
    ),
  );
  return { flows, observed };
}

/**
 * Compares observed flows with a trace: every observed outcome must be one the engine predicts,
 * with the same masquerade; each predicted outcome must show up in proportion (chi-square).
 */
export function compare(
  result: TraceResult,
  observed: readonly Observed[],
  source: string,
): { problems: string[]; chi2: number | null; df: number; counts: Map<string, number> } {
  const problems: string[] = [];
  const predicted = new Map(result.outcomes.map((o) => [engineKey(o), o]));
  const counts = new Map<string, number>();
  for (const o of observed) {
    const key = outcomeKey(o);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const p = predicted.get(key);
    if (p === undefined) continue;
    const want = engineVisibleSnat(p, source);
    if (want !== 'unknown' && want !== o.snat)
      problems.push(
        `${key}: kernel source NAT ${o.snat ?? 'none'}, engine ${want ?? 'none'}${p.masquerade ? ` (masquerade to ${p.snatSource ?? '?'})` : ''}`,
      );
  }
  for (const [key, n] of counts)
    if (!predicted.has(key))
      problems.push(
        `kernel: ${n} flow(s) ended "${key}", which the engine does not predict (engine: ${[...predicted.keys()].join('; ')})`,
      );
  const n = observed.length;
  for (const [key, o] of predicted)
    if (o.probability * n >= 5 && !counts.has(key))
      problems.push(
        `engine predicts "${key}" with ${(o.probability * 100).toFixed(2)}%, the kernel never did it in ${n} flows`,
      );
  // Deduplicate masquerade complaints (one per outcome is enough).
  const unique = [...new Set(problems)];
  if (result.outcomes.length < 2) return { problems: unique, chi2: null, df: 0, counts };
  const keys = [...predicted.keys()];
  const chi2 = chiSquare(
    keys.map((k) => counts.get(k) ?? 0),
    keys.map((k) => (predicted.get(k) as TraceOutcome).probability),
  );
  const df = keys.length - 1;
  if (chi2 > chi2Critical(df))
    unique.push(
      `distribution differs: chi-square ${chi2.toFixed(2)} > ${chi2Critical(df)} (df ${df}, α 1e-6)`,
    );
  return { problems: unique, chi2, df, counts };
}

export function traceCase(
  ruleset: Ruleset,
  c: LabCase,
  source: string,
  options: TraceOptions,
): TraceResult {
  return traceFlow(ruleset, labPacket(c, source), options);
}
