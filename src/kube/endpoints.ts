/**
 * Endpoints: one per KUBE-SEP chain a service's ladders reach. The DNAT rule gives the address;
 * the ladders give each path's probability and observed share; the chain name, kube-proxy's
 * hash of service and address, confirms that the endpoint belongs to the service.
 */
import { formatIp, parseIp } from '../model/ip.js';
import type { Counters, Rule } from '../model/rule.js';
import { Chain, type Table } from '../model/ruleset.js';
import { endpointInComment } from './comments.js';
import type { BuiltLadder } from './ladder.js';
import type {
  Endpoint,
  EndpointAffinity,
  EndpointPath,
  Ladder,
  ServiceIdentity,
  ServiceProtocol,
} from './model.js';
import { endpointChainName, isEndpointChain, joinHostPort } from './naming.js';

export interface EndpointInput {
  readonly nat: Table | undefined;
  readonly masqueradeChain: string;
  readonly endpointChains: EndpointChains;
  /** Cluster ladder first, then local ones: the endpoints come out in that order. */
  readonly ladders: readonly BuiltLadder[];
  readonly primary: Ladder | null;
  /** Whether the chains can say which endpoints are local (a local ladder or policy exists). */
  readonly localKnown: boolean;
  readonly identity: ServiceIdentity;
  readonly protocol: ServiceProtocol | null;
}

export interface EndpointProblems {
  readonly missingChains: string[];
  readonly unreadableDnat: Chain[];
}

/** IPv6 in one spelling; IPv4 as iptables prints it (already canonical, and far more common). */
function canonical(ip: string): string {
  if (!ip.includes(':')) return ip;
  const parsed = parseIp(ip);
  return parsed === null ? ip : formatIp(parsed.family, parsed.value);
}

function readDnat(rule: Rule | null): { ip: string | null; port: number | null } {
  if (rule === null || rule.target === null || rule.target.kind !== 'dnat') {
    return { ip: null, port: null };
  }
  const d = rule.target.destinations[0];
  if (d === undefined) return { ip: null, port: null };
  return {
    ip: d.addressFrom === null ? null : canonical(d.addressFrom),
    port: d.ports === null ? null : d.ports.from,
  };
}

/** `-s` names one host (`/32`, `/128`, or no prefix), read from the text without parsing. */
function isHostSource(rule: Rule): boolean {
  const src = rule.source;
  if (src === null || src.negated) return false;
  const slash = src.text.indexOf('/');
  return slash === -1 || src.text.endsWith('/32') || src.text.endsWith('/128');
}

function fromCommentAddress(text: string | null): { ip: string | null; port: number | null } {
  if (text === null) return { ip: null, port: null };
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (m === null || parseIp(m[1]) === null) return { ip: null, port: null };
  return { ip: canonical(m[1]), port: Number(m[2]) };
}

/**
 * An endpoint whose `hashVerified` (a sha256, which adds up on large dumps) is computed when
 * first asked for. It is an own enumerable property like the others, defined with one shared
 * getter so that every endpoint keeps the same fast object layout (an object literal with its
 * own getter closure would be a dictionary of a kilobyte each).
 */
class EndpointRecord implements Endpoint {
  #verified: boolean | null | undefined = undefined;
  readonly #hashInput: string | null;
  readonly #protocol: ServiceProtocol | null;
  declare readonly hashVerified: boolean | null;

  constructor(
    readonly ip: string | null,
    readonly port: number | null,
    readonly address: string | null,
    readonly chain: Chain,
    readonly dnatRule: Rule | null,
    readonly hairpinRule: Rule | null,
    readonly probability: number | null,
    readonly paths: readonly EndpointPath[],
    readonly local: boolean | null,
    readonly affinity: EndpointAffinity | null,
    readonly counters: Counters | null,
    readonly rules: readonly Rule[],
    readonly commentAddress: string | null,
    hashInput: string | null,
    protocol: ServiceProtocol | null,
  ) {
    this.#hashInput = hashInput;
    this.#protocol = protocol;
    Object.defineProperty(this, 'hashVerified', HASH_VERIFIED);
  }

  static verify(e: EndpointRecord): boolean | null {
    if (e.#verified === undefined) {
      const hashInput = e.#hashInput;
      const protocol = e.#protocol;
      e.#verified =
        hashInput === null || protocol === null || e.ip === null || e.port === null
          ? null
          : endpointChainName(hashInput, protocol, joinHostPort(e.ip, e.port)) === e.chain.name;
    }
    return e.#verified;
  }
}

const HASH_VERIFIED: PropertyDescriptor = {
  get(this: EndpointRecord): boolean | null {
    return EndpointRecord.verify(this);
  },
  enumerable: true,
  configurable: true,
};

/** What one KUBE-SEP chain says about its endpoint. */
export interface EndpointChainFacts {
  readonly chain: Chain;
  /** The first DNAT rule. */
  readonly dnatRule: Rule | null;
  /** The first `-s <ip> -j KUBE-MARK-MASQ` rule. */
  readonly hairpinRule: Rule | null;
  /** Address and port of the DNAT rule's first destination. */
  readonly ip: string | null;
  readonly port: number | null;
  /** The DNAT rule, when it also sets the affinity list (`-m recent --set`). */
  readonly setRule: Rule | null;
  /** Set once a service port lists the chain as one of its endpoints. */
  listed: boolean;
}

function readEndpointChain(chain: Chain, masqueradeChain: string): EndpointChainFacts {
  // The first DNAT rule and the first hairpin masquerade rule, in one walk of the chain.
  let dnatRule: Rule | null = null;
  let hairpinRule: Rule | null = null;
  for (const r of chain.rules) {
    if (dnatRule === null && r.target?.kind === 'dnat') dnatRule = r;
    if (hairpinRule === null && r.jumpChain === masqueradeChain && isHostSource(r)) hairpinRule = r;
  }
  const { ip, port } = readDnat(dnatRule);
  const setRule =
    dnatRule !== null && dnatRule.matches.some((m) => m.kind === 'recent' && m.command === 'set')
      ? dnatRule
      : null;
  return { chain, dnatRule, hairpinRule, ip, port, setRule, listed: false };
}

/**
 * What each KUBE-SEP chain of the nat table says, read when a service first asks for it, or all
 * at once by `readAll`. Services reach their endpoint chains in an order unrelated to the
 * table's; on a dump with hundreds of thousands of endpoints, reading each chain's rules from
 * there costs a cache miss per object touched, and a walk in table order (the order the rules
 * were read and stored in) is many times cheaper: a model built whole reads them all first. A
 * model built service by service (the browser's) reads only the chains of the services shown.
 */
export class EndpointChains {
  readonly #byName = new Map<string, EndpointChainFacts>();

  constructor(
    private readonly nat: Table | undefined,
    private readonly masqueradeChain: string,
  ) {}

  /** Facts of the table's endpoint chain of that name; undefined when it has none. */
  get(name: string): EndpointChainFacts | undefined {
    let facts = this.#byName.get(name);
    if (facts === undefined && isEndpointChain(name)) {
      const chain = this.nat?.chain(name);
      if (chain === undefined) return undefined;
      facts = readEndpointChain(chain, this.masqueradeChain);
      this.#byName.set(name, facts);
    }
    return facts;
  }

  readAll(): void {
    if (this.nat === undefined) return;
    for (const chain of this.nat.chains) {
      if (isEndpointChain(chain.name) && !this.#byName.has(chain.name)) {
        this.#byName.set(chain.name, readEndpointChain(chain, this.masqueradeChain));
      }
    }
  }
}

/** What the ladders say about one KUBE-SEP chain, gathered before the chain is read. */
interface EndpointDraft {
  /**
   * Ladder and affinity rules that jump to the chain, in ladder order; and its paths. Made with
   * their first entry: most endpoints have one of each, and a list grown from empty by push
   * keeps room for 17.
   */
  stepRules: Rule[] | null;
  paths: EndpointPath[] | null;
  affinityCheck: Rule | null;
  localListed: boolean;
  commentAddress: string | null;
}

function draftOf(drafts: Map<string, EndpointDraft>, sep: string): EndpointDraft {
  let draft = drafts.get(sep);
  if (draft === undefined) {
    draft = {
      stepRules: null,
      paths: null,
      affinityCheck: null,
      localListed: false,
      commentAddress: null,
    };
    drafts.set(sep, draft);
  }
  return draft;
}

export function buildEndpoints(input: EndpointInput): {
  endpoints: Endpoint[];
  problems: EndpointProblems;
} {
  // Insertion-ordered: first-seen order of the SEP chains.
  const drafts = new Map<string, EndpointDraft>();

  for (const built of input.ladders) {
    const { ladder } = built;
    for (const rule of ladder.affinityRules) {
      const sep = rule.jumpChain;
      if (sep === null) continue;
      const draft = draftOf(drafts, sep);
      draft.affinityCheck ??= rule;
      if (draft.stepRules === null) draft.stepRules = [rule];
      else draft.stepRules.push(rule);
    }
    const steps = ladder.steps;
    for (let position = 0; position < steps.length; position++) {
      const step = steps[position];
      const draft = draftOf(drafts, step.endpointChain);
      if (draft.stepRules === null) draft.stepRules = [step.rule];
      else draft.stepRules.push(step.rule);
      if (ladder.kind === 'local') draft.localListed = true;
      if (draft.commentAddress === null)
        draft.commentAddress = endpointInComment(step.rule.comment);
      const path: EndpointPath = {
        ladder: ladder.kind,
        chain: ladder.chain.name,
        position,
        step,
        probability: step.probability,
        observed: built.observed[position] ?? null,
      };
      if (draft.paths === null) draft.paths = [path];
      else draft.paths.push(path);
    }
  }
  // Affinity-only endpoints (an rcheck rule without a ladder step) keep their first-seen order.
  const problems: EndpointProblems = { missingChains: [], unreadableDnat: [] };
  const endpoints: Endpoint[] = [];
  const primaryChain = input.primary === null ? null : input.primary.chain.name;
  for (const [sep, draft] of drafts) {
    let facts = input.endpointChains.get(sep);
    if (facts === undefined) {
      let chain = input.nat?.chain(sep);
      if (chain === undefined) {
        problems.missingChains.push(sep);
        chain = new Chain('nat', sep, false, 0);
        chain.declared = false;
      }
      facts = readEndpointChain(chain, input.masqueradeChain);
    }
    facts.listed = true;
    const { chain, dnatRule, hairpinRule, setRule } = facts;
    let { ip, port } = facts;
    const named = draft.commentAddress;
    if (ip === null) {
      if (chain.rules.length > 0) problems.unreadableDnat.push(chain);
      ({ ip, port } = fromCommentAddress(named));
    }
    const check = draft.affinityCheck;
    let affinity: EndpointAffinity | null = null;
    if (check !== null || setRule !== null) {
      let seconds: number | null = null;
      for (const m of check?.matches ?? []) if (m.kind === 'recent') seconds = m.seconds;
      affinity = { checkRule: check, setRule, timeoutSeconds: seconds, listName: sep };
    }
    const myPaths = draft.paths ?? [];
    let probability: number | null;
    if (primaryChain === null) probability = myPaths.length > 0 ? myPaths[0].probability : null;
    else {
      const onPrimary = myPaths.find((p) => p.chain === primaryChain);
      probability = onPrimary !== undefined ? onPrimary.probability : 0;
    }
    const address = ip === null ? null : port === null ? ip : joinHostPort(ip, port);
    endpoints.push(
      new EndpointRecord(
        ip,
        port,
        address,
        chain,
        dnatRule,
        hairpinRule,
        probability,
        myPaths,
        input.localKnown ? draft.localListed : null,
        affinity,
        dnatRule?.counters ?? null,
        (draft.stepRules ?? []).concat(chain.rules),
        named,
        input.identity.hashInput,
        input.protocol,
      ),
    );
  }
  return { endpoints, problems };
}
