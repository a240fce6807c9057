/**
 * `report --trace DEST`: run the tracer for each destination and keep what a bug report needs
 * (the outcomes with their probabilities, the deciding rules, the assumptions).
 *
 * DEST is what the user typed about the original dump (`10.96.0.10:53/udp`, `default/web:http`),
 * so it is resolved against the original Kubernetes view; with redaction the resolved address is
 * mapped to its pseudonym and the trace runs on the redacted ruleset, so nothing in the section
 * shows an original value.
 */
import {
  findServicePortsByAddress,
  findServicePortsByName,
  parseServiceQuery,
} from '../kube/lookup.js';
import type { KubeModel, ServicePort, ServiceProtocol } from '../kube/model.js';
import type { Ruleset } from '../model/ruleset.js';
import { labelOutcomes } from '../trace/labels.js';
import { PacketError, tracePacket } from '../trace/packet.js';
import type { TraceOutcome, TraceResult } from '../trace/types.js';
import type { Redactor } from './redact/redactor.js';

export interface TraceStepSummary {
  readonly table: string;
  readonly chain: string;
  readonly rule: number;
  readonly line: number;
  readonly target: string;
}

export interface TraceOutcomeSummary {
  readonly verdict: string;
  /** `ip:port` after DNAT, or null. */
  readonly destination: string | null;
  readonly probability: number;
  readonly label: string | null;
  readonly masquerade: boolean;
  readonly markedForMasquerade: boolean;
  readonly delivery: string;
  readonly decidedBy: TraceStepSummary;
  /** The rules that matched on the way, in order. */
  readonly path: readonly TraceStepSummary[];
}

export interface TraceSection {
  /** The destination as traced (redacted when the report is). */
  readonly destination: string;
  /** The service it belongs to, when the dump names one. */
  readonly service: string | null;
  readonly status: 'traced' | 'error';
  /** Why the trace could not run; null when it ran. */
  readonly error: string | null;
  readonly packet: {
    readonly origin: string;
    readonly source: string;
    readonly protocol: string;
  } | null;
  readonly outcomes: readonly TraceOutcomeSummary[];
  readonly assumptions: readonly string[];
}

interface Target {
  readonly ip: string;
  readonly port: number;
  readonly protocol: ServiceProtocol | null;
}

class DestinationError extends Error {}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function single(services: readonly ServicePort[], what: string): ServicePort {
  if (services.length === 0) throw new DestinationError(`no service port ${what} in the dump`);
  if (services.length > 1)
    throw new DestinationError(
      `${what} names ${services.length} service ports; add :port or /proto`,
    );
  return services[0];
}

function resolve(dest: string, kube: KubeModel, shown: string): Target {
  const q = parseServiceQuery(dest);
  if (q === null) throw new DestinationError('empty destination');
  if (q.kind === 'chain')
    throw new DestinationError('a chain name; give IP:PORT or ns/name[:port]');
  if (q.kind === 'address') {
    if (q.port !== null) return { ip: q.ip, port: q.port, protocol: q.protocol };
    const s = single(
      findServicePortsByAddress(kube, q.ip, null, q.protocol).filter((x) => x.port !== null),
      shown,
    );
    return { ip: q.ip, port: s.port as number, protocol: q.protocol ?? s.protocol };
  }
  if (!dest.includes('/'))
    throw new DestinationError('neither an address nor a service ns/name[:port]');
  const s = single(findServicePortsByName(kube, q.namespace, q.name, q.portName), shown);
  if (s.clusterIP === null || s.port === null) {
    throw new DestinationError(`the dump does not show the ClusterIP and port of ${shown}`);
  }
  return { ip: s.clusterIP, port: s.port, protocol: s.protocol };
}

function stepSummary(s: TraceOutcome['decidingStep']): TraceStepSummary {
  return { table: s.table, chain: s.chain, rule: s.ruleNumber, line: s.line, target: s.target };
}

function summarize(result: TraceResult): TraceOutcomeSummary[] {
  return result.outcomes.map((o) => ({
    verdict: o.verdict,
    destination:
      o.destination === null ? null : joinHostPort(o.destination.address, o.destination.port),
    probability: o.probability,
    label: o.label,
    masquerade: o.masquerade,
    markedForMasquerade: o.markedForMasquerade,
    delivery: o.delivery,
    decidedBy: stepSummary(o.decidingStep),
    path: o.path.filter((s) => s.kind === 'rule').map(stepSummary),
  }));
}

export interface TraceSubjects {
  /** The dump as read, and its view, for resolving what the user typed. */
  readonly originalKube: () => KubeModel;
  /** What the report shows (the redacted copy when redacting). */
  readonly ruleset: Ruleset;
  readonly kube: KubeModel;
  readonly redactor: Redactor | null;
}

export function traceSection(dest: string, subjects: TraceSubjects): TraceSection {
  const r = subjects.redactor;
  const shown = r === null ? dest : r.text(dest);
  let target: Target;
  try {
    const t = resolve(dest, subjects.originalKube(), shown);
    target = r === null ? t : { ...t, ip: r.ip(t.ip) };
  } catch (err) {
    if (!(err instanceof DestinationError)) throw err;
    return {
      destination: shown,
      service: null,
      status: 'error',
      error: err.message,
      packet: null,
      outcomes: [],
      assumptions: [],
    };
  }
  const destination = `${joinHostPort(target.ip, target.port)}/${target.protocol ?? 'tcp'}`;
  const service =
    findServicePortsByAddress(subjects.kube, target.ip, target.port, target.protocol)[0]?.identity
      .label ?? null;
  let result: TraceResult;
  try {
    result = tracePacket(subjects.ruleset, {
      destination: target.ip,
      destinationPort: target.port,
      protocol: target.protocol ?? 'tcp',
    });
  } catch (err) {
    // A report is still worth pasting when one trace fails; say why instead of aborting.
    const message =
      err instanceof PacketError
        ? err.message
        : `internal error in the tracer (please report it): ${err instanceof Error ? err.message : String(err)}`;
    return {
      destination,
      service,
      status: 'error',
      error: r === null ? message : r.text(message),
      packet: null,
      outcomes: [],
      assumptions: [],
    };
  }
  labelOutcomes(result, subjects.kube);
  return {
    destination,
    service,
    status: 'traced',
    error: null,
    packet: {
      origin: result.packet.origin,
      source: result.packet.source,
      protocol: result.packet.protocol,
    },
    outcomes: summarize(result),
    assumptions: result.assumptions,
  };
}
