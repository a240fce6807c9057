/**
 * Endpoints: one per KUBE-SEP chain a service's ladders reach. The DNAT rule gives the address;
 * the ladders give each path's probability and observed share; the chain name, kube-proxy's
 * hash of service and address, confirms that the endpoint belongs to the service.
 */
import { formatIp, parseIp } from '../model/ip.js';
import type { Rule } from '../model/rule.js';
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
import { endpointChainName, joinHostPort } from './naming.js';

export interface EndpointInput {
  readonly nat: Table | undefined;
  readonly masqueradeChain: string;
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

/** Appends to a list in a map of lists. */
function append<T>(into: Map<string, T[]>, key: string, item: T): void {
  const list = into.get(key);
  if (list === undefined) into.set(key, [item]);
  else list.push(item);
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

export function buildEndpoints(input: EndpointInput): {
  endpoints: Endpoint[];
  problems: EndpointProblems;
} {
  // Insertion-ordered set: first-seen order of the SEP chains.
  const order = new Set<string>();
  const stepRules = new Map<string, Rule[]>();
  const paths = new Map<string, EndpointPath[]>();
  const affinityChecks = new Map<string, Rule>();
  const localListed = new Set<string>();
  const commentAddress = new Map<string, string>();

  for (const built of input.ladders) {
    const { ladder } = built;
    for (const rule of ladder.affinityRules) {
      const sep = rule.jumpChain;
      if (sep === null) continue;
      order.add(sep);
      if (!affinityChecks.has(sep)) affinityChecks.set(sep, rule);
      append(stepRules, sep, rule);
    }
    ladder.steps.forEach((step, position) => {
      const sep = step.endpointChain;
      order.add(sep);
      append(stepRules, sep, step.rule);
      if (ladder.kind === 'local') localListed.add(sep);
      const addr = endpointInComment(step.rule.comment);
      if (addr !== null && !commentAddress.has(sep)) commentAddress.set(sep, addr);
      append(paths, sep, {
        ladder: ladder.kind,
        chain: ladder.chain.name,
        position,
        step,
        probability: step.probability,
        observed: built.observed[position] ?? null,
      });
    });
  }
  // Affinity-only endpoints (an rcheck rule without a ladder step) keep their first-seen order.
  const problems: EndpointProblems = { missingChains: [], unreadableDnat: [] };
  const endpoints: Endpoint[] = [];
  for (const sep of order) {
    let chain = input.nat?.chain(sep);
    if (chain === undefined) {
      problems.missingChains.push(sep);
      chain = new Chain('nat', sep, false, 0);
      chain.declared = false;
    }
    const dnatRule = chain.rules.find((r) => r.target?.kind === 'dnat') ?? null;
    const hairpinRule =
      chain.rules.find((r) => r.jumpChain === input.masqueradeChain && isHostSource(r)) ?? null;
    let { ip, port } = readDnat(dnatRule);
    const named = commentAddress.get(sep) ?? null;
    if (ip === null) {
      if (chain.rules.length > 0) problems.unreadableDnat.push(chain);
      ({ ip, port } = fromCommentAddress(named));
    }
    const setRule =
      dnatRule !== null && dnatRule.matches.some((m) => m.kind === 'recent' && m.command === 'set')
        ? dnatRule
        : null;
    const check = affinityChecks.get(sep) ?? null;
    let affinity: EndpointAffinity | null = null;
    if (check !== null || setRule !== null) {
      let seconds: number | null = null;
      for (const m of check?.matches ?? []) if (m.kind === 'recent') seconds = m.seconds;
      affinity = { checkRule: check, setRule, timeoutSeconds: seconds, listName: sep };
    }
    const myPaths = paths.get(sep) ?? [];
    const onPrimary =
      input.primary === null ? null : myPaths.find((p) => p.chain === input.primary?.chain.name);
    const probability =
      input.primary === null
        ? (myPaths[0]?.probability ?? null)
        : onPrimary !== undefined && onPrimary !== null
          ? onPrimary.probability
          : 0;
    const address = ip === null ? null : port === null ? ip : joinHostPort(ip, port);
    const hashInput = input.identity.hashInput;
    const protocol = input.protocol;
    const joined = ip !== null && port !== null ? joinHostPort(ip, port) : null;
    let verified: boolean | null | undefined;
    endpoints.push({
      ip,
      port,
      address,
      chain,
      dnatRule,
      hairpinRule,
      probability,
      paths: myPaths,
      local: input.localKnown ? localListed.has(sep) : null,
      affinity,
      counters: dnatRule?.counters ?? null,
      rules: [...(stepRules.get(sep) ?? []), ...chain.rules],
      commentAddress: named,
      // A sha256 per endpoint adds up on large dumps: computed when first asked for.
      get hashVerified(): boolean | null {
        if (verified === undefined) {
          verified =
            hashInput === null || protocol === null || joined === null
              ? null
              : endpointChainName(hashInput, protocol, joined) === sep;
        }
        return verified;
      },
    });
  }
  return { endpoints, problems };
}
