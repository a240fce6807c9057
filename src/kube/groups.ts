/**
 * Gathering the rules of each service port: the service-level chains sharing one hash suffix,
 * the KUBE-SERVICES / KUBE-NODEPORTS rules that enter them, the masquerade rules that concern
 * them (in KUBE-SERVICES before 1.21), and the filter-table rules for the same destinations.
 * Services that only exist in the filter table (no endpoints) are grouped by the destination
 * tuples their rules share, labelled by their comments.
 */
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset, Table } from '../model/ruleset.js';
import { serviceNameInComment, type CommentName } from './comments.js';
import type {
  EntryKind,
  EntryRule,
  FilterRule,
  FilterRuleKind,
  MasqueradeRule,
  ServiceProtocol,
} from './model.js';
import { splitServiceChain, type ServiceChainPrefix } from './naming.js';
import {
  destinationPort,
  hostAddress,
  matchesDestinationLocal,
  ruleProtocol,
  sourceCondition,
} from './rule-facts.js';

export interface GroupChains {
  svc: Chain | null;
  svl: Chain | null;
  ext: Chain | null;
  fw: Chain | null;
  xlb: Chain | null;
}

/** One service port's rules, as found; turned into a ServicePort by the builder. */
export class ServiceGroup {
  readonly chains: GroupChains = { svc: null, svl: null, ext: null, fw: null, xlb: null };
  readonly entries: EntryRule[] = [];
  readonly filterRules: FilterRule[] = [];
  readonly masquerade: MasqueradeRule[] = [];
  /** Sort key: position of the first rule that names the group. */
  order = Number.MAX_SAFE_INTEGER;
  /** Comment name that grouped filter-only rules. */
  filterName: CommentName | null = null;

  constructor(
    /** The shared 16-character hash, or a synthetic key for filter-only groups. */
    readonly key: string,
    readonly hash: string | null,
  ) {}

  chainList(): Chain[] {
    const c = this.chains;
    return [c.svc, c.svl, c.ext, c.fw, c.xlb].filter((x): x is Chain => x !== null);
  }

  setChain(prefix: ServiceChainPrefix, chain: Chain): void {
    switch (prefix) {
      case 'KUBE-SVC-':
        this.chains.svc = chain;
        break;
      case 'KUBE-SVL-':
        this.chains.svl = chain;
        break;
      case 'KUBE-EXT-':
        this.chains.ext = chain;
        break;
      case 'KUBE-FW-':
        this.chains.fw = chain;
        break;
      case 'KUBE-XLB-':
        this.chains.xlb = chain;
        break;
    }
  }

  protocol(): ServiceProtocol | null {
    for (const e of this.entries) if (e.protocol !== null) return e.protocol;
    for (const f of this.filterRules) if (f.protocol !== null) return f.protocol;
    return null;
  }

  /** Comment names on the group's rules (entry comments first: they survive large-cluster mode). */
  /**
   * Names in the comments of the group's rules, in the order identity resolution trusts them:
   * entry rules, then the service chains' own rules (unless `chains` is false: they are the bulk
   * of a large dump, and the entry and filter rules already carry kube-proxy's labels), then the
   * filter rules.
   */
  commentNames(chains = true): CommentName[] {
    const out: CommentName[] = [];
    // Neighbouring rules mostly carry the same comment: read each one once.
    let lastComment: string | null = null;
    let lastName: CommentName | null = null;
    const take = (rule: Rule): void => {
      const comment = rule.comment;
      if (comment !== lastComment) {
        lastComment = comment;
        lastName = serviceNameInComment(comment);
      }
      if (lastName !== null) out.push(lastName);
    };
    for (const e of this.entries) take(e.rule);
    if (chains) for (const c of this.chainList()) for (const r of c.rules) take(r);
    for (const f of this.filterRules) take(f.rule);
    if (this.filterName !== null) out.push(this.filterName);
    return out;
  }

  /** `IP:PORT` of the first entry point, or `NodePort N` when it only has NodePorts. */
  firstTuple(): string | null {
    for (const e of this.entries) {
      if (e.ip !== null && e.port !== null) return joinTuple(e.ip, e.port);
    }
    for (const f of this.filterRules) {
      if (f.ip !== null && f.port !== null) return joinTuple(f.ip, f.port);
    }
    const nodePort =
      this.entries.find((e) => e.kind === 'node-port' && e.port !== null)?.port ??
      this.filterRules.find((f) => f.entry === 'node-port' && f.port !== null)?.port;
    return nodePort === undefined ? null : `NodePort ${nodePort}`;
  }
}

function joinTuple(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function tupleKey(ip: string, port: number | null, protocol: ServiceProtocol | null): string {
  return `${ip}|${port ?? '*'}|${protocol ?? '*'}`;
}

/** Entry-kind label from kube-proxy's comment suffixes (a label, checked against the shape). */
function labelledKind(rule: Rule): EntryKind | null {
  const c = rule.comment;
  if (c === null) return null;
  if (c.endsWith(' cluster IP')) return 'cluster-ip';
  if (c.endsWith(' external IP')) return 'external-ip';
  if (c.endsWith(' loadbalancer IP')) return 'load-balancer';
  return null;
}

export interface GroupingResult {
  readonly groups: ServiceGroup[];
  /** KUBE-SERVICES masquerade rules whose tuple matched no service (kept for warnings). */
  readonly strayMasquerade: Rule[];
  /** KUBE-SERVICES rules that send local destinations to KUBE-NODEPORTS. */
  readonly nodePortTailRules: Rule[];
}

export interface GroupingInput {
  readonly ruleset: Ruleset;
  readonly nat: Table | undefined;
  readonly filter: Table | undefined;
  readonly masqueradeChain: string;
}

function entryOf(kind: EntryKind, rule: Rule, target: string): EntryRule {
  return {
    kind,
    rule,
    ip:
      kind === 'node-port' || kind === 'node-port-localhost' ? null : hostAddress(rule.destination),
    port: destinationPort(rule),
    protocol: ruleProtocol(rule),
    target,
  };
}

export function groupServiceRules(input: GroupingInput): GroupingResult {
  const { nat, filter, masqueradeChain } = input;
  const byHash = new Map<string, ServiceGroup>();
  const groupOfChain = (name: string | null): ServiceGroup | null => {
    if (name === null) return null;
    const split = splitServiceChain(name);
    if (split === null) return null;
    return byHash.get(split.hash) ?? null;
  };

  if (nat !== undefined) {
    for (const chain of nat.chains) {
      const split = splitServiceChain(chain.name);
      if (split === null) continue;
      let g = byHash.get(split.hash);
      if (g === undefined) {
        g = new ServiceGroup(split.hash, split.hash);
        byHash.set(split.hash, g);
      }
      g.setChain(split.prefix, chain);
    }
  }

  const strayMasquerade: Rule[] = [];
  const nodePortTailRules: Rule[] = [];
  const pendingMasq: Rule[] = [];
  const pendingNodeMasq: Rule[] = [];

  const services = nat?.chain('KUBE-SERVICES');
  if (services !== undefined) {
    // ClusterIP vs external IP when both jump to KUBE-SVC (≤1.23) and no comment labels them:
    // kube-proxy writes the ClusterIP rule first.
    services.rules.forEach((rule, i) => {
      const target = rule.jumpChain;
      if (target === 'KUBE-NODEPORTS') {
        nodePortTailRules.push(rule);
        return;
      }
      if (target === masqueradeChain) {
        if (hostAddress(rule.destination) !== null) pendingMasq.push(rule);
        return;
      }
      const g = groupOfChain(target);
      if (g === null || target === null) return;
      const prefix = splitServiceChain(target)?.prefix;
      let kind = labelledKind(rule);
      if (kind === null) {
        if (prefix === 'KUBE-FW-') kind = 'load-balancer';
        else if (prefix === 'KUBE-SVC-' || prefix === 'KUBE-SVL-') {
          const ip = hostAddress(rule.destination);
          const clusterIp = g.entries.find((e) => e.kind === 'cluster-ip');
          kind = clusterIp === undefined || clusterIp.ip === ip ? 'cluster-ip' : 'external-ip';
        } else kind = 'external'; // KUBE-EXT / KUBE-XLB: external IP or LB IP alike
      }
      g.entries.push(entryOf(kind, rule, target));
      g.order = Math.min(g.order, i);
    });
  }

  const nodeports = nat?.chain('KUBE-NODEPORTS');
  if (nodeports !== undefined) {
    nodeports.rules.forEach((rule, i) => {
      const target = rule.jumpChain;
      if (target === masqueradeChain) {
        pendingNodeMasq.push(rule);
        return;
      }
      const g = groupOfChain(target);
      if (g === null || target === null) return;
      const dest = rule.destination;
      const localhost =
        dest !== null &&
        !dest.negated &&
        dest.net !== null &&
        dest.net.family === 4 &&
        dest.net.prefix === 8 &&
        dest.net.address >> 24n === 127n;
      g.entries.push(entryOf(localhost ? 'node-port-localhost' : 'node-port', rule, target));
      g.order = Math.min(g.order, 1_000_000 + i);
    });
  }

  const groups = [...byHash.values()];

  // Pre-1.21 masquerade rules in KUBE-SERVICES / KUBE-NODEPORTS, matched by destination tuple.
  const byTuple = new Map<string, { group: ServiceGroup; kind: EntryKind }>();
  const byNodePort = new Map<string, ServiceGroup>();
  for (const g of groups) {
    for (const e of g.entries) {
      if (e.kind === 'node-port' || e.kind === 'node-port-localhost') {
        if (e.port === null) continue;
        const key = `${e.port}|${e.protocol ?? '*'}`;
        if (!byNodePort.has(key)) byNodePort.set(key, g);
      } else if (e.ip !== null) {
        // Entries without a readable protocol are filed under '*', the lookups' fallback.
        const key = tupleKey(e.ip, e.port, e.protocol);
        if (!byTuple.has(key)) byTuple.set(key, { group: g, kind: e.kind });
      }
    }
  }
  for (const rule of pendingMasq) {
    const ip = hostAddress(rule.destination);
    if (ip === null) continue;
    const port = destinationPort(rule);
    const hit =
      byTuple.get(tupleKey(ip, port, ruleProtocol(rule))) ?? byTuple.get(tupleKey(ip, port, null));
    if (hit === undefined) {
      strayMasquerade.push(rule);
      continue;
    }
    hit.group.masquerade.push({
      appliesTo: hit.kind === 'cluster-ip' ? 'cluster-ip' : 'external',
      sources: sourceCondition(rule),
      rule,
    });
  }
  for (const rule of pendingNodeMasq) {
    const port = destinationPort(rule);
    const g = byNodePort.get(`${port}|${ruleProtocol(rule) ?? '*'}`) ?? byNodePort.get(`${port}|*`);
    if (g === undefined) {
      strayMasquerade.push(rule);
      continue;
    }
    const sources = sourceCondition(rule);
    g.masquerade.push({
      appliesTo:
        sources.kind === 'cidr' && sources.cidr.startsWith('127.')
          ? 'localhost-node-port'
          : 'external',
      sources,
      rule,
    });
  }

  if (filter !== undefined) groupFilterRules(filter, groups, byTuple, byNodePort);

  return { groups, strayMasquerade, nodePortTailRules };
}

const FILTER_CHAINS = [
  'KUBE-SERVICES',
  'KUBE-EXTERNAL-SERVICES',
  'KUBE-NODEPORTS',
  'KUBE-PROXY-FIREWALL',
];

function filterKind(chain: string, rule: Rule): FilterRuleKind | null {
  const t = rule.target;
  if (t === null) return null;
  if (t.kind === 'reject') return 'reject-no-endpoints';
  if (t.kind !== 'verdict') return null;
  if (t.name === 'ACCEPT' && chain === 'KUBE-NODEPORTS') return 'health-check-accept';
  if (t.name === 'DROP') {
    if (chain === 'KUBE-PROXY-FIREWALL') return 'firewall-drop';
    if (chain === 'KUBE-SERVICES' || chain === 'KUBE-EXTERNAL-SERVICES')
      return 'drop-no-local-endpoints';
  }
  return null;
}

function groupFilterRules(
  filter: Table,
  groups: ServiceGroup[],
  byTuple: ReadonlyMap<string, { group: ServiceGroup; kind: EntryKind }>,
  byNodePort: ReadonlyMap<string, ServiceGroup>,
): void {
  const filterOnly = new Map<string, ServiceGroup>();
  const healthChecks: FilterRule[] = [];
  let order = 2_000_000;

  for (const chainName of FILTER_CHAINS) {
    const chain = filter.chain(chainName);
    if (chain === undefined) continue;
    for (const rule of chain.rules) {
      order++;
      const kind = filterKind(chainName, rule);
      if (kind === null) continue;
      const protocol = ruleProtocol(rule);
      const port = destinationPort(rule);
      const ip = hostAddress(rule.destination);
      if (kind === 'health-check-accept') {
        healthChecks.push({ kind, entry: null, ip: null, port, protocol, rule });
        continue;
      }
      const isNodePort = ip === null && matchesDestinationLocal(rule);
      let group: ServiceGroup | null = null;
      let entry: EntryKind | null = null;
      if (isNodePort) {
        entry = 'node-port';
        group = byNodePort.get(`${port}|${protocol ?? '*'}`) ?? byNodePort.get(`${port}|*`) ?? null;
      } else if (ip !== null) {
        const hit =
          byTuple.get(tupleKey(ip, port, protocol)) ?? byTuple.get(tupleKey(ip, port, null));
        if (hit !== undefined) {
          group = hit.group;
          entry = hit.kind;
        }
      } else {
        continue;
      }
      const name = serviceNameInComment(rule.comment);
      if (group === null) {
        // A service without nat rules: group its filter rules by their name, else by tuple.
        const key =
          name !== null
            ? `name:${name.text}|${protocol ?? '*'}`
            : `tuple:${ip ?? 'node'}|${port ?? '*'}|${protocol ?? '*'}`;
        group = filterOnly.get(key) ?? null;
        if (group === null) {
          group = new ServiceGroup(key, null);
          group.filterName = name;
          group.order = order;
          filterOnly.set(key, group);
        }
        if (entry === null) {
          // In filter KUBE-SERVICES the first tuple of a service is its ClusterIP (kube-proxy
          // writes it first); later ones and KUBE-EXTERNAL-SERVICES ones are external.
          const hasCluster = group.filterRules.some((f) => f.entry === 'cluster-ip');
          entry =
            chainName === 'KUBE-SERVICES' && !hasCluster
              ? 'cluster-ip'
              : chainName === 'KUBE-PROXY-FIREWALL'
                ? 'load-balancer'
                : 'external';
        }
      } else if (entry === null) {
        entry = 'external';
      }
      group.filterRules.push({ kind, entry, ip, port, protocol, rule });
    }
  }
  groups.push(...filterOnly.values());

  // Health-check ACCEPT rules carry no tuple: only their name ties them to a service. The labels
  // of entry and filter rules are asked first, so that the service chains (most of a large dump)
  // are read only for a health check those labels do not name.
  if (healthChecks.length === 0) return;
  const named = (withChains: boolean): Map<string, ServiceGroup> => {
    const byName = new Map<string, ServiceGroup>();
    for (const g of groups) {
      for (const n of g.commentNames(withChains)) if (!byName.has(n.text)) byName.set(n.text, g);
    }
    return byName;
  };
  const byLabel = named(false);
  let byAnyName: Map<string, ServiceGroup> | null = null;
  for (const hc of healthChecks) {
    const name = serviceNameInComment(hc.rule.comment);
    if (name === null) continue;
    let g = byLabel.get(name.text);
    if (g === undefined) {
      byAnyName ??= named(true);
      g = byAnyName.get(name.text);
    }
    if (g !== undefined) g.filterRules.push(hc);
  }
}
