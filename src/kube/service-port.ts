/**
 * One ServicePort from one group of rules: reads its KUBE-EXT / KUBE-FW / KUBE-XLB chains for
 * traffic policies, masquerade rules and source ranges, builds its ladders and endpoints, and
 * says what is wrong or unknowable.
 */
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset, Table } from '../model/ruleset.js';
import { buildEndpoints, type EndpointChains } from './endpoints.js';
import type { NatReferences } from './references.js';
import { serviceNameInComment, type CommentName } from './comments.js';
import type { ServiceGroup } from './groups.js';
import { resolveIdentity, type HashDirectory } from './identity.js';
import { buildLadder, type BuiltLadder, type MarkChains } from './ladder.js';
import type {
  EndpointsStatus,
  EntryKind,
  EntryRule,
  KubeUnknown,
  KubeWarning,
  Ladder,
  LadderKind,
  MasqueradeFacts,
  MasqueradeRule,
  ProxyMode,
  ServicePort,
  ServiceProtocol,
  ServiceType,
  SessionAffinity,
  SourceCondition,
  TrafficPolicy,
} from './model.js';
import { isEndpointChain } from './naming.js';
import { addressText, hostAddress, ruleProtocol, sourceCondition } from './rule-facts.js';

export interface ServicePortContext {
  readonly ruleset: Ruleset;
  readonly nat: Table | undefined;
  readonly endpointChains: EndpointChains;
  /** Rules of the table named `nat` that jump to each of its chains. */
  readonly references: NatReferences;
  readonly marks: MarkChains;
  readonly withCounters: boolean;
  /** Asked for only when no comment names a service's chains (see resolveIdentity). */
  readonly directory: () => HashDirectory;
  readonly mode: ProxyMode;
}

const EXTERNAL_KINDS: ReadonlySet<EntryKind> = new Set([
  'external-ip',
  'load-balancer',
  'external',
  'node-port',
  'node-port-localhost',
]);

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

interface PolicyEvidence {
  local: boolean;
  cluster: boolean;
  /** EXT ends in a jump to KUBE-SVL (local endpoints exist). */
  localChain: boolean;
}

/**
 * A masquerade rule of KUBE-EXT or KUBE-XLB: both chains see only traffic to external entry
 * points, and a `--src-type LOCAL` condition narrows it to what the node itself sends (eTP=Local).
 */
function externalMasquerade(rule: Rule, sources: SourceCondition): MasqueradeRule {
  return {
    appliesTo: sources.kind === 'local-type' ? 'local-source' : 'external',
    sources,
    rule,
  };
}

/** KUBE-EXT: masquerade and short-circuit rules, then the policy chain (§4.3). */
function readExternalChain(
  g: ServiceGroup,
  marks: MarkChains,
  masq: MasqueradeRule[],
  detectorRules: Rule[],
): PolicyEvidence {
  const ev: PolicyEvidence = { local: false, cluster: false, localChain: false };
  const ext = g.chains.ext;
  if (ext === null) return ev;
  for (const rule of ext.rules) {
    const target = rule.jumpChain;
    const cond = sourceCondition(rule);
    if (target === marks.masquerade) {
      masq.push(externalMasquerade(rule, cond));
      if (cond.kind === 'local-type') ev.local = true;
      else if (cond.kind === 'all') ev.cluster = true;
    } else if (target !== null && target === g.chains.svc?.name) {
      if (cond.kind === 'cidr' || cond.kind === 'other') {
        ev.local = true; // pods short-circuit to the cluster-wide endpoints
        detectorRules.push(rule);
      } else if (cond.kind === 'local-type') {
        ev.local = true;
      } else if (cond.kind === 'all') {
        ev.cluster = true;
      }
    } else if (target !== null && target === g.chains.svl?.name) {
      ev.local = true;
      ev.localChain = true;
    }
  }
  return ev;
}

/** KUBE-FW: source ranges (and the `-s <LB IP>` rule when the node is in a range). */
function readFirewallChain(
  g: ServiceGroup,
  marks: MarkChains,
  lbIps: readonly string[],
  masq: MasqueradeRule[],
  markDrop: Rule[],
): string[] {
  const fw = g.chains.fw;
  if (fw === null) return [];
  const ranges: string[] = [];
  const own = new Set(g.chainList().map((c) => c.name));
  for (const rule of fw.rules) {
    const target = rule.jumpChain;
    if (target === marks.drop) {
      markDrop.push(rule);
    } else if (target === marks.masquerade) {
      masq.push({ appliesTo: 'external', sources: sourceCondition(rule), rule });
    } else if (target !== null && own.has(target) && rule.source !== null && !rule.source.negated) {
      const host = hostAddress(rule.source);
      if (host !== null && lbIps.includes(host)) continue;
      ranges.push(addressText(rule.source));
    }
  }
  return unique(ranges);
}

/** KUBE-XLB (≤1.23): pod redirect and LOCAL-source rules before the local ladder. */
function readLegacyLocalChain(
  g: ServiceGroup,
  marks: MarkChains,
  masq: MasqueradeRule[],
  detectorRules: Rule[],
): void {
  const xlb = g.chains.xlb;
  if (xlb === null) return;
  for (const rule of xlb.rules) {
    const target = rule.jumpChain;
    const cond = sourceCondition(rule);
    if (target === marks.masquerade) {
      masq.push(externalMasquerade(rule, cond));
    } else if (target !== null && target === g.chains.svc?.name && cond.kind === 'cidr') {
      detectorRules.push(rule);
    }
  }
}

/** Masquerade rules inside KUBE-SVC / KUBE-SVL (1.21+). */
function readServiceChainMasquerade(
  g: ServiceGroup,
  marks: MarkChains,
  clusterIP: string | null,
  nodePorts: readonly number[],
  masq: MasqueradeRule[],
): void {
  for (const chain of [g.chains.svc, g.chains.svl]) {
    if (chain === null) continue;
    for (const rule of chain.rules) {
      if (rule.jumpChain !== marks.masquerade) continue;
      const ip = hostAddress(rule.destination);
      const sources = sourceCondition(rule);
      let appliesTo: MasqueradeRule['appliesTo'];
      if (ip !== null)
        appliesTo = ip === clusterIP || clusterIP === null ? 'cluster-ip' : 'external';
      else appliesTo = nodePorts.length > 0 ? 'external' : 'cluster-ip';
      masq.push({ appliesTo, sources, rule });
    }
  }
}

function summariseMasquerade(
  rules: readonly MasqueradeRule[],
  hasChains: boolean,
  hasExternal: boolean,
): MasqueradeFacts {
  const cluster = rules.filter((r) => r.appliesTo === 'cluster-ip');
  const external = rules.filter(
    (r) => r.appliesTo === 'external' || r.appliesTo === 'local-source',
  );
  let clusterIP: MasqueradeFacts['clusterIP'] = null;
  if (cluster.some((r) => r.sources.kind === 'all')) clusterIP = 'all';
  else if (cluster.length > 0) clusterIP = 'non-pod';
  else if (hasChains) clusterIP = 'none';
  let ext: MasqueradeFacts['external'] = null;
  if (external.some((r) => r.appliesTo === 'external' && r.sources.kind === 'all')) ext = 'all';
  else if (external.some((r) => r.appliesTo === 'external')) ext = 'non-pod';
  else if (external.some((r) => r.appliesTo === 'local-source')) ext = 'local-sources';
  else if (hasExternal && hasChains) ext = 'none';
  return { rules, clusterIP, external: ext };
}

function callersOf(ctx: ServicePortContext, chain: Chain): string[] {
  const refs = ctx.references.callers(chain);
  return unique(refs.map((r) => r.chain));
}

function formatProbability(p: number): string {
  return `${(p * 100).toFixed(4).replace(/\.?0+$/, '')}%`;
}

/** What the entry and filter rules say: addresses, ports and the type they make. */
function servicePortAddresses(g: ServiceGroup): {
  readonly clusterEntry: EntryRule | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  readonly nodePorts: number[];
  readonly loadBalancerIPs: string[];
  readonly externalIPs: string[];
  readonly type: ServiceType;
} {
  const entries = g.entries;
  const clusterEntry = entries.find((e) => e.kind === 'cluster-ip') ?? null;
  const clusterFilter = g.filterRules.find((f) => f.entry === 'cluster-ip') ?? null;
  const clusterIP = clusterEntry?.ip ?? clusterFilter?.ip ?? null;
  const port =
    clusterEntry?.port ??
    clusterFilter?.port ??
    entries.find((e) => !e.kind.startsWith('node-port') && e.port !== null)?.port ??
    g.filterRules.find((f) => f.entry !== 'node-port' && f.port !== null)?.port ??
    null;
  const nodePorts = unique(
    [
      ...entries.filter((e) => e.kind.startsWith('node-port')).map((e) => e.port),
      ...g.filterRules.filter((f) => f.entry === 'node-port').map((f) => f.port),
    ].filter((p): p is number => p !== null),
  );
  const ipsOf = (kinds: readonly EntryKind[]): string[] =>
    unique(
      [
        ...entries.filter((e) => kinds.includes(e.kind)).map((e) => e.ip),
        ...g.filterRules
          .filter((f) => f.entry !== null && kinds.includes(f.entry))
          .map((f) => f.ip),
      ].filter((x): x is string => x !== null),
    );
  const loadBalancerIPs = ipsOf(['load-balancer']);
  const externalIPs = ipsOf(['external-ip', 'external']).filter(
    (ip) => !loadBalancerIPs.includes(ip),
  );
  let type: ServiceType = 'ClusterIP';
  if (loadBalancerIPs.length > 0 || g.chains.fw !== null) type = 'LoadBalancer';
  else if (nodePorts.length > 0) type = 'NodePort';
  else if (externalIPs.length > 0) type = 'ExternalIP';
  return { clusterEntry, clusterIP, port, nodePorts, loadBalancerIPs, externalIPs, type };
}

/** The fields of a ServicePort that the entry and filter rules decide alone. */
export type ServicePortSummary = Pick<
  ServicePort,
  | 'identity'
  | 'type'
  | 'protocol'
  | 'clusterIP'
  | 'port'
  | 'nodePorts'
  | 'externalIPs'
  | 'loadBalancerIPs'
  | 'entryRules'
  | 'filterRules'
>;

/**
 * The summary without reading the group's chains, when the entry rules settle it: their
 * protocol is known and a name in their comments hashes to the chain name. buildServicePort
 * then comes to the same answer (those names come first among the ones it tries; see
 * resolveIdentity). Null when only the chains can tell.
 */
export function summariseServicePort(
  g: ServiceGroup,
  ctx: ServicePortContext,
): ServicePortSummary | null {
  const protocol = g.protocol();
  if (protocol === null || g.hash === null) return null;
  const entryNames: CommentName[] = [];
  for (const e of g.entries) {
    const name = serviceNameInComment(e.rule.comment);
    if (name !== null) entryNames.push(name);
  }
  if (entryNames.length === 0) return null;
  const resolved = resolveIdentity(
    {
      hash: g.hash,
      names: entryNames,
      protocol,
      tuple: g.firstTuple(),
      chainName: g.chainList()[0]?.name ?? null,
    },
    ctx.directory,
  );
  if (resolved.identity.source !== 'comment') return null;
  const a = servicePortAddresses(g);
  return {
    identity: resolved.identity,
    type: a.type,
    protocol: resolved.protocol,
    clusterIP: a.clusterIP,
    port: a.port,
    nodePorts: a.nodePorts,
    externalIPs: a.externalIPs,
    loadBalancerIPs: a.loadBalancerIPs,
    entryRules: g.entries,
    filterRules: g.filterRules,
  };
}

/** A service port and the rules that show kube-proxy's local-traffic detector, in rule order. */
export interface BuiltServicePort {
  readonly service: ServicePort;
  readonly detectorRules: readonly Rule[];
}

export function buildServicePort(g: ServiceGroup, ctx: ServicePortContext): BuiltServicePort {
  const { marks } = ctx;
  const detectorRules: Rule[] = [];
  const warnings: KubeWarning[] = [];
  const unknowns: KubeUnknown[] = [];
  const masq: MasqueradeRule[] = [...g.masquerade];
  const markDrop: Rule[] = [];

  // --- addresses and ports
  const entries = g.entries;
  const { clusterEntry, clusterIP, port, nodePorts, loadBalancerIPs, externalIPs, type } =
    servicePortAddresses(g);
  const healthCheck = g.filterRules.find((f) => f.kind === 'health-check-accept') ?? null;

  // --- chains
  const ext = readExternalChain(g, marks, masq, detectorRules);
  const loadBalancerSourceRanges = readFirewallChain(g, marks, loadBalancerIPs, masq, markDrop);
  readLegacyLocalChain(g, marks, masq, detectorRules);
  readServiceChainMasquerade(g, marks, clusterIP, nodePorts, masq);
  for (const m of masq)
    if (m.sources.kind === 'not-cidr' || m.sources.kind === 'not-interface')
      detectorRules.push(m.rule);

  // --- ladders
  const isEndpoint = (name: string): boolean => isEndpointChain(name);
  const built: BuiltLadder[] = [];
  const addLadder = (chain: typeof g.chains.svc, kind: LadderKind): void => {
    if (chain === null) return;
    built.push(
      buildLadder({
        chain,
        kind,
        isEndpointChain: isEndpoint,
        marks,
        callers: () => callersOf(ctx, chain),
        withCounters: ctx.withCounters,
      }),
    );
  };
  addLadder(g.chains.svc, 'cluster');
  addLadder(g.chains.svl, 'local');
  addLadder(g.chains.xlb, 'local');
  for (const b of built) markDrop.push(...b.markDropRules);
  const ladders: Ladder[] = built.map((b) => b.ladder);
  const primaryChain = clusterEntry?.target ?? null;
  const primary =
    ladders.find((l) => l.chain.name === primaryChain) ??
    ladders.find((l) => l.kind === 'cluster') ??
    ladders[0] ??
    null;

  // --- policies
  const hasExternal =
    entries.some((e) => EXTERNAL_KINDS.has(e.kind)) ||
    g.filterRules.some((f) => f.entry !== null && EXTERNAL_KINDS.has(f.entry));
  const localDrop = g.filterRules.filter((f) => f.kind === 'drop-no-local-endpoints');
  let externalTrafficPolicy: TrafficPolicy | null = null;
  if (
    healthCheck !== null ||
    g.chains.xlb !== null ||
    ext.local ||
    localDrop.some((f) => f.entry !== null && f.entry !== 'cluster-ip')
  ) {
    externalTrafficPolicy = 'Local';
  } else if (ext.cluster || (hasExternal && entries.some((e) => EXTERNAL_KINDS.has(e.kind)))) {
    externalTrafficPolicy = 'Cluster';
  }
  let internalTrafficPolicy: TrafficPolicy | null = null;
  if (clusterEntry !== null) {
    internalTrafficPolicy = clusterEntry.target === g.chains.svl?.name ? 'Local' : 'Cluster';
  } else if (localDrop.some((f) => f.entry === 'cluster-ip')) {
    internalTrafficPolicy = 'Local';
  }

  // --- identity
  let protocol: ServiceProtocol | null = g.protocol();
  if (protocol === null) {
    for (const c of g.chainList()) {
      for (const r of c.rules) protocol ??= ruleProtocol(r);
    }
  }
  const chainName = g.chainList()[0]?.name ?? null;
  const resolved = resolveIdentity(
    { hash: g.hash, names: g.commentNames(), protocol, tuple: g.firstTuple(), chainName },
    ctx.directory,
  );
  const identity = resolved.identity;
  protocol = resolved.protocol;
  if (resolved.mismatched.length > 0 && g.hash !== null) {
    warnings.push({
      code: 'hash-mismatch',
      severity: 'warning',
      message: `comments name ${resolved.mismatched.map((m) => m.text).join(', ')}, but kube-proxy would not name these chains …${g.hash} for ${resolved.mismatched.length > 1 ? 'those' : 'that'} (hand-edited or foreign rules?)`,
      rules: g.chainList().flatMap((c) => c.rules.slice(0, 1)),
    });
  }
  if (identity.source === 'none') {
    unknowns.push('identity');
    warnings.push({
      code: 'identity-unknown',
      severity: 'info',
      message: `no comment names this service and its chain hash matches no name in the dump: shown as ${identity.label}`,
      rules: entries.slice(0, 1).map((e) => e.rule),
    });
  }

  // --- endpoints
  const localKnown =
    ladders.some((l) => l.kind === 'local') ||
    externalTrafficPolicy === 'Local' ||
    internalTrafficPolicy === 'Local';
  const { endpoints, problems } = buildEndpoints({
    nat: ctx.nat,
    masqueradeChain: marks.masquerade,
    endpointChains: ctx.endpointChains,
    ladders: built,
    primary,
    localKnown,
    identity,
    protocol,
  });
  for (const e of endpoints) {
    if (e.hairpinRule !== null && e.ip !== null) {
      masq.push({
        appliesTo: 'hairpin',
        sources: { kind: 'cidr', cidr: e.ip },
        rule: e.hairpinRule,
      });
    }
  }
  // In a fragment (`-S CHAIN`, a grep) a chain that is not there is simply not in the input.
  const partial =
    ctx.ruleset.format.endsWith('fragment') || ctx.ruleset.losses.includes('partial-table');
  for (const name of problems.missingChains) {
    warnings.push({
      code: 'missing-chain',
      severity: partial ? 'info' : 'error',
      message: partial
        ? `${name} is not part of this input: that endpoint's address cannot be known`
        : `a ladder jumps to ${name}, which the dump does not declare: that endpoint's address is unknown`,
      rules: ladders.flatMap((l) =>
        l.steps.filter((s) => s.endpointChain === name).map((s) => s.rule),
      ),
    });
  }
  for (const chain of problems.unreadableDnat) {
    warnings.push({
      code: 'dnat-unreadable',
      severity: 'warning',
      message: `${chain.name} has no readable DNAT rule: its endpoint address is unknown`,
      rules: chain.rules,
    });
  }

  // --- affinity
  let sessionAffinity: SessionAffinity | null = null;
  const affinityRule = ladders.flatMap((l) => l.affinityRules)[0];
  if (affinityRule !== undefined) {
    let seconds: number | null = null;
    for (const m of affinityRule.matches) if (m.kind === 'recent') seconds = m.seconds;
    sessionAffinity = { timeoutSeconds: seconds };
  } else if (endpoints.some((e) => e.affinity !== null)) {
    sessionAffinity = { timeoutSeconds: null };
  }

  // --- status
  const rejects = g.filterRules.filter((f) => f.kind === 'reject-no-endpoints');
  let endpointsStatus: EndpointsStatus;
  if (endpoints.length > 0) endpointsStatus = 'listed';
  else if (rejects.length > 0) endpointsStatus = 'none';
  else if (localDrop.length > 0 || markDrop.length > 0) endpointsStatus = 'no-local';
  else if (ctx.mode === 'ipvs') endpointsStatus = 'ipvs';
  else endpointsStatus = 'unknown';
  if (endpointsStatus === 'unknown' || endpointsStatus === 'ipvs') unknowns.push('endpoints');

  if (rejects.length > 0) {
    warnings.push({
      code: 'no-endpoints',
      severity: 'warning',
      message: `no usable endpoint anywhere: new connections are rejected (${rejects.map((f) => `filter ${f.rule.chain} rule ${f.rule.index}`).join(', ')})`,
      rules: rejects.map((f) => f.rule),
    });
  }
  const noLocalFor: string[] = [];
  if (
    localDrop.some((f) => f.entry === 'cluster-ip') ||
    (internalTrafficPolicy === 'Local' && primary !== null && primary.steps.length === 0)
  ) {
    noLocalFor.push('ClusterIP traffic');
  }
  const localLadder = ladders.find(
    (l) => l.kind === 'local' && l.chain.name !== primary?.chain.name,
  );
  const externalNoLocal =
    externalTrafficPolicy === 'Local' &&
    (localDrop.some((f) => f.entry !== 'cluster-ip') ||
      (localLadder !== undefined && localLadder.steps.length === 0) ||
      (g.chains.ext !== null && !ext.localChain && g.chains.svl === null));
  if (externalNoLocal)
    noLocalFor.push(
      'external traffic (NodePort, external and LoadBalancer IPs) from outside the node',
    );
  if (noLocalFor.length > 0) {
    const dropRules = [
      ...localDrop.map((f) => f.rule),
      ...markDrop.filter((r) => r.chain !== g.chains.fw?.name),
    ];
    warnings.push({
      code: 'no-local-endpoints',
      severity: 'warning',
      message: `no endpoint on this node: ${noLocalFor.join(' and ')} ${dropRules.length > 0 ? 'is dropped' : 'is not DNATed and falls through'} (${dropRules.length > 0 ? dropRules.map((r) => `${r.table} ${r.chain} rule ${r.index}`).join(', ') : 'the chain ends without a jump'})`,
      rules: dropRules,
    });
  }

  // --- ladder health
  for (const l of ladders) {
    if (l.steps.length > 0 && l.remainder > 1e-12) {
      warnings.push({
        code: 'ladder-remainder',
        severity: 'warning',
        message: `${l.chain.name}: the probabilities leave ${formatProbability(l.remainder)} of new connections unassigned; that share ${l.remainderFate ?? 'goes on'}`,
        rules: l.steps.map((s) => s.rule),
      });
    }
    if (l.unreachableSteps.length > 0) {
      warnings.push({
        code: 'ladder-unreachable',
        severity: 'warning',
        message: `${l.chain.name}: ${l.unreachableSteps.length} rule(s) after an unconditional jump can never be taken`,
        rules: l.unreachableSteps.map((s) => s.rule),
      });
    }
    const conditional = l.steps.filter((s) => s.extraConditions.length > 0);
    if (conditional.length > 0) {
      warnings.push({
        code: 'ladder-conditional',
        severity: 'warning',
        message: `${l.chain.name}: ${conditional.length} balancing rule(s) also test ${unique(conditional.flatMap((s) => s.extraConditions)).join(', ')}; the shares shown assume those tests match`,
        rules: conditional.map((s) => s.rule),
      });
    }
    if (l.steps.some((s) => s.nth !== null)) {
      warnings.push({
        code: 'ladder-nth',
        severity: 'info',
        message: `${l.chain.name}: --mode nth picks every n-th new connection, not at random; shares are the long-run fractions`,
        rules: l.steps.filter((s) => s.nth !== null).map((s) => s.rule),
      });
    }
    if (l.test !== null && l.test.verdict === 'off') {
      const flagged = endpoints.filter((e) =>
        e.paths.some((p) => p.chain === l.chain.name && p.observed?.off),
      );
      warnings.push({
        code: 'observed-share-off',
        severity: 'warning',
        message: `${l.chain.name}: observed shares differ from the probabilities (chi-square ${l.test.statistic.toFixed(1)}, ${l.test.degreesOfFreedom} df, p = ${l.test.pValue.toExponential(2)} < ${l.test.alpha}): ${flagged.map((e) => e.address ?? e.chain.name).join(', ') || 'no single endpoint stands out'}`,
        rules: l.steps.map((s) => s.rule),
      });
    }
  }
  if (ctx.mode === 'iptables') {
    for (const entry of entries) {
      const chain = g.chainList().find((c) => c.name === entry.target);
      if (chain !== undefined && chain.rules.length === 0) {
        warnings.push({
          code: 'empty-chain',
          severity: 'warning',
          message: `${entry.rule.chain} rule ${entry.rule.index} jumps to ${chain.name}, which has no rules: the packet comes back un-DNATed`,
          rules: [entry.rule],
        });
        break;
      }
    }
  }

  // --- traffic: new connections entering the service's chains, or (no nat rules) the ones
  // the filter rules rejected or dropped.
  let traffic: ServicePort['traffic'] = null;
  const counted: Rule[] =
    entries.length > 0
      ? entries.map((e) => e.rule)
      : g.filterRules.filter((f) => f.kind !== 'health-check-accept').map((f) => f.rule);
  if (ctx.withCounters && counted.length > 0 && counted.every((r) => r.counters !== null)) {
    traffic = {
      packets: counted.reduce((a, r) => a + (r.counters?.packets ?? 0), 0),
      exact: counted.every((r) => r.counters?.exact !== false),
    };
    if (traffic.packets === 0 && endpoints.length > 0) {
      warnings.push({
        code: 'no-traffic',
        severity: 'info',
        message: 'the counters show no new connection to this service since they were last zeroed',
        rules: entries.map((e) => e.rule),
      });
    }
  }

  // --- type and unknowns
  if (protocol === null) unknowns.push('protocol');
  if (port === null) unknowns.push('port');
  if (clusterIP === null) unknowns.push('cluster-ip');
  if (entries.length === 0 && g.filterRules.length === 0) {
    unknowns.push('type');
    if (g.chains.ext !== null || g.chains.xlb !== null || g.chains.fw !== null) {
      if (externalTrafficPolicy === null) externalTrafficPolicy = ext.local ? 'Local' : 'Cluster';
    }
  }
  if (entries.length > 0 && externalTrafficPolicy === null && hasExternal)
    unknowns.push('traffic-policy');
  if (
    entries.some((e) => e.kind === 'external') ||
    g.filterRules.some((f) => f.entry === 'external')
  ) {
    unknowns.push('external-kind');
  }

  const service: ServicePort = {
    identity,
    type,
    protocol,
    clusterIP,
    port,
    nodePorts,
    externalIPs,
    loadBalancerIPs,
    loadBalancerSourceRanges,
    sessionAffinity,
    externalTrafficPolicy,
    internalTrafficPolicy,
    healthCheckNodePort: healthCheck?.port ?? null,
    masquerade: summariseMasquerade(
      masq,
      g.chainList().some((c) => c.rules.length > 0),
      hasExternal,
    ),
    chains: {
      svc: g.chains.svc,
      svl: g.chains.svl,
      ext: g.chains.ext,
      fw: g.chains.fw,
      xlb: g.chains.xlb,
      seps: endpoints.map((e) => e.chain),
    },
    entryRules: entries,
    filterRules: g.filterRules,
    markDropRules: markDrop,
    ladders,
    endpoints,
    endpointsStatus,
    traffic,
    warnings,
    unknowns,
  };
  return { service, detectorRules };
}
