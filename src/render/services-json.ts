/**
 * The Kubernetes view as plain JSON: the `--json` shape of `k8s-ipt services` and
 * `k8s-ipt endpoints` (documented in the README, "JSON: services and endpoints"). Built field by
 * field so the JSON stays stable when the model's internals change.
 */
import type { Rule } from '../model/rule.js';
import type {
  Endpoint,
  EndpointPath,
  KubeModel,
  KubeWarning,
  Ladder,
  ServicePort,
} from '../kube/model.js';

/** Where a rule is: enough to find it in the dump and in `parse --json`. */
export function ruleRef(rule: Rule): Record<string, unknown> {
  return { table: rule.table, chain: rule.chain, index: rule.index, line: rule.line };
}

function warningToJson(w: KubeWarning): Record<string, unknown> {
  return { code: w.code, severity: w.severity, message: w.message, rules: w.rules.map(ruleRef) };
}

function pathToJson(p: EndpointPath): Record<string, unknown> {
  return {
    ladder: p.ladder,
    chain: p.chain,
    position: p.position + 1,
    probability: p.probability,
    conditional: p.step.conditional,
    kernelThreshold: p.step.kernelThreshold,
    observed:
      p.observed === null
        ? null
        : {
            packets: p.observed.packets,
            share: p.observed.share,
            expected: p.observed.expected,
            residual: p.observed.residual,
            off: p.observed.off,
            exact: p.observed.exact,
          },
  };
}

export function endpointToJson(e: Endpoint): Record<string, unknown> {
  return {
    ip: e.ip,
    port: e.port,
    address: e.address,
    probability: e.probability,
    local: e.local,
    chain: e.chain.name,
    hashVerified: e.hashVerified,
    packets: e.counters === null ? null : e.counters.packets,
    affinity:
      e.affinity === null
        ? null
        : { timeoutSeconds: e.affinity.timeoutSeconds, listName: e.affinity.listName },
    paths: e.paths.map(pathToJson),
  };
}

function ladderToJson(l: Ladder): Record<string, unknown> {
  return {
    kind: l.kind,
    chain: l.chain.name,
    steps: l.steps.length,
    affinityRules: l.affinityRules.length,
    total: l.total,
    remainder: l.remainder,
    remainderFate: l.remainderFate,
    test: l.test,
  };
}

export function servicePortToJson(s: ServicePort): Record<string, unknown> {
  const id = s.identity;
  return {
    id: id.id,
    namespace: id.namespace,
    name: id.name,
    portName: id.portName,
    protocol: s.protocol,
    identitySource: id.source,
    chainHash: id.chainHash,
    type: s.type,
    clusterIP: s.clusterIP,
    port: s.port,
    nodePort: s.nodePorts[0] ?? null,
    nodePorts: s.nodePorts,
    externalIPs: s.externalIPs,
    loadBalancerIPs: s.loadBalancerIPs,
    loadBalancerSourceRanges: s.loadBalancerSourceRanges,
    sessionAffinity:
      s.sessionAffinity === null ? null : { timeoutSeconds: s.sessionAffinity.timeoutSeconds },
    externalTrafficPolicy: s.externalTrafficPolicy,
    internalTrafficPolicy: s.internalTrafficPolicy,
    healthCheckNodePort: s.healthCheckNodePort,
    masquerade: { clusterIP: s.masquerade.clusterIP, external: s.masquerade.external },
    endpointsStatus: s.endpointsStatus,
    endpoints: s.endpoints.map(endpointToJson),
    ladders: s.ladders.map(ladderToJson),
    chains: {
      svc: s.chains.svc?.name ?? null,
      svl: s.chains.svl?.name ?? null,
      ext: s.chains.ext?.name ?? null,
      fw: s.chains.fw?.name ?? null,
      xlb: s.chains.xlb?.name ?? null,
      seps: s.chains.seps.map((c) => c.name),
    },
    entryRules: s.entryRules.map((e) => ({
      kind: e.kind,
      ip: e.ip,
      port: e.port,
      target: e.target,
      rule: ruleRef(e.rule),
    })),
    filterRules: s.filterRules.map((f) => ({
      kind: f.kind,
      entry: f.entry,
      ip: f.ip,
      port: f.port,
      rule: ruleRef(f.rule),
    })),
    traffic: s.traffic,
    warnings: s.warnings.map(warningToJson),
    unknowns: s.unknowns,
  };
}

/** The whole view: node facts and the selected service ports. */
export function kubeModelToJson(
  model: KubeModel,
  services: readonly ServicePort[] = model.services,
): Record<string, unknown> {
  return {
    file: model.ruleset.file,
    format: model.ruleset.format,
    family: model.family,
    mode: model.mode,
    modeEvidence: model.modeEvidence.map((e) => e.fact),
    era: {
      label: model.era.label,
      minMinor: model.era.minMinor,
      maxMinor: model.era.maxMinor,
      layout: model.era.layout,
      evidence: model.era.evidence.map((e) => e.fact),
      conflicts: model.era.conflicts.map((e) => e.fact),
    },
    largeClusterMode: model.largeClusterMode,
    commentsAbsent: model.commentsAbsent,
    hasCounters: model.ruleset.hasCounters,
    software: model.software.map((s) => s.name),
    masqueradeMark:
      model.masqueradeMark === null ? null : `0x${model.masqueradeMark.value.toString(16)}`,
    localDetector:
      model.localDetector === null
        ? null
        : { kind: model.localDetector.kind, values: model.localDetector.values },
    podCIDRs: model.podCIDRs,
    nodeAddresses: model.nodeAddresses.map((a) => ({
      ip: a.ip,
      confidence: a.confidence,
      evidence: a.evidence.fact,
    })),
    staleChains: model.staleChains.map((c) => ({
      chain: c.chain.name,
      reason: c.reason,
      service: c.service,
    })),
    limitations: model.limitations,
    warnings: model.warnings.map(warningToJson),
    services: services.map(servicePortToJson),
  };
}
