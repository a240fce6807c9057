/**
 * Chains for the kube-proxy rows of a fragment that lost them (`iptables -t nat -L | grep svc`):
 * the reader keeps such rows in "(unknown chain)" groups; this module tells, from kube-proxy's
 * layout (each row's shape, its comment and its neighbours), which chain each row is in, and
 * builds a ruleset with those chains for the Kubernetes view to read. Nothing is read from the
 * input that it does not show: a row whose chain the layout does not tell stays where it was.
 *
 * How a row is placed (docs/kube-proxy-iptables.md §4, §5.2–5.4), for every era's layout:
 * - `-d IP` rows commented "<svc> cluster IP" / "external IP" / "loadbalancer IP" jumping to a
 *   service chain are KUBE-SERVICES; their KUBE-MARK-MASQ twin is too when the jump follows it
 *   (≤1.20), else it is the masquerade rule of the chain the ClusterIP jump targets (1.21+:
 *   KUBE-SVC, or KUBE-SVL under internalTrafficPolicy=Local);
 * - rows without `-d` commented "<svc> loadbalancer IP" are KUBE-FW-<hash> (≤1.23 every LB IP,
 *   later the source-range rules), as is "other traffic to <svc> will be dropped…" (1.25+);
 * - rows commented with the bare "<svc>" and a destination port, jumping to a service chain,
 *   are KUBE-NODEPORTS (with the KUBE-MARK-MASQ rule just before them, ≤1.23, and the
 *   `-d 127.0.0.0/8 -m nfacct` localhost rule, ≈1.31+); a lone NodePort mark is KUBE-SVC's;
 * - rows jumping to KUBE-SEP-… are a ladder of KUBE-SVC, KUBE-SVL or KUBE-XLB of the service
 *   their comment names; fragment-policy-chains.ts tells which, from the service's rows as a
 *   whole, as it does for "<svc> has no local endpoints" (KUBE-XLB ≤1.23, KUBE-SVL 1.24);
 * - `-s IP -j KUBE-MARK-MASQ` and `DNAT --to-destination IP:PORT` rows are the KUBE-SEP chain
 *   whose name kube-proxy computes from the service, protocol and `IP:PORT`, placed only when
 *   a jump in the input names that chain;
 * - the "… external destinations" rows of 1.24+ are KUBE-EXT-<hash>, the "… LB IP" rows of
 *   ≤1.23 KUBE-XLB-<hash>.
 * Rows that name no service (EXT's uncommented jump to KUBE-SVC/KUBE-SVL, XLB's "Redirect pods
 * …" row) are not in a grep by service name; what they would have shown is not invented.
 */
import { relocateRule, type Rule } from '../model/rule.js';
import {
  isUnknownChainName,
  Ruleset,
  unknownChainName,
  type Chain,
  type Table,
} from '../model/ruleset.js';
import { serviceNameInComment } from './comments.js';
import { PolicyChains } from './fragment-policy-chains.js';
import { ruleProtocol } from './rule-facts.js';
import type { KubeWarning, ServiceProtocol } from './model.js';
import {
  endpointChainName,
  isEndpointChain,
  joinHostPort,
  serviceChainHash,
  splitServiceChain,
  type ServiceChainPrefix,
} from './naming.js';

const MASQ = 'KUBE-MARK-MASQ';
const DROP = 'KUBE-MARK-DROP';

export interface InferredChains {
  /** The input's ruleset with the placed rows moved into the chains they were inferred in. */
  readonly ruleset: Ruleset;
  /** Rows placed, and rows of unknown chains in all. */
  readonly placed: number;
  readonly rows: number;
  /** What could not be placed, or was placed on weaker evidence. */
  readonly warnings: readonly KubeWarning[];
}

function destinationPort(rule: Rule): string | null {
  for (const m of rule.matches)
    if (m.kind === 'ports' && m.destinationPort !== null && !m.destinationPort.negated)
      return m.destinationPort.text;
  return null;
}

function hostOf(text: string): string {
  const slash = text.indexOf('/');
  return slash === -1 ? text : text.slice(0, slash);
}

/** The comment's words after the service name ('' for the bare name). */
function commentKind(comment: string, svc: string): string {
  return comment.slice(comment.indexOf(svc) + svc.length).trim();
}

/** What the rows of one fragment say about each service: its chain hash and its SEP names. */
class ServiceHashes {
  private readonly hashes = new Map<string, Set<string>>();
  readonly endpointTargets = new Set<string>();

  constructor(rules: readonly Rule[]) {
    for (const rule of rules) {
      const name = serviceNameInComment(rule.comment)?.text;
      const target = rule.jumpChain;
      if (target === null) continue;
      if (isEndpointChain(target)) this.endpointTargets.add(target);
      const split = splitServiceChain(target);
      if (split === null || name === undefined) continue;
      let set = this.hashes.get(name);
      if (set === undefined) this.hashes.set(name, (set = new Set()));
      set.add(split.hash);
    }
  }

  /** The service's chain hash: the one its jumps show, else computed from the row's protocol. */
  hash(svc: string, rule: Rule): string | null {
    const shown = this.hashes.get(svc);
    const protocol = ruleProtocol(rule);
    const computed = protocol !== null ? serviceChainHash(svc, protocol) : null;
    if (shown === undefined || shown.size === 0) return computed;
    if (shown.size === 1) return [...shown][0];
    return computed !== null && shown.has(computed) ? computed : null;
  }
}

/** Whether `next` jumps to a service chain with the same comment, destination and port. */
function isTwinJump(mask: Rule, next: Rule | undefined): boolean {
  if (next === undefined) return false;
  const target = next.jumpChain;
  if (target === null || splitServiceChain(target) === null) return false;
  return (
    next.comment === mask.comment &&
    (next.destination?.text ?? null) === (mask.destination?.text ?? null) &&
    destinationPort(next) === destinationPort(mask)
  );
}

interface Placement {
  readonly chain: string;
}

/** An endpoint row whose KUBE-SEP name kube-proxy's hash does not confirm. */
interface UnconfirmedEndpoint {
  readonly svc: string;
  readonly endpoint: string;
  readonly computed: string;
}

type Verdict =
  Placement | { readonly unplaced: string } | { readonly unconfirmed: UnconfirmedEndpoint } | null;

/**
 * The chain of `rules[i]` in kube-proxy's layout; `{unplaced}` for a kube-proxy row whose chain
 * cannot be told, null for rows that name no service.
 */
function placeRow(
  rules: readonly Rule[],
  i: number,
  known: ServiceHashes,
  policy: PolicyChains,
): Verdict {
  const rule = rules[i];
  const comment = rule.comment;
  const svc = serviceNameInComment(comment)?.text;
  if (comment === null || svc === undefined) return null;
  const kind = commentKind(comment, svc);
  const target = rule.jumpChain;
  const dnat = rule.target?.kind === 'dnat' ? rule.target : null;
  const hasDest = rule.destination !== null && !rule.destination.negated;
  const port = destinationPort(rule);
  const hash = known.hash(svc, rule);
  const inService = (prefix: ServiceChainPrefix): Verdict =>
    hash !== null
      ? { chain: prefix + hash }
      : { unplaced: `the chain hash of ${svc} cannot be told (no jump names it)` };

  // Endpoint chains: the hairpin mark and the DNAT, named by kube-proxy's hash.
  if (
    kind === '' &&
    (dnat !== null || (target === MASQ && rule.source !== null && port === null))
  ) {
    return endpointChain(rules, i, svc, known);
  }
  // Ladders: KUBE-SVC, KUBE-SVL or KUBE-XLB, told for all of the service's ladders together.
  if (target !== null && isEndpointChain(target))
    return policy.ladderRow(rule) ?? inService('KUBE-SVC-');
  if (kind === 'cluster IP' || kind === 'external IP' || kind === 'loadbalancer IP') {
    if (hasDest && target !== null && splitServiceChain(target) !== null)
      return { chain: 'KUBE-SERVICES' };
    // ≤1.20 the mark precedes its twin jump in KUBE-SERVICES; 1.21+ it is the masquerade
    // rule of the chain the ClusterIP jump targets (externalIPs: KUBE-SVC, eTP=Cluster only).
    if (hasDest && target === MASQ && isTwinJump(rule, rules[i + 1]))
      return { chain: 'KUBE-SERVICES' };
    if (hasDest && target === MASQ)
      return kind === 'cluster IP' ? policy.clusterMasquerade(svc, rule) : inService('KUBE-SVC-');
    if (kind === 'loadbalancer IP' && !hasDest) return inService('KUBE-FW-');
    if (kind === 'external IP' && hasDest) return { chain: 'KUBE-SERVICES' };
    return { unplaced: `a "${kind}" row of ${svc} of a shape kube-proxy does not write` };
  }
  if (kind === '') {
    const next = rules[i + 1];
    // The bare comment with a port is only ever written in KUBE-NODEPORTS (with `-d 127.0.0.0/8
    // -m nfacct …` for the localhost NodePort rule, ≈1.31+) and, 1.21–1.23, in the NodePort
    // masquerade rule of KUBE-SVC.
    if (port !== null && target !== null && splitServiceChain(target) !== null)
      return { chain: 'KUBE-NODEPORTS' };
    if (port !== null && target === MASQ) {
      const followed =
        next !== undefined &&
        next.comment === comment &&
        next.destination === null &&
        destinationPort(next) === port &&
        next.jumpChain !== null &&
        splitServiceChain(next.jumpChain) !== null;
      return followed ? { chain: 'KUBE-NODEPORTS' } : inService('KUBE-SVC-');
    }
    return { unplaced: `a row of ${svc} of a shape kube-proxy does not write` };
  }
  if (kind === 'external destinations' || comment.endsWith(' external destinations'))
    return inService('KUBE-EXT-');
  if (comment.endsWith(' LB IP') || comment.endsWith(' LB IP to service chain'))
    return inService('KUBE-XLB-');
  if (comment.startsWith('other traffic to ')) return inService('KUBE-FW-');
  if (kind === 'has no local endpoints' && target === DROP)
    return policy.noLocalEndpoints(svc, rule);
  return { unplaced: `the chain of a "${comment}" row cannot be told from kube-proxy's layout` };
}

/** The endpoint `ip:port` and protocol of the DNAT row that belongs with `rules[i]`. */
function endpointOf(
  rules: readonly Rule[],
  i: number,
): { endpoint: string; protocol: ServiceProtocol | null } | null {
  const rule = rules[i];
  const fromDnat = (r: Rule): { endpoint: string; protocol: ServiceProtocol | null } | null => {
    if (r.target?.kind !== 'dnat' || r.target.destinations.length !== 1) return null;
    const d = r.target.destinations[0];
    if (d.addressFrom === null || d.ports === null || d.ports.from !== d.ports.to) return null;
    return { endpoint: joinHostPort(d.addressFrom, d.ports.from), protocol: ruleProtocol(r) };
  };
  if (rule.target?.kind === 'dnat') return fromDnat(rule);
  // The hairpin mark: the DNAT to the same host with the same comment, next or alone.
  const host = rule.source !== null && !rule.source.negated ? hostOf(rule.source.text) : null;
  if (host === null) return null;
  const same = (r: Rule): boolean =>
    r.comment === rule.comment &&
    r.target?.kind === 'dnat' &&
    r.target.destinations.length === 1 &&
    r.target.destinations[0].addressFrom === host;
  const next = rules[i + 1];
  if (next !== undefined && same(next)) return fromDnat(next);
  const all = rules.filter(same);
  return all.length === 1 ? fromDnat(all[0]) : null;
}

function endpointChain(
  rules: readonly Rule[],
  i: number,
  svc: string,
  known: ServiceHashes,
): Verdict {
  const ep = endpointOf(rules, i);
  if (ep === null) return { unplaced: `the endpoint of this ${svc} row (its DNAT) cannot be told` };
  const protocols: readonly ServiceProtocol[] =
    ep.protocol !== null ? [ep.protocol] : ['tcp', 'udp', 'sctp'];
  for (const p of protocols) {
    const name = endpointChainName(svc, p, ep.endpoint);
    if (known.endpointTargets.has(name)) return { chain: name };
  }
  return {
    unconfirmed: {
      svc,
      endpoint: ep.endpoint,
      computed: endpointChainName(svc, protocols[0], ep.endpoint),
    },
  };
}

/** The chain a row is in, with every endpoint chain as one (their names are not known yet). */
function sortKey(verdict: Verdict): string | null {
  if (verdict === null || 'unplaced' in verdict) return null;
  if ('unconfirmed' in verdict || isEndpointChain(verdict.chain)) return 'KUBE-SEP-';
  return verdict.chain;
}

/**
 * Endpoint rows whose KUBE-SEP name the hash does not confirm (the service was renamed in the
 * paste, or kube-proxy hashed other text): iptables-legacy lists a table's chains sorted by name,
 * so when the input's rows come in that order, a service's endpoint chains are its ladder's
 * unconfirmed KUBE-SEP targets in name order. Tied only when the counts agree; said as a warning.
 */
function tieUnconfirmedEndpoints(
  rules: readonly Rule[],
  verdicts: Verdict[],
  warnings: KubeWarning[],
): void {
  const bySvc = new Map<string, string[]>();
  verdicts.forEach((v) => {
    if (v === null || !('unconfirmed' in v)) return;
    const list = bySvc.get(v.unconfirmed.svc) ?? [];
    if (!list.includes(v.unconfirmed.endpoint)) list.push(v.unconfirmed.endpoint);
    bySvc.set(v.unconfirmed.svc, list);
  });
  if (bySvc.size === 0) return;
  // The rows' chains, in input order, must never go back in name order.
  let previous = '';
  let sorted = true;
  for (const v of verdicts) {
    const key = sortKey(v);
    if (key === null) continue;
    if (key < previous) sorted = false;
    previous = key;
  }
  const confirmed = new Set<string>();
  for (const v of verdicts)
    if (v !== null && 'chain' in v && isEndpointChain(v.chain)) confirmed.add(v.chain);
  for (const [svc, endpoints] of bySvc) {
    const targets = [
      ...new Set(
        rules
          .filter((r) => serviceNameInComment(r.comment)?.text === svc)
          .map((r) => r.jumpChain)
          .filter((c): c is string => c !== null && isEndpointChain(c) && !confirmed.has(c)),
      ),
    ].sort();
    if (!sorted || targets.length !== endpoints.length) continue;
    const chainOf = new Map(endpoints.map((e, k) => [e, targets[k]]));
    verdicts.forEach((v, i) => {
      if (v !== null && 'unconfirmed' in v && v.unconfirmed.svc === svc)
        verdicts[i] = { chain: chainOf.get(v.unconfirmed.endpoint) as string };
    });
    warnings.push({
      code: 'hash-mismatch',
      severity: 'warning',
      message: `the endpoint chains of ${svc} are not the names kube-proxy would compute for its endpoints (renamed in the paste?): the ${endpoints.length} endpoints were tied to the ${targets.length} KUBE-SEP jumps by the order iptables-legacy lists chains (sorted by name), not by their names`,
      rules: [],
    });
  }
}

/** The order chains are listed in: entry chains, then per-service chains as kube-proxy names them. */
function chainRank(name: string): number {
  if (name === 'KUBE-SERVICES') return 0;
  if (name === 'KUBE-NODEPORTS') return 1;
  if (splitServiceChain(name) !== null) return 2;
  if (isEndpointChain(name)) return 3;
  return 4;
}

/**
 * The ruleset with the nat table's rows of unknown chains placed in kube-proxy's chains, or null
 * when the input has no such rows or none could be placed.
 */
export function inferFragmentChains(
  ruleset: Ruleset,
  nat: Table | undefined,
): InferredChains | null {
  if (
    nat === undefined ||
    (ruleset.format !== 'listing-fragment' && ruleset.format !== 'save-fragment')
  )
    return null;
  const orphans: Rule[] = [];
  for (const chain of nat.chains) if (isUnknownChainName(chain.name)) orphans.push(...chain.rules);
  if (orphans.length === 0) return null;
  // Input order (the reader grouped proven pairs and ladders after the rest).
  orphans.sort((a, b) => a.line - b.line);
  const known = new ServiceHashes(orphans);
  const policy = new PolicyChains(orphans, (svc, rule) => known.hash(svc, rule));

  const verdicts = orphans.map((_, i) => placeRow(orphans, i, known, policy));
  const warnings: KubeWarning[] = [];
  tieUnconfirmedEndpoints(orphans, verdicts, warnings);

  const placed = new Map<string, Rule[]>();
  const left: Rule[] = [];
  const unplacedReasons = new Map<string, Rule[]>();
  orphans.forEach((rule, i) => {
    const verdict = verdicts[i];
    if (verdict !== null && 'chain' in verdict) {
      const list = placed.get(verdict.chain);
      if (list === undefined) placed.set(verdict.chain, [rule]);
      else list.push(rule);
      return;
    }
    left.push(rule);
    if (verdict === null) return;
    const reason =
      'unplaced' in verdict
        ? verdict.unplaced
        : `the endpoint chain of ${verdict.unconfirmed.svc} ${verdict.unconfirmed.endpoint} (${verdict.unconfirmed.computed} by kube-proxy's naming) is named by no jump in the input`;
    const list = unplacedReasons.get(reason);
    if (list === undefined) unplacedReasons.set(reason, [rule]);
    else list.push(rule);
  });
  if (placed.size === 0) return null;
  for (const [reason, rules] of unplacedReasons) {
    warnings.push({
      code: 'fields-lost',
      severity: 'warning',
      message: `${reason}; ${rules.length === 1 ? 'the row stays' : `its ${rules.length} rows stay`} in an unknown chain`,
      rules,
    });
  }

  const out = new Ruleset(ruleset.file, ruleset.format);
  out.generator = ruleset.generator;
  out.family = ruleset.family;
  out.hasCounters = ruleset.hasCounters;
  out.skippedLines = ruleset.skippedLines;
  out.formatSource = ruleset.formatSource;
  out.problems.push(...ruleset.problems);
  for (const loss of ruleset.losses) out.addLoss(loss);
  for (const table of ruleset.tables) {
    const copy = out.ensureTable(table.name, table.line);
    copy.nameSource = table.nameSource;
    copy.committed = table.committed;
    if (table !== nat) {
      for (const chain of table.chains) copyChain(copy, chain);
      continue;
    }
    for (const chain of table.chains) if (!isUnknownChainName(chain.name)) copyChain(copy, chain);
    const names = [...placed.keys()].sort(
      (a, b) => chainRank(a) - chainRank(b) || (a < b ? -1 : 1),
    );
    for (const name of names) {
      const rules = placed.get(name) as Rule[];
      const existing = copy.chain(name);
      const chain = existing ?? copy.ensureChain(name, rules[0].line);
      if (existing === undefined) chain.declared = false;
      for (const r of rules) {
        const moved = relocateRule(r, copy.name, name);
        chain.rules.push(moved);
        moved.index = chain.rules.length;
      }
    }
    if (left.length > 0) {
      const chain = copy.ensureChain(unknownChainName(1), left[0].line);
      chain.declared = false;
      for (const r of left) {
        const moved = relocateRule(r, copy.name, chain.name);
        chain.rules.push(moved);
        moved.index = chain.rules.length;
      }
    }
  }
  return { ruleset: out, placed: orphans.length - left.length, rows: orphans.length, warnings };
}

function copyChain(table: Table, from: Chain): void {
  const chain = table.ensureChain(from.name, from.line);
  chain.policy = from.policy;
  chain.counters = from.counters;
  chain.references = from.references;
  chain.declared = from.declared;
  for (const r of from.rules) chain.appendRule(r);
}
