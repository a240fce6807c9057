/**
 * `diffKubeModels(a, b)`: what differs between two dumps, service by service, and optionally
 * rule by rule. Both sides are Kubernetes views built by src/kube; this module only compares.
 */
import type { KubeModel } from '../kube/model.js';
import type {
  DumpField,
  DumpInfo,
  FieldChange,
  FieldValue,
  KubeDiff,
  ServiceDiff,
} from './model.js';
import { pairServices } from './pair.js';
import { diffRules } from './rules.js';
import { diffServicePair, sameValue } from './services.js';

export interface DiffOptions {
  /** Also compare rule by rule, chain by chain. */
  readonly rules: boolean;
}

export function dumpInfo(model: KubeModel): DumpInfo {
  let endpoints = 0;
  for (const s of model.services) endpoints += s.endpoints.length;
  return {
    file: model.ruleset.file,
    format: model.ruleset.format,
    mode: model.mode,
    era: model.era.label,
    family: model.family,
    servicePorts: model.services.length,
    endpoints,
    hasCounters: model.ruleset.hasCounters,
    limitations: model.limitations,
  };
}

const DUMP_FIELDS: readonly { field: DumpField; read: (m: KubeModel) => FieldValue }[] = [
  { field: 'mode', read: (m) => m.mode },
  { field: 'era', read: (m) => m.era.label },
  { field: 'family', read: (m) => m.family },
  {
    field: 'masqueradeMark',
    read: (m) => (m.masqueradeMark === null ? null : `0x${m.masqueradeMark.value.toString(16)}`),
  },
  {
    field: 'localDetector',
    read: (m) =>
      m.localDetector === null
        ? null
        : `${m.localDetector.kind} ${m.localDetector.values.join(',')}`,
  },
  { field: 'podCIDRs', read: (m) => [...m.podCIDRs].sort() },
  { field: 'software', read: (m) => m.software.map((s) => s.name).sort() },
  { field: 'largeClusterMode', read: (m) => m.largeClusterMode },
];

export function diffKubeModels(a: KubeModel, b: KubeModel, options: DiffOptions): KubeDiff {
  const dump: FieldChange<DumpField>[] = [];
  for (const { field, read } of DUMP_FIELDS) {
    const va = read(a);
    const vb = read(b);
    if (!sameValue(va, vb)) dump.push({ field, a: va, b: vb, nodeLocal: false });
  }

  const pairs = pairServices(a, b);
  const services: ServiceDiff[] = [];
  let unchanged = 0;
  for (const pair of pairs) {
    const d = diffServicePair(pair);
    if (d === null) unchanged++;
    else services.push(d);
  }
  // With no service ports on either side (a fragment the Kubernetes view cannot read, IPVS
  // mode), the rules are all there is to compare, so they are compared without being asked.
  const noServices = a.services.length === 0 && b.services.length === 0;
  const hasRules = a.ruleset.ruleCount > 0 || b.ruleset.ruleCount > 0;
  const compareRules = options.rules || (noServices && hasRules);
  const rules = compareRules ? diffRules(a, b, pairs) : null;
  const notes: string[] = [];
  for (const [side, m] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (m.services.length === 0 && m.ruleset.ruleCount > 0) {
      notes.push(
        `${side} yields no service ports (proxy mode ${m.mode}, ${m.ruleset.format}), so the service-level comparison cannot speak for it`,
      );
    }
  }
  if (compareRules && !options.rules)
    notes.push('the rules are compared instead (as with --rules)');
  return {
    a: dumpInfo(a),
    b: dumpInfo(b),
    dump,
    services,
    unchangedServices: unchanged,
    rules,
    identical:
      dump.length === 0 && services.length === 0 && (rules === null || rules.chains.length === 0),
    notes,
  };
}
