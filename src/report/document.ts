/**
 * The report document: everything a bug report about kube-proxy's rules on one node needs, as
 * plain data. `report --format json` prints it; the Markdown presenter (render/markdown-report.ts)
 * lays it out. Built from one ruleset (the redacted copy when redacting), its Kubernetes view,
 * the findings and the traces, so every part tells about the same rules.
 */
import type { Finding } from '../check/finding.js';
import type { EndpointsStatus, KubeModel, ServicePort } from '../kube/model.js';
import type { Ruleset } from '../model/ruleset.js';
import {
  findingToJson,
  summarizeFindings,
  type FindingJson,
  type FindingSummary,
} from '../render/findings-json.js';
import type { TraceSection } from './traces.js';

export const REPORT_JSON_VERSION = 1;

export interface RedactionInfo {
  readonly redacted: boolean;
  /** `given` (--redact-key) or `dump` (a digest of the dump itself); null when not redacted. */
  readonly keySource: 'given' | 'dump' | null;
}

export interface EnvironmentFacts {
  readonly iptables: {
    readonly tool: string | null;
    readonly version: string | null;
    /** `nf_tables`, `legacy`, or null when the dump does not say. */
    readonly backend: string | null;
  };
  readonly input: {
    /** The input's name (`dump` when redacted: a file name can name a host). */
    readonly file: string;
    readonly format: string;
    readonly family: string;
    readonly hasCounters: boolean;
    readonly losses: readonly string[];
    readonly skippedLines: number;
    readonly problems: FindingSummary;
  };
  readonly kubeProxy: {
    readonly mode: string;
    readonly modeEvidence: readonly string[];
    /** `1.21–1.23`, `≥1.25`, `unknown`. */
    readonly era: string;
    readonly layout: string;
    readonly eraEvidence: readonly string[];
    readonly largeClusterMode: boolean;
    readonly masqueradeMark: string | null;
    readonly localTrafficDetector: string | null;
    readonly podCIDRs: readonly string[];
  };
  /** CNI plugins, Docker and other software whose chains are in the dump. */
  readonly software: readonly { readonly name: string; readonly chains: readonly string[] }[];
  readonly counts: {
    readonly tables: number;
    readonly chains: number;
    readonly rules: number;
    readonly servicePorts: number;
    /** Distinct endpoint addresses (ip:port) over all service ports. */
    readonly endpoints: number;
    readonly staleChains: number;
  };
  readonly limitations: readonly string[];
}

export interface ServiceRow {
  readonly service: string;
  readonly type: string;
  readonly protocol: string | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  readonly nodePorts: readonly number[];
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly externalTrafficPolicy: string | null;
  readonly internalTrafficPolicy: string | null;
  /** Affinity timeout in seconds, 0 for affinity with an unknown timeout, null for none. */
  readonly sessionAffinitySeconds: number | null;
  readonly endpointsStatus: EndpointsStatus;
  readonly endpoints: readonly {
    readonly address: string | null;
    readonly local: boolean | null;
    readonly probability: number | null;
  }[];
  /** New connections counted on the entry rules; null without counters. */
  readonly newConnections: number | null;
}

export interface ProblemRow {
  readonly line: number;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  /** The offending text, as it appeared (redacted when the report is). */
  readonly text: string;
}

/** Enough input problems to show the kind of damage; the count says how many there are. */
const MAX_PROBLEMS = 50;

export interface ReportDocument {
  readonly version: number;
  readonly tool: { readonly name: 'k8s-ipt'; readonly version: string };
  readonly title: string;
  readonly redaction: RedactionInfo;
  readonly environment: EnvironmentFacts;
  /** The first input problems (all of them are counted in environment.input.problems). */
  readonly problems: readonly ProblemRow[];
  readonly services: readonly ServiceRow[];
  readonly summary: FindingSummary;
  readonly findings: readonly FindingJson[];
  readonly traces: readonly TraceSection[];
}

export interface ReportInput {
  readonly ruleset: Ruleset;
  readonly kube: KubeModel;
  readonly findings: readonly Finding[];
  readonly traces: readonly TraceSection[];
  readonly redaction: RedactionInfo;
  readonly toolVersion: string;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function environment(ruleset: Ruleset, kube: KubeModel): EnvironmentFacts {
  const g = ruleset.generator;
  const endpoints = new Set<string>();
  for (const s of kube.services) {
    for (const e of s.endpoints) endpoints.add(e.address ?? `${s.identity.id}/${e.chain.name}`);
  }
  const problems = ruleset.problems;
  const count = (sev: string): number => problems.filter((p) => p.severity === sev).length;
  const detector = kube.localDetector;
  return {
    iptables: {
      tool: g?.tool ?? null,
      version: g?.version ?? null,
      backend: g?.backend ?? null,
    },
    input: {
      file: ruleset.file,
      format: ruleset.format,
      family: ruleset.family,
      hasCounters: ruleset.hasCounters,
      losses: [...ruleset.losses],
      skippedLines: ruleset.skippedLines,
      problems: { errors: count('error'), warnings: count('warning'), infos: count('info') },
    },
    kubeProxy: {
      mode: kube.mode,
      modeEvidence: kube.modeEvidence.map((e) => e.fact),
      era: kube.era.label,
      layout: kube.era.layout,
      eraEvidence: kube.era.evidence.map((e) => e.fact),
      largeClusterMode: kube.largeClusterMode,
      masqueradeMark:
        kube.masqueradeMark === null
          ? null
          : `${hex(kube.masqueradeMark.value)}/${hex(kube.masqueradeMark.mask)}`,
      localTrafficDetector:
        detector === null ? null : `${detector.kind}: ${detector.values.join(', ')}`,
      podCIDRs: [...kube.podCIDRs],
    },
    software: kube.software.map((s) => ({ name: s.name, chains: [...s.chains] })),
    counts: {
      tables: ruleset.tables.length,
      chains: ruleset.chainCount,
      rules: ruleset.ruleCount,
      servicePorts: kube.services.length,
      endpoints: endpoints.size,
      staleChains: kube.staleChains.length,
    },
    limitations: [...kube.limitations],
  };
}

function serviceRow(s: ServicePort): ServiceRow {
  const affinity = s.sessionAffinity;
  return {
    service: s.identity.label,
    type: s.type,
    protocol: s.protocol,
    clusterIP: s.clusterIP,
    port: s.port,
    nodePorts: [...s.nodePorts],
    externalIPs: [...s.externalIPs],
    loadBalancerIPs: [...s.loadBalancerIPs],
    externalTrafficPolicy: s.externalTrafficPolicy,
    internalTrafficPolicy: s.internalTrafficPolicy,
    sessionAffinitySeconds: affinity === null ? null : (affinity.timeoutSeconds ?? 0),
    endpointsStatus: s.endpointsStatus,
    endpoints: s.endpoints.map((e) => ({
      address: e.address,
      local: e.local,
      probability: e.probability,
    })),
    newConnections: s.traffic === null ? null : s.traffic.packets,
  };
}

export function buildReportDocument(input: ReportInput): ReportDocument {
  const { ruleset, kube, findings } = input;
  return {
    version: REPORT_JSON_VERSION,
    tool: { name: 'k8s-ipt', version: input.toolVersion },
    title: 'kube-proxy iptables rules report',
    redaction: input.redaction,
    environment: environment(ruleset, kube),
    problems: ruleset.problems.slice(0, MAX_PROBLEMS).map((p) => ({
      line: p.line,
      severity: p.severity,
      code: p.code,
      message: p.message,
      text: p.text,
    })),
    services: kube.services.map(serviceRow),
    summary: summarizeFindings(findings),
    findings: findings.map(findingToJson),
    traces: input.traces,
  };
}
