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
import { DeferredServicePort } from './deferred-service-port.js';
import { EndpointChains } from './endpoints.js';
import { inferFragmentChains, type InferredChains } from './fragment-chains.js';
import { NatReferences } from './references.js';
import { guessEra } from './era.js';
import { groupServiceRules, type GroupingResult, type ServiceGroup } from './groups.js';
import { HashDirectory } from './identity.js';
import type {
  ChainRole,
  ProxyMode,
  ChainRoleKind,
  KubeModel,
  KubeWarning,
  ServicePort,
  StaleChain,
} from './model.js';
import { isEndpointChain, splitServiceChain } from './naming.js';
import {
  buildServicePort,
  summariseServicePort,
  type BuiltServicePort,
  type ServicePortContext,
} from './service-port.js';

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

export interface KubeModelOptions {
  /**
   * Build each service port's chains, ladders and endpoints when one of those fields is first
   * read, and the node-wide facts that need them (era, detector, stale chains, warnings) when
   * those are first read. The answers are the same; only when the work is done differs. For the
   * browser, whose first screen needs only names and addresses.
   */
  readonly deferred?: boolean;
}

/** The comments of the whole dump: names for comment-less chains, and whether any are there. */
interface CommentSurvey {
  readonly directory: HashDirectory;
  readonly uncommentedEndpointChains: number;
  readonly commentsAbsent: boolean;
}

function surveyComments(ruleset: Ruleset, nat: Table | undefined): CommentSurvey {
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
  return {
    directory,
    uncommentedEndpointChains,
    commentsAbsent: commentedKubeRules === 0 && uncommentedEndpointChains > 0,
  };
}

/** Computes `make()` when first asked for, once. */
function once<T>(make: () => T): () => T {
  let done = false;
  let value: T | undefined;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value as T;
  };
}

export function buildKubeModel(input: Ruleset, options: KubeModelOptions = {}): KubeModel {
  // A fragment without chain headers: kube-proxy's chains inferred from its rows' layout.
  const inferred = inferFragmentChains(input, findTable(input, 'nat'));
  const ruleset = inferred?.ruleset ?? input;
  const nat = findTable(ruleset, 'nat');
  const filter = findTable(ruleset, 'filter');
  const references = new NatReferences(ruleset);
  const mode = detectMode(ruleset);
  const survey = once(() => surveyComments(ruleset, nat));

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
    const hasRules = !natHasEntries && g.chainList().some((c) => c.ruleCount > 0);
    if (g.entries.length > 0 || hasFilter || hasRules) live.push(g);
  }
  live.sort((a, b) => a.order - b.order);

  const ctx: ServicePortContext = {
    ruleset,
    nat,
    endpointChains: new EndpointChains(nat, MASQUERADE_CHAIN),
    references,
    marks: { masquerade: MASQUERADE_CHAIN, drop: DROP_CHAIN },
    withCounters: ruleset.hasCounters,
    directory: () => survey().directory,
    mode: mode.mode,
  };

  // Both ways end with the same services, each with its duplicate-tuple warnings last.
  let services: readonly ServicePort[];
  let builtPorts: () => readonly BuiltServicePort[];
  if (options.deferred === true) {
    const ports = live.map(
      (g) => new DeferredServicePort(summariseServicePort(g, ctx), () => buildServicePort(g, ctx)),
    );
    const laterWarnings = duplicateTupleWarnings(ports);
    ports.forEach((p, i) => p.addLaterWarnings(laterWarnings[i]));
    services = ports;
    builtPorts = once(() => ports.map((p) => p.built()));
  } else {
    // Every endpoint chain in table order first: see EndpointChains.
    ctx.endpointChains.readAll();
    const built = live.map((g) => buildServicePort(g, ctx));
    services = built.map((b) => b.service);
    const laterWarnings = duplicateTupleWarnings(services);
    services.forEach((s, i) => (s.warnings as KubeWarning[]).push(...laterWarnings[i]));
    builtPorts = () => built;
  }

  // The facts below need every service port built (the deferred ones too, then).
  const detector = once(() => {
    const evidence = new DetectorEvidence();
    for (const cidr of forwardPodCidrs(ruleset)) evidence.notePodCidr(cidr);
    for (const b of builtPorts()) for (const rule of b.detectorRules) evidence.noteRule(rule);
    return evidence;
  });
  const staleChains = once(() => {
    builtPorts();
    // Endpoint chains in use are marked on their facts as the services list them.
    const used = new Set<Chain>();
    for (const s of services) {
      for (const c of [s.chains.svc, s.chains.svl, s.chains.ext, s.chains.fw, s.chains.xlb]) {
        if (c !== null) used.add(c);
      }
    }
    return findStaleChains(nat, used, ctx.endpointChains, references, () => survey().directory);
  });
  const warnings = once(() => [
    ...(inferred?.warnings ?? []),
    ...nodeWarnings(ruleset, mode.mode, services, staleChains(), grouping, survey()),
  ]);
  const limitations = once(() => [
    ...(inferred !== null ? [inferredLimitation(inferred)] : []),
    ...nodeLimitations(ruleset, nat, filter, mode.mode, survey()),
  ]);
  const era = once(() => guessEra(ruleset));
  const chainRoles = new ChainRoles(ruleset, nat, () => services, references);
  const warmUpJobs = (): Array<() => void> => {
    const jobs: Array<() => void> = [];
    // About 15 ms each on a large dump: a ladder and its endpoints per service port.
    for (let from = 0; from < services.length; from += 150) {
      const to = Math.min(from + 150, services.length);
      jobs.push(() => {
        for (let i = from; i < to; i++) void services[i].endpoints;
      });
    }
    for (let from = 0; from < services.length; from += 1500) {
      jobs.push(() => void chainRoles.indexOwners(1500));
    }
    return jobs;
  };

  return {
    ruleset,
    mode: mode.mode,
    modeEvidence: mode.evidence,
    get era() {
      return era();
    },
    family: ruleset.family,
    services,
    get largeClusterMode() {
      const s = survey();
      return s.uncommentedEndpointChains > 0 && !s.commentsAbsent;
    },
    get commentsAbsent() {
      return survey().commentsAbsent;
    },
    software: detectSoftware(ruleset),
    masqueradeMark: markOfChain(ruleset, MASQUERADE_CHAIN),
    dropMark: markOfChain(ruleset, DROP_CHAIN),
    get localDetector() {
      return detector().detector();
    },
    get podCIDRs() {
      return detector().podCidrs();
    },
    nodeAddresses: inferNodeAddresses(ruleset),
    get staleChains() {
      return staleChains();
    },
    get warnings() {
      return warnings();
    },
    get limitations() {
      return limitations();
    },
    // One role per chain of the dump: built when first asked for (most commands never do).
    chainRoles,
    warmUpJobs,
  };
}

function nodeWarnings(
  ruleset: Ruleset,
  mode: ProxyMode,
  services: readonly ServicePort[],
  staleChains: readonly StaleChain[],
  grouping: GroupingResult,
  survey: CommentSurvey,
): KubeWarning[] {
  const nat = findTable(ruleset, 'nat');
  const warnings: KubeWarning[] = [];
  if (mode === 'ipvs') {
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
  const names = survey.directory.mentioned();
  if (services.length === 0 && names.length > 0 && mode !== 'ipvs') {
    warnings.push({
      code: 'fields-lost',
      severity: 'warning',
      message: `the rules name ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}, but ${nat === undefined ? 'the nat table, which holds their service rules, is not in this input' : 'the input lost the chain structure that makes them services (a fragment without chain names?)'}`,
      rules: [],
    });
  }
  return warnings;
}

function inferredLimitation(inferred: InferredChains): string {
  const some = inferred.placed < inferred.rows ? `${inferred.placed} of ${inferred.rows}` : 'all';
  return `the input shows no chains: the chains of ${some} rows were inferred from the layout of kube-proxy's rules (the rows' shapes, comments and chain-name hashes), not read`;
}

function nodeLimitations(
  ruleset: Ruleset,
  nat: Table | undefined,
  filter: Table | undefined,
  mode: ProxyMode,
  survey: CommentSurvey,
): string[] {
  const limitations = describeLosses(ruleset);
  if (nat !== undefined && filter === undefined && mode === 'iptables') {
    limitations.push(
      'the input has no filter table: services without (local) endpoints, whose only rules are REJECT/DROP there, and health-check ports cannot be seen',
    );
  } else if (nat === undefined && filter !== undefined) {
    limitations.push(
      'the input has no nat table: only services the filter table names are shown, without endpoints or probabilities',
    );
  }
  if (survey.commentsAbsent) {
    limitations.push(
      'the rules carry no comments: services are found by the chain graph, named only where a chain hash matches a known name (else shown by address); external IPs and LoadBalancer IPs look alike, and health-check ports cannot be tied to their service',
    );
  } else if (survey.uncommentedEndpointChains > 0) {
    limitations.push(
      `${survey.uncommentedEndpointChains} KUBE-SEP chains have no comments (kube-proxy's large-cluster mode): they are tied to services by the chain graph and confirmed by their hash`,
    );
  }
  return limitations;
}

/** For each service port (in order), a warning per entry tuple an earlier port already claims. */
function duplicateTupleWarnings(
  ports: readonly Pick<ServicePort, 'identity' | 'entryRules'>[],
): KubeWarning[][] {
  const seen = new Map<string, number>();
  return ports.map((s, index) => {
    const out: KubeWarning[] = [];
    for (const e of s.entryRules) {
      if (e.ip === null || e.port === null) continue;
      const key = `${e.ip}|${e.port}|${e.protocol ?? '*'}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        continue;
      }
      if (first === index) continue;
      out.push({
        code: 'duplicate-tuple',
        severity: 'warning',
        message: `${e.ip}:${e.port} is also claimed by ${ports[first].identity.label}, whose rule comes first in KUBE-SERVICES and wins`,
        rules: [e.rule],
      });
    }
    return out;
  });
}

/** Whether a service port uses the chain: one of its service chains, or one of its endpoints. */
function isUsed(
  chain: Chain | undefined,
  serviceChains: ReadonlySet<Chain>,
  endpointChains: EndpointChains,
): boolean {
  if (chain === undefined) return false;
  if (serviceChains.has(chain)) return true;
  const facts = endpointChains.get(chain.name);
  return facts !== undefined && facts.chain === chain && facts.listed;
}

function findStaleChains(
  nat: Table | undefined,
  serviceChains: ReadonlySet<Chain>,
  endpointChains: EndpointChains,
  references: NatReferences,
  directory: () => HashDirectory,
): StaleChain[] {
  if (nat === undefined) return [];
  const out: StaleChain[] = [];
  for (const chain of nat.chains) {
    const facts = isEndpointChain(chain.name) ? endpointChains.get(chain.name) : undefined;
    const used = facts !== undefined ? facts.listed : serviceChains.has(chain);
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
      service = directory().lookup(split.hash)?.name.text ?? null;
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

interface ChainOwner {
  readonly kind: ChainRoleKind;
  readonly service: ServicePort;
  readonly endpoint: ServicePort['endpoints'][number] | null;
}

/** The chains a service port lists as its own, each with the role it has there. */
function* ownedChains(s: ServicePort): Generator<[string, ChainOwner]> {
  const c = s.chains;
  for (const [kind, own] of [
    ['svc', c.svc],
    ['svl', c.svl],
    ['ext', c.ext],
    ['fw', c.fw],
    ['xlb', c.xlb],
  ] as const) {
    if (own !== null) yield [own.name, { kind, service: s, endpoint: null }];
  }
  for (const e of s.endpoints) yield [e.chain.name, { kind: 'sep', service: s, endpoint: e }];
}

/**
 * The role of every chain of the dump, worked out per chain when first asked for: a large dump
 * has hundreds of thousands of chains, and a lookup needs only its own. Going through all of
 * them (iteration, `size`) works them all out, in table order.
 */
class ChainRoles implements ReadonlyMap<string, ChainRole> {
  readonly #known = new Map<string, ChainRole>();
  #all: Map<string, ChainRole> | null = null;
  /** Chain name → owner; the last port (in order) to list a chain owns it. */
  #owners: Map<string, ChainOwner> | null = null;

  /** Service ports by their chain hash, and each one's position, for `ownerOf`. */
  #byHash: Map<string, ServicePort[]> | null = null;
  #position: Map<ServicePort, number> | null = null;

  constructor(
    private readonly ruleset: Ruleset,
    private readonly nat: Table | undefined,
    private readonly services: () => readonly ServicePort[],
    private readonly references: NatReferences,
  ) {}

  /** Service ports whose chains are in the owners index so far. */
  #indexed = 0;

  /**
   * Adds up to `count` more service ports to the owners index (building them if deferred); true
   * once every one is in.
   */
  indexOwners(count: number): boolean {
    const owners = (this.#owners ??= new Map());
    const services = this.services();
    const to = Math.min(services.length, this.#indexed + count);
    for (; this.#indexed < to; this.#indexed++) {
      for (const [name, owner] of ownedChains(services[this.#indexed])) owners.set(name, owner);
    }
    return this.#indexed === services.length;
  }

  /** Which service port owns each of its chains. */
  private owners(): Map<string, ChainOwner> {
    this.indexOwners(Infinity);
    return this.#owners as Map<string, ChainOwner>;
  }

  /**
   * The service port owning one nat chain, as the owners index says (the last port, in order,
   * that lists the chain), without indexing every port while the index is not complete: only
   * the ports that could own the chain are built (the one of its hash; for a KUBE-SEP chain,
   * those whose chains jump to it). A lookup right after a deferred model is made (the
   * browser's chain list, a first trace's labels) then builds a port or two, not all of them.
   */
  private ownerOf(chain: Chain): ChainOwner | undefined {
    const services = this.services();
    const indexed = this.#owners !== null && this.#indexed === services.length;
    // The jump index is of the table named nat; a listing without table names may differ.
    if (indexed || this.nat !== this.ruleset.table('nat')) {
      return this.owners().get(chain.name);
    }
    if (this.#byHash === null || this.#position === null) {
      const byHash = new Map<string, ServicePort[]>();
      const position = new Map<ServicePort, number>();
      services.forEach((s, i) => {
        position.set(s, i);
        const hash = s.identity.chainHash;
        if (hash === null) return;
        const list = byHash.get(hash);
        if (list === undefined) byHash.set(hash, [s]);
        else list.push(s);
      });
      this.#byHash = byHash;
      this.#position = position;
    }
    const byHash = this.#byHash;
    const position = this.#position;
    const split = splitServiceChain(chain.name);
    let candidates: ServicePort[];
    if (split !== null) candidates = byHash.get(split.hash) ?? [];
    else if (isEndpointChain(chain.name)) {
      const found = new Set<ServicePort>();
      for (const caller of this.references.callers(chain)) {
        const hash = splitServiceChain(caller.chain)?.hash;
        for (const s of hash === undefined ? [] : (byHash.get(hash) ?? [])) found.add(s);
      }
      candidates = [...found].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    } else return undefined;
    let owner: ChainOwner | undefined;
    for (const s of candidates) {
      for (const [name, own] of ownedChains(s)) if (name === chain.name) owner = own;
    }
    return owner;
  }

  private roleOf(table: Table, chain: Chain): ChainRole {
    const owned = table === this.nat ? this.ownerOf(chain) : undefined;
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
    return {
      kind,
      table: table.name,
      chain: chain.name,
      service,
      endpoint: kind === 'sep' ? (owned?.endpoint ?? null) : null,
    };
  }

  get(key: string): ChainRole | undefined {
    if (this.#all !== null) return this.#all.get(key);
    let role = this.#known.get(key);
    if (role === undefined) {
      const slash = key.indexOf('/');
      const table = slash < 0 ? undefined : this.ruleset.table(key.slice(0, slash));
      const chain = table?.chain(key.slice(slash + 1));
      if (table === undefined || chain === undefined) return undefined;
      role = this.roleOf(table, chain);
      this.#known.set(key, role);
    }
    return role;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private every(): Map<string, ChainRole> {
    if (this.#all === null) {
      this.owners();
      const all = new Map<string, ChainRole>();
      for (const table of this.ruleset.tables) {
        for (const chain of table.chains) {
          const key = `${table.name}/${chain.name}`;
          all.set(key, this.#known.get(key) ?? this.roleOf(table, chain));
        }
      }
      this.#all = all;
      this.#known.clear();
    }
    return this.#all;
  }

  get size(): number {
    return this.every().size;
  }
  forEach(
    fn: (value: ChainRole, key: string, map: ReadonlyMap<string, ChainRole>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.every()) fn.call(thisArg, value, key, this);
  }
  entries(): MapIterator<[string, ChainRole]> {
    return this.every().entries();
  }
  keys(): MapIterator<string> {
    return this.every().keys();
  }
  values(): MapIterator<ChainRole> {
    return this.every().values();
  }
  [Symbol.iterator](): MapIterator<[string, ChainRole]> {
    return this.every()[Symbol.iterator]();
  }
}
