/**
 * Builds the chain graph of chosen tables, whole or limited to some service ports.
 *
 * A service's graph holds its own chains (KUBE-SVC/SVL/EXT/FW/XLB and its KUBE-SEPs) with every
 * jump out of them, its entry rules in KUBE-SERVICES/KUBE-NODEPORTS, its filter-table rules
 * (REJECT/DROP/ACCEPT, as edges to verdict nodes), and the path from the built-in chains down to
 * those entry chains, so the drawing starts where packets start. Other services' rules in the
 * shared chains are left out.
 */
import type { ChainRole, KubeModel, LadderStep, ServicePort } from '../kube/model.js';
import type { Rule } from '../model/rule.js';
import type { Chain, Ruleset } from '../model/ruleset.js';
import { shortMatch } from './labels.js';
import type { ChainGraph, GraphEdge, GraphNode, GraphNodeKind } from './model.js';

export interface GraphOptions {
  /** Table names to draw; 'all' for every table in the dump. */
  readonly tables: readonly string[] | 'all';
  /** Limit the graph to these service ports; null for the whole graph. */
  readonly services: readonly ServicePort[] | null;
}

/** Chains that dispatch to services: the path from a built-in chain to a service runs through them. */
const DISPATCH_KINDS: ReadonlySet<GraphNodeKind> = new Set([
  'builtin',
  'services',
  'node-ports',
  'external-services',
  'proxy-firewall',
]);

function probabilityOf(rule: Rule): number | null {
  for (const m of rule.matches) {
    if (m.kind === 'statistic' && m.mode === 'random') return m.kernelThreshold / 2 ** 31;
  }
  return null;
}

class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges: GraphEdge[] = [];
  private readonly edgeRules = new Set<Rule>();

  constructor(
    private readonly model: KubeModel,
    private readonly steps: ReadonlyMap<Rule, LadderStep>,
    private readonly tables: ReadonlySet<string> | null,
  ) {}

  tableSelected(table: string): boolean {
    return this.tables === null || this.tables.has(table);
  }

  role(table: string, chain: string): ChainRole | null {
    return this.model.chainRoles.get(`${table}/${chain}`) ?? null;
  }

  kindOf(table: string, chain: string): GraphNodeKind {
    const role = this.role(table, chain);
    if (role !== null) return role.kind;
    return this.model.ruleset.chain(table, chain)?.builtin === true ? 'builtin' : 'other';
  }

  addChain(table: string, name: string): string {
    const id = `${table}/${name}`;
    if (!this.nodes.has(id)) {
      const role = this.role(table, name);
      const chain = this.model.ruleset.chain(table, name);
      this.nodes.set(id, {
        id,
        table,
        name,
        kind: this.kindOf(table, name),
        service: role?.service?.identity.label ?? null,
        endpoint: role?.endpoint?.address ?? null,
        declared: chain?.declared ?? false,
        rules: chain?.rules.length ?? 0,
      });
    }
    return id;
  }

  addVerdict(table: string, verdict: string): string {
    const id = `${table}/#${verdict}`;
    if (!this.nodes.has(id)) {
      this.nodes.set(id, {
        id,
        table,
        name: verdict,
        kind: 'verdict',
        service: null,
        endpoint: null,
        declared: true,
        rules: 0,
      });
    }
    return id;
  }

  /** Adds the rule as an edge when it jumps to a chain or ends in a verdict node. */
  addRule(rule: Rule, verdictNode: boolean): void {
    if (this.edgeRules.has(rule) || !this.tableSelected(rule.table)) return;
    const target = rule.target;
    if (target === null) return;
    let to: string;
    if (target.kind === 'chain') to = this.addChain(rule.table, target.chain);
    else if (verdictNode) to = this.addVerdict(rule.table, target.name);
    else return;
    this.edgeRules.add(rule);
    const from = this.addChain(rule.table, rule.chain);
    this.edges.push({
      from,
      to,
      match: shortMatch(rule),
      comment: rule.comment,
      probability: probabilityOf(rule),
      share: this.steps.get(rule)?.probability ?? null,
      goto: target.kind === 'chain' && target.goto,
      line: rule.line,
    });
  }

  addChainWithJumps(chain: Chain): void {
    if (!this.tableSelected(chain.table)) return;
    this.addChain(chain.table, chain.name);
    for (const rule of chain.rules) this.addRule(rule, false);
  }

  /**
   * Adds the jumps that lead from built-in chains, through dispatch chains only, into `entry`
   * chains, so a service's drawing starts at PREROUTING/OUTPUT/INPUT/FORWARD.
   */
  addPathsInto(entryIds: Iterable<string>): void {
    const jumpsInto = indexJumps(this.model.ruleset);
    const queue = [...entryIds];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i];
      for (const rule of jumpsInto.get(id) ?? []) {
        if (!DISPATCH_KINDS.has(this.kindOf(rule.table, rule.chain))) continue;
        this.addRule(rule, false);
        const from = `${rule.table}/${rule.chain}`;
        if (!seen.has(from)) {
          seen.add(from);
          queue.push(from);
        }
      }
    }
  }

  finish(services: readonly ServicePort[] | null): ChainGraph {
    const tables: string[] = [];
    for (const n of this.nodes.values()) if (!tables.includes(n.table)) tables.push(n.table);
    return {
      tables,
      services: services === null ? [] : services.map((s) => s.identity.label),
      nodes: [...this.nodes.values()],
      edges: this.edges,
    };
  }
}

/** `table/chain` → the rules that jump to it. */
function indexJumps(ruleset: Ruleset): Map<string, Rule[]> {
  const index = new Map<string, Rule[]>();
  for (const rule of ruleset.rules()) {
    const target = rule.jumpChain;
    if (target === null) continue;
    const key = `${rule.table}/${target}`;
    const list = index.get(key);
    if (list === undefined) index.set(key, [rule]);
    else list.push(rule);
  }
  return index;
}

function ladderSteps(services: readonly ServicePort[]): Map<Rule, LadderStep> {
  const steps = new Map<Rule, LadderStep>();
  for (const s of services)
    for (const l of s.ladders) for (const st of l.steps) steps.set(st.rule, st);
  return steps;
}

function serviceChains(s: ServicePort): Chain[] {
  const c = s.chains;
  const out: Chain[] = [];
  for (const chain of [c.fw, c.ext, c.xlb, c.svc, c.svl]) if (chain !== null) out.push(chain);
  out.push(...c.seps);
  return out;
}

export function buildChainGraph(model: KubeModel, options: GraphOptions): ChainGraph {
  const tables = options.tables === 'all' ? null : new Set(options.tables);
  const graph = new GraphBuilder(model, ladderSteps(model.services), tables);

  if (options.services === null) {
    for (const table of model.ruleset.tables) {
      for (const chain of table.chains) graph.addChainWithJumps(chain);
    }
    // Filter rules that speak for a service end in verdicts worth drawing (REJECT: no endpoints).
    for (const s of model.services) for (const f of s.filterRules) graph.addRule(f.rule, true);
    return graph.finish(null);
  }

  const entryChains = new Set<string>();
  for (const s of options.services) {
    for (const e of s.entryRules) {
      graph.addRule(e.rule, false);
      entryChains.add(`${e.rule.table}/${e.rule.chain}`);
    }
    for (const chain of serviceChains(s)) graph.addChainWithJumps(chain);
    for (const f of s.filterRules) {
      graph.addRule(f.rule, true);
      entryChains.add(`${f.rule.table}/${f.rule.chain}`);
    }
  }
  graph.addPathsInto(entryChains);
  return graph.finish(options.services);
}
