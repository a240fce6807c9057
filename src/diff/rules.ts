/**
 * Rule-level diff, chain by chain. What is noise and ignored:
 * - counters (rules are compared in canonical iptables-save form without them);
 * - the random-looking names of hashed chains: a KUBE-SVC/SVL/EXT/FW/XLB chain is paired with
 *   the chain of the same role of the paired service port, a KUBE-SEP chain with the one of the
 *   same endpoint address of that service, and rule text is compared with B's hashed names
 *   rewritten to A's;
 * - the spelling of a service port's name in comments when the pairing shows it is one service
 *   (`default/nginx:` before ≈1.19, `default/nginx` after: the change that renames its chains);
 * - rule order in the chains where kube-proxy writes services in Go map order (nat and filter
 *   KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES, KUBE-PROXY-FIREWALL). Elsewhere the
 *   order decides what happens (ladders, built-in chains), so a changed order is reported.
 */
import type { ChainRole, ChainRoleKind, KubeModel, ServicePort } from '../kube/model.js';
import type { Chain } from '../model/ruleset.js';
import type { Rule } from '../model/rule.js';
import { printRule, saveString } from '../render/save.js';
import type { ChainDiff, RenamedChain, RuleLine, RulesDiff } from './model.js';
import type { ServicePair } from './pair.js';

/** Roles of chains whose rules kube-proxy writes in no meaningful order. */
const ORDER_FREE_ROLES: ReadonlySet<ChainRoleKind> = new Set([
  'services',
  'node-ports',
  'external-services',
  'proxy-firewall',
]);

const SERVICE_CHAIN_ROLES: ReadonlySet<ChainRoleKind> = new Set(['svc', 'svl', 'ext', 'fw', 'xlb']);

/** Hashed chain names as they appear in jumps, `--name` of recent, and comments. */
const HASHED_CHAIN = /KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-[A-Z0-9]+/g;

interface ChainEntry {
  readonly table: string;
  /** The chain's name; for the pool of a fragment's unnamed chains, UNKNOWN_CHAINS. */
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly role: ChainRole | null;
  readonly key: string;
  readonly orderMatters: boolean;
  readonly chainUnknown: boolean;
}

/** What the pooled rules of a fragment's unnamed chains are shown as. */
export const UNKNOWN_CHAINS = '(chains not named in the input)';

/**
 * A chain the input never named (rows of a grep'ed listing): the reader numbers such groups per
 * dump, so their names pair nothing across dumps and their rules are compared as one pool.
 */
function chainUnknown(chain: Chain): boolean {
  return (
    !chain.declared &&
    chain.rules.length > 0 &&
    chain.rules.every((r) => r.unknowns?.includes('chain') === true)
  );
}

function roleOf(model: KubeModel, chain: Chain): ChainRole | null {
  return model.chainRoles.get(`${chain.table}/${chain.name}`) ?? null;
}

/**
 * The key under which a chain is paired: the role within its paired service port for hashed
 * chains, else the table and name.
 */
function chainKey(
  chain: Chain,
  role: ChainRole | null,
  servicePairIndex: ReadonlyMap<ServicePort, number>,
): string {
  const byName = `name:${chain.table}/${chain.name}`;
  if (role === null || role.service === null) return byName;
  const pairIndex = servicePairIndex.get(role.service);
  if (pairIndex === undefined) return byName;
  if (SERVICE_CHAIN_ROLES.has(role.kind)) return `svc:${pairIndex}:${chain.table}/${role.kind}`;
  if (role.kind === 'sep' && role.endpoint !== null && role.endpoint.address !== null) {
    return `sep:${pairIndex}:${chain.table}/${role.endpoint.address}`;
  }
  return byName;
}

function entries(model: KubeModel, index: ReadonlyMap<ServicePort, number>): ChainEntry[] {
  const out: ChainEntry[] = [];
  const usedKeys = new Set<string>();
  for (const table of model.ruleset.tables) {
    const pooled: Rule[] = [];
    for (const chain of table.chains) {
      if (chainUnknown(chain)) {
        pooled.push(...chain.rules);
        continue;
      }
      const role = roleOf(model, chain);
      let key = chainKey(chain, role, index);
      // Two chains claiming one role (a stale duplicate) are paired by name instead.
      if (usedKeys.has(key)) key = `name:${chain.table}/${chain.name}`;
      usedKeys.add(key);
      out.push({
        table: chain.table,
        name: chain.name,
        rules: chain.rules,
        role,
        key,
        orderMatters: role === null || !ORDER_FREE_ROLES.has(role.kind),
        chainUnknown: false,
      });
    }
    if (pooled.length > 0) {
      out.push({
        table: table.name,
        name: UNKNOWN_CHAINS,
        rules: pooled,
        role: null,
        key: `unknown:${table.name}`,
        orderMatters: false,
        chainUnknown: true,
      });
    }
  }
  return out;
}

/** What B spells differently from A and is the same thing: hashed chain names, service names. */
interface Renames {
  readonly chains: ReadonlyMap<string, string>;
  /** svcPortName as hashed in B → as in A, matched as whole words of comments. */
  readonly serviceNames: ReadonlyMap<string, string>;
}

const NO_RENAMES: Renames = { chains: new Map(), serviceNames: new Map() };

function renameComment(rule: Rule, text: string, names: ReadonlyMap<string, string>): string {
  const comment = rule.comment;
  if (comment === null || names.size === 0) return text;
  const renamed = comment
    .split(' ')
    .map((w) => names.get(w) ?? w)
    .join(' ');
  if (renamed === comment) return text;
  return text.replace(`--comment ${saveString(comment)}`, `--comment ${saveString(renamed)}`);
}

function ruleBody(rule: Rule, renames: Renames): string {
  // `-A NAME ` is dropped: the chain is already paired, and its name may differ.
  let text = printRule(rule).slice(3 + rule.chain.length + 1);
  text = renameComment(rule, text, renames.serviceNames);
  if (renames.chains.size === 0) return text;
  return text.replace(HASHED_CHAIN, (name) => renames.chains.get(name) ?? name);
}

function ruleLine(rule: Rule): RuleLine {
  return { line: rule.line, text: printRule(rule) };
}

interface RuleComparison {
  readonly removed: RuleLine[];
  readonly added: RuleLine[];
  readonly reordered: boolean;
}

/** Multiset difference of two rule lists, plus whether the common rules changed order. */
function compareRules(a: readonly Rule[], b: readonly Rule[], renamesB: Renames): RuleComparison {
  const bodiesA = a.map((r) => ruleBody(r, NO_RENAMES));
  const bodiesB = b.map((r) => ruleBody(r, renamesB));
  const countB = new Map<string, number>();
  for (const t of bodiesB) countB.set(t, (countB.get(t) ?? 0) + 1);

  const removed: RuleLine[] = [];
  const commonA: string[] = [];
  const usedFromB = new Map<string, number>();
  bodiesA.forEach((t, i) => {
    const left = (countB.get(t) ?? 0) - (usedFromB.get(t) ?? 0);
    if (left > 0) {
      usedFromB.set(t, (usedFromB.get(t) ?? 0) + 1);
      commonA.push(t);
    } else {
      removed.push(ruleLine(a[i]));
    }
  });
  const added: RuleLine[] = [];
  const commonB: string[] = [];
  bodiesB.forEach((t, i) => {
    const left = usedFromB.get(t) ?? 0;
    if (left > 0) {
      usedFromB.set(t, left - 1);
      commonB.push(t);
    } else {
      added.push(ruleLine(b[i]));
    }
  });
  const reordered = commonA.some((t, i) => commonB[i] !== t);
  return { removed, added, reordered };
}

function roleLabels(role: ChainRole | null): { service: string | null; endpoint: string | null } {
  return {
    service: role?.service?.identity.label ?? null,
    endpoint: role?.endpoint?.address ?? null,
  };
}

/** Rule-level differences of two dumps, using the service pairing of the service-level diff. */
export function diffRules(a: KubeModel, b: KubeModel, pairs: readonly ServicePair[]): RulesDiff {
  const indexA = new Map<ServicePort, number>();
  const indexB = new Map<ServicePort, number>();
  pairs.forEach((p, i) => {
    if (p.a !== null) indexA.set(p.a, i);
    if (p.b !== null) indexB.set(p.b, i);
  });
  const entriesA = entries(a, indexA);
  const entriesB = entries(b, indexB);
  const byKeyB = new Map(entriesB.map((e) => [e.key, e]));

  // B's hashed chain names → A's, for every pair whose names differ.
  const chainRenames = new Map<string, string>();
  const renamed: RenamedChain[] = [];
  for (const ea of entriesA) {
    const eb = byKeyB.get(ea.key);
    if (eb !== undefined && eb.name !== ea.name) {
      chainRenames.set(eb.name, ea.name);
      renamed.push({ table: ea.table, a: ea.name, b: eb.name });
    }
  }
  const serviceNames = new Map<string, string>();
  for (const p of pairs) {
    const na = p.a?.identity.hashInput ?? null;
    const nb = p.b?.identity.hashInput ?? null;
    if (na !== null && nb !== null && na !== nb) serviceNames.set(nb, na);
  }
  const renamesB: Renames = { chains: chainRenames, serviceNames };

  const chains: ChainDiff[] = [];
  let unchanged = 0;
  const pairedB = new Set<ChainEntry>();
  for (const ea of entriesA) {
    const eb = byKeyB.get(ea.key);
    if (eb === undefined) {
      chains.push(onlyIn('removed', ea));
      continue;
    }
    pairedB.add(eb);
    const orderMatters = ea.orderMatters && eb.orderMatters;
    const cmp = compareRules(ea.rules, eb.rules, renamesB);
    const reordered = orderMatters && cmp.reordered;
    if (cmp.removed.length === 0 && cmp.added.length === 0 && !reordered) {
      unchanged++;
      continue;
    }
    const role = ea.role ?? eb.role;
    chains.push({
      table: ea.table,
      a: ea.name,
      b: eb.name,
      role: role?.kind ?? null,
      service: roleLabels(ea.role).service ?? roleLabels(eb.role).service,
      endpoint: roleLabels(role).endpoint,
      status: 'changed',
      removed: cmp.removed,
      added: cmp.added,
      reordered,
      orderMatters,
      chainUnknown: ea.chainUnknown,
    });
  }
  for (const eb of entriesB) {
    if (!pairedB.has(eb)) chains.push(onlyIn('added', eb));
  }
  return { chains, unchangedChains: unchanged, renamedChains: renamed };
}

function onlyIn(status: 'added' | 'removed', e: ChainEntry): ChainDiff {
  const lines = e.rules.map(ruleLine);
  const d = roleLabels(e.role);
  return {
    table: e.table,
    a: status === 'removed' ? e.name : null,
    b: status === 'added' ? e.name : null,
    role: e.role?.kind ?? null,
    service: d.service,
    endpoint: d.endpoint,
    status,
    removed: status === 'removed' ? lines : [],
    added: status === 'added' ? lines : [],
    reordered: false,
    orderMatters: e.orderMatters,
    chainUnknown: e.chainUnknown,
  };
}
