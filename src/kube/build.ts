/**
 * Builds the Kubernetes view from a ruleset: groups each service port's rules (groups.ts),
 * reads its chains for policies, masquerade and source ranges (service-port.ts), and adds the
 * node-wide facts (environment.ts, era.ts) and the chains nothing uses any more.
 */
import { isBuiltinChain, type Chain, type Ruleset, type Table } from '../model/ruleset.js';
import { serviceNameInComment, type CommentName } from './comments.js';
import {
  DetectorEvidence,
  detectMode,
  detectSoftware,
  forwardPodCidrs,
  inferNodeAddresses,
  markOfChain,
} from './environment.js';
import { readEndpointChains, type EndpointChainFacts } from './endpoints.js';
import { NatReferences } from './references.js';
import { guessEra } from './era.js';
import { groupServiceRules, type ServiceGroup } from './groups.js';
import { HashDirectory } from './identity.js';
import type {
  ChainRole,
  ChainRoleKind,
  KubeModel,
  KubeWarning,
  ServicePort,
  StaleChain,
} from './model.js';
import { isEndpointChain, splitServiceChain } from './naming.js';
import { buildServicePort, type ServicePortContext } from './service-port.js';

const MASQUERADE_CHAIN = 'KUBE-MARK-MASQ';
const DROP_CHAIN = 'KUBE-MARK-DROP';

/** The table of that name, or (listings without table names) the one holding its chains. */
function findTable(ruleset: Ruleset, name: 'nat' | 'filter'): Table | undefined {
  const direct = ruleset.table(name);
  if (direct !== undefined) return direct;
  const marker =
    name === 'nat'
      ? /^KUBE-(SVC|SEP|MARK-MASQ|POSTROUTING)/
      : /^KUBE-(FORWARD|EXTERNAL-SERVICES|PROXY-FIREWALL)$/;
  return ruleset.tables.find((t) => t.chains.some((c) => marker.test(c.name)));
}

const FIXED_ROLES: Readonly<Record<string, ChainRoleKind>> = {
  'KUBE-SERVICES': 'services',
  'KUBE-NODEPORTS': 'node-ports',
  'KUBE-EXTERNAL-SERVICES': 'external-services',
  'KUBE-PROXY-FIREWALL': 'proxy-firewall',
  'KUBE-FORWARD': 'forward',
  'KUBE-POSTROUTING': 'postrouting',
  'KUBE-MARK-MASQ': 'mark-masq',
  'KUBE-MARK-DROP': 'mark-drop',
  'KUBE-FIREWALL': 'firewall',
  'KUBE-PROXY-CANARY': 'canary',
  'KUBE-KUBELET-CANARY': 'canary',
  'KUBE-IPTABLES-HINT': 'canary',
  'KUBE-NODE-PORT': 'ipvs',
  'KUBE-LOAD-BALANCER': 'ipvs',
  'KUBE-IPVS-FILTER': 'ipvs',
  'KUBE-IPVS-OUT-FILTER': 'ipvs',
  'KUBE-SOURCE-RANGES-FIREWALL': 'ipvs',
};

function describeLosses(ruleset: Ruleset): string[] {
  const out: string[] = [];
  for (const loss of ruleset.losses) {
    switch (loss) {
      case 'no-table-names':
        out.push(
          'the listing does not name its table: nat and filter chains were told apart by name',
        );
        break;
      case 'no-chain-headers':
        out.push('the input has no chain headers: which chain a rule belongs to was inferred');
        break;
      case 'no-chain-declarations':
        out.push('chains are known only from the rules that name them');
        break;
      case 'no-counters':
        out.push('no counters: observed shares cannot be shown');
        break;
      case 'rounded-counters':
        out.push('counters are rounded (K/M/G): observed shares use the printed lower bounds');
        break;
      case 'names-not-numeric':
        out.push(
          'addresses and ports were printed as names (listing without -n): some cannot be known',
        );
        break;
      case 'ports-not-printed':
        out.push('this listing does not print ports: service ports cannot be known from it');
        break;
      case 'truncated':
        out.push('the input is truncated: services in the missing part are not shown');
        break;
    }
  }
  return out;
}

export function buildKubeModel(ruleset: Ruleset): KubeModel {
  const nat = findTable(ruleset, 'nat');
  const filter = findTable(ruleset, 'filter');
  const references = new NatReferences(ruleset);
  const mode = detectMode(ruleset);
  const era = guessEra(ruleset);
  const detector = new DetectorEvidence();
  for (const cidr of forwardPodCidrs(ruleset)) detector.notePodCidr(cidr);

  const directory = new HashDirectory();
  let uncommentedEndpointChains = 0;
  let commentedKubeRules = 0;
  // Neighbouring rules mostly carry the same comment (one match object, shared): read it once.
  let lastComment: string | null = null;
  let lastName: CommentName | null = null;
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      let commented = false;
      for (const rule of chain.rules) {
        const comment = rule.comment;
        if (comment === null) continue;
        if (comment !== lastComment) {
          lastComment = comment;
          lastName = serviceNameInComment(comment);
          if (lastName !== null) directory.add(lastName);
        }
        if (lastName !== null) {
          commented = true;
          commentedKubeRules++;
        }
      }
      if (table === nat && isEndpointChain(chain.name) && chain.rules.length > 0 && !commented) {
        uncommentedEndpointChains++;
      }
    }
  }
  const commentsAbsent = commentedKubeRules === 0 && uncommentedEndpointChains > 0;

  const grouping = groupServiceRules({
    ruleset,
    nat,
    filter,
    masqueradeChain: MASQUERADE_CHAIN,
  });
  const natHasEntries = (nat?.chain('KUBE-SERVICES')?.rules.length ?? 0) > 0;
  const live: ServiceGroup[] = [];
  for (const g of grouping.groups) {
    const hasFilter = g.filterRules.some((f) => f.kind !== 'health-check-accept');
    const hasRules = g.chainList().some((c) => c.rules.length > 0);
    if (g.entries.length > 0 || hasFilter || (!natHasEntries && hasRules)) live.push(g);
  }
  live.sort((a, b) => a.order - b.order);

  const ctx: ServicePortContext = {
    ruleset,
    nat,
    endpointChains: readEndpointChains(nat, MASQUERADE_CHAIN),
    references,
    marks: { masquerade: MASQUERADE_CHAIN, drop: DROP_CHAIN },
    withCounters: ruleset.hasCounters,
    detector,
    directory,
    mode: mode.mode,
  };
  const services: ServicePort[] = live.map((g) => buildServicePort(g, ctx));
  markDuplicateTuples(services);

  // Endpoint chains in use are marked on their facts as the services list them.
  const used = new Set<Chain>();
  for (const s of services) {
    for (const c of [s.chains.svc, s.chains.svl, s.chains.ext, s.chains.fw, s.chains.xlb]) {
      if (c !== null) used.add(c);
    }
  }
  const staleChains = findStaleChains(nat, used, ctx.endpointChains, references, directory);

  const warnings: KubeWarning[] = [];
  if (mode.mode === 'ipvs') {
    warnings.push({
      code: 'endpoints-in-ipvs',
      severity: 'info',
      message:
        'kube-proxy runs in IPVS mode: services and endpoints live in the kernel IPVS table (`ipvsadm -Ln`) and ipsets, not in this dump' +
        (staleChains.length > 0
          ? `; the ${staleChains.length} KUBE-SVC/KUBE-SEP chains here are leftovers of iptables mode, not services without endpoints`
          : ''),
      rules: [],
    });
  }
  for (const rule of grouping.strayMasquerade) {
    warnings.push({
      code: 'missing-chain',
      severity: 'info',
      message: `masquerade rule for ${rule.destination?.text ?? 'a destination'} matches no service entry point`,
      rules: [rule],
    });
  }
  const limitations = describeLosses(ruleset);
  if (services.length === 0 && directory.mentioned().length > 0 && mode.mode !== 'ipvs') {
    const names = directory.mentioned();
    warnings.push({
      code: 'fields-lost',
      severity: 'warning',
      message: `the rules name ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}, but ${nat === undefined ? 'the nat table, which holds their service rules, is not in this input' : 'the input lost the chain structure that makes them services (a fragment without chain names?)'}`,
      rules: [],
    });
  }
  if (nat !== undefined && filter === undefined && mode.mode === 'iptables') {
    limitations.push(
      'the input has no filter table: services without (local) endpoints, whose only rules are REJECT/DROP there, and health-check ports cannot be seen',
    );
  } else if (nat === undefined && filter !== undefined) {
    limitations.push(
      'the input has no nat table: only services the filter table names are shown, without endpoints or probabilities',
    );
  }
  if (commentsAbsent) {
    limitations.push(
      'the rules carry no comments: services are found by the chain graph, named only where a chain hash matches a known name (else shown by address); external IPs and LoadBalancer IPs look alike, and health-check ports cannot be tied to their service',
    );
  } else if (uncommentedEndpointChains > 0) {
    limitations.push(
      `${uncommentedEndpointChains} KUBE-SEP chains have no comments (kube-proxy's large-cluster mode): they are tied to services by the chain graph and confirmed by their hash`,
    );
  }

  let roles: Map<string, ChainRole> | undefined;
  return {
    ruleset,
    mode: mode.mode,
    modeEvidence: mode.evidence,
    era,
    family: ruleset.family,
    services,
    largeClusterMode: uncommentedEndpointChains > 0 && !commentsAbsent,
    commentsAbsent,
    software: detectSoftware(ruleset),
    masqueradeMark: markOfChain(ruleset, MASQUERADE_CHAIN),
    dropMark: markOfChain(ruleset, DROP_CHAIN),
    localDetector: detector.detector(),
    podCIDRs: detector.podCidrs(),
    nodeAddresses: inferNodeAddresses(ruleset),
    staleChains,
    warnings,
    limitations,
    // One role per chain of the dump: built when first asked for (most commands never do).
    get chainRoles(): ReadonlyMap<string, ChainRole> {
      roles ??= buildChainRoles(ruleset, nat, services);
      return roles;
    },
  };
}

function markDuplicateTuples(services: ServicePort[]): void {
  const seen = new Map<string, ServicePort>();
  for (const s of services) {
    for (const e of s.entryRules) {
      if (e.ip === null || e.port === null) continue;
      const key = `${e.ip}|${e.port}|${e.protocol ?? '*'}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, s);
        continue;
      }
      if (first === s) continue;
      (s.warnings as KubeWarning[]).push({
        code: 'duplicate-tuple',
        severity: 'warning',
        message: `${e.ip}:${e.port} is also claimed by ${first.identity.label}, whose rule comes first in KUBE-SERVICES and wins`,
        rules: [e.rule],
      });
    }
  }
}

/** Whether a service port uses the chain: one of its service chains, or one of its endpoints. */
function isUsed(
  chain: Chain | undefined,
  serviceChains: ReadonlySet<Chain>,
  endpointChains: ReadonlyMap<string, EndpointChainFacts>,
): boolean {
  if (chain === undefined) return false;
  if (serviceChains.has(chain)) return true;
  const facts = endpointChains.get(chain.name);
  return facts !== undefined && facts.chain === chain && facts.listed;
}

function findStaleChains(
  nat: Table | undefined,
  serviceChains: ReadonlySet<Chain>,
  endpointChains: ReadonlyMap<string, EndpointChainFacts>,
  references: NatReferences,
  directory: HashDirectory,
): StaleChain[] {
  if (nat === undefined) return [];
  const out: StaleChain[] = [];
  // The endpoint chains' facts are in table order: walk them beside the table's chains.
  const endpoints = endpointChains.values();
  let nextEndpoint = endpoints.next();
  for (const chain of nat.chains) {
    let used: boolean;
    if (!nextEndpoint.done && nextEndpoint.value.chain === chain) {
      used = nextEndpoint.value.listed;
      nextEndpoint = endpoints.next();
    } else used = serviceChains.has(chain);
    if (used) continue;
    const split = splitServiceChain(chain.name);
    if (split === null && !isEndpointChain(chain.name)) continue;
    // Referenced only by other unused kube-proxy chains counts as unreferenced. (The callers are
    // rules of this same table: the one named nat.)
    const refs = references.callers(chain);
    const referencedByLive = refs.some(
      (r) =>
        isUsed(nat.chain(r.chain), serviceChains, endpointChains) ||
        (splitServiceChain(r.chain) === null && !isEndpointChain(r.chain)),
    );
    const empty = chain.rules.length === 0;
    const reason: StaleChain['reason'] = referencedByLive
      ? 'empty'
      : empty
        ? 'unreferenced-empty'
        : 'unreferenced';
    let service: string | null = null;
    for (const r of chain.rules) {
      const n = serviceNameInComment(r.comment);
      if (n !== null) {
        service = n.text;
        break;
      }
    }
    if (service === null && split !== null)
      service = directory.lookup(split.hash)?.name.text ?? null;
    out.push({ table: 'nat', chain, reason, service });
  }
  return out;
}

const SOFTWARE_PREFIXES: readonly [RegExp, ChainRoleKind][] = [
  [/^DOCKER/, 'docker'],
  [
    /^(FLANNEL-|cali-|CILIUM_|OLD_CILIUM_|KIND-MASQ-AGENT|WEAVE|ANTREA-|CNI-|KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-)/,
    'cni',
  ],
];

function buildChainRoles(
  ruleset: Ruleset,
  nat: Table | undefined,
  services: readonly ServicePort[],
): Map<string, ChainRole> {
  const roles = new Map<string, ChainRole>();
  const byChain = new Map<string, { kind: ChainRoleKind; service: ServicePort }>();
  const endpointOf = new Map<string, ServicePort['endpoints'][number]>();
  for (const s of services) {
    const c = s.chains;
    if (c.svc !== null) byChain.set(c.svc.name, { kind: 'svc', service: s });
    if (c.svl !== null) byChain.set(c.svl.name, { kind: 'svl', service: s });
    if (c.ext !== null) byChain.set(c.ext.name, { kind: 'ext', service: s });
    if (c.fw !== null) byChain.set(c.fw.name, { kind: 'fw', service: s });
    if (c.xlb !== null) byChain.set(c.xlb.name, { kind: 'xlb', service: s });
    for (const e of s.endpoints) {
      byChain.set(e.chain.name, { kind: 'sep', service: s });
      endpointOf.set(e.chain.name, e);
    }
  }
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      const key = `${table.name}/${chain.name}`;
      const owned = table === nat ? byChain.get(chain.name) : undefined;
      let kind: ChainRoleKind;
      let service: ServicePort | null = null;
      if (owned !== undefined) {
        kind = owned.kind;
        service = owned.service;
      } else if (FIXED_ROLES[chain.name] !== undefined) {
        kind = FIXED_ROLES[chain.name];
      } else if (isBuiltinChain(table.name, chain.name)) {
        kind = 'builtin';
      } else {
        const split = splitServiceChain(chain.name);
        if (split !== null) kind = split.prefix.slice(5, -1).toLowerCase() as ChainRoleKind;
        else if (isEndpointChain(chain.name)) kind = 'sep';
        else if (chain.name.startsWith('KUBE-')) kind = 'other-kube';
        else kind = SOFTWARE_PREFIXES.find(([re]) => re.test(chain.name))?.[1] ?? 'other';
      }
      roles.set(key, {
        kind,
        table: table.name,
        chain: chain.name,
        service,
        endpoint: kind === 'sep' ? (endpointOf.get(chain.name) ?? null) : null,
      });
    }
  }
  return roles;
}
