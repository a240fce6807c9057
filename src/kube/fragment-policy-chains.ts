/**
 * Which of a service's load-balancing chains a fragment row is in: KUBE-SVC (cluster-policy
 * endpoints), KUBE-SVL (1.24+ local-policy endpoints) or KUBE-XLB (1.16–1.23 eTP=Local). The
 * rows of these chains look alike (a ladder of `-j KUBE-SEP-…` jumps with the same comment), so
 * fragment-chains.ts asks this module, which decides from what the input shows of the service as
 * a whole (docs/kube-proxy-iptables.md §4.5, §5.2–5.4):
 * - the chains its jumps name (the ClusterIP jump targets KUBE-SVL under iTP=Local, the
 *   KUBE-NODEPORTS/KUBE-FW jumps target KUBE-XLB under eTP=Local in ≤1.23);
 * - its era signs ("external destinations" rows and `-> ip:port` comments are 1.24+, "LB IP"
 *   rows are KUBE-XLB's);
 * - how many ladders it has, and which endpoints each lists: a local ladder lists a subset of
 *   the cluster ladder's endpoints (local endpoints are among all endpoints).
 * What these cannot tell is left unplaced with the reason, never guessed.
 */
import type { Rule } from '../model/rule.js';
import { serviceNameInComment } from './comments.js';
import { isEndpointChain, splitServiceChain, type ServiceChainPrefix } from './naming.js';

export type ChainVerdict = { readonly chain: string } | { readonly unplaced: string };

type LocalPrefix = 'KUBE-SVL-' | 'KUBE-XLB-';

/** What the input shows of one service's load-balancing chains. */
interface ServiceSigns {
  /** Prefixes of the service chains its commented rows jump to. */
  readonly jumps: Set<ServiceChainPrefix>;
  /** The target prefix of its "cluster IP" jump (KUBE-SERVICES), when shown. */
  clusterTarget: ServiceChainPrefix | null;
  /** 1.24+ rows: "… external destinations", `<svc> -> ip:port`. */
  modern: boolean;
  /** ≤1.23 KUBE-XLB rows: "… LB IP", "… LB IP to service chain". */
  xlb: boolean;
  /** A "<svc> has no local endpoints" row: the local chain has no ladder. */
  noLocalEndpoints: boolean;
  /** Its ladder rows (jumps to KUBE-SEP), in input order. */
  readonly ladderRows: Rule[];
}

/** A ladder row is conditional while it has a `statistic` or affinity `recent` match. */
function endsLadder(rule: Rule): boolean {
  return !rule.matches.some((m) => m.kind === 'statistic' || m.kind === 'recent');
}

export class PolicyChains {
  private readonly signs = new Map<string, ServiceSigns>();
  private readonly ladder = new Map<Rule, ChainVerdict>();

  constructor(
    rules: readonly Rule[],
    private readonly hashOf: (svc: string, rule: Rule) => string | null,
  ) {
    for (const rule of rules) {
      const comment = rule.comment;
      const svc = serviceNameInComment(comment)?.text;
      if (comment === null || svc === undefined) continue;
      const s = this.of(svc);
      const target = rule.jumpChain;
      const split = target !== null ? splitServiceChain(target) : null;
      if (split !== null) {
        s.jumps.add(split.prefix);
        if (comment.endsWith(`${svc} cluster IP`) && rule.destination !== null)
          s.clusterTarget = split.prefix;
      }
      if (comment.endsWith(' external destinations') || comment.includes(`${svc} -> `))
        s.modern = true;
      if (comment.endsWith(' LB IP') || comment.endsWith(' LB IP to service chain')) s.xlb = true;
      if (comment === `${svc} has no local endpoints`) s.noLocalEndpoints = true;
      if (target !== null && isEndpointChain(target)) s.ladderRows.push(rule);
    }
    for (const [svc, s] of this.signs) this.placeLadders(svc, s);
  }

  private of(svc: string): ServiceSigns {
    let s = this.signs.get(svc);
    if (s === undefined) {
      s = {
        jumps: new Set(),
        clusterTarget: null,
        modern: false,
        xlb: false,
        noLocalEndpoints: false,
        ladderRows: [],
      };
      this.signs.set(svc, s);
    }
    return s;
  }

  /** The local-policy chain's prefix this service's era uses, or null when the input cannot tell. */
  private localPrefix(s: ServiceSigns): LocalPrefix | null {
    const svl = s.jumps.has('KUBE-SVL-') || s.jumps.has('KUBE-EXT-') || s.modern;
    const xlb = s.jumps.has('KUBE-XLB-') || s.xlb;
    if (svl === xlb) return null;
    return svl ? 'KUBE-SVL-' : 'KUBE-XLB-';
  }

  /** The chain of a row jumping to KUBE-SEP-…, decided for the service's ladders together. */
  ladderRow(rule: Rule): ChainVerdict | undefined {
    return this.ladder.get(rule);
  }

  /**
   * The chain of the ClusterIP masquerade rule (1.21+): the chain the ClusterIP jump targets
   * (KUBE-SVL under internalTrafficPolicy=Local, else KUBE-SVC).
   */
  clusterMasquerade(svc: string, rule: Rule): ChainVerdict {
    const s = this.of(svc);
    let prefix: ServiceChainPrefix | null = s.clusterTarget;
    if (prefix === null) {
      const svc_ = s.jumps.has('KUBE-SVC-');
      const svl = s.jumps.has('KUBE-SVL-');
      if (svc_ !== svl) prefix = svc_ ? 'KUBE-SVC-' : 'KUBE-SVL-';
      else if (!svl && !s.modern) prefix = 'KUBE-SVC-'; // ≤1.23: no KUBE-SVL exists
    }
    if (prefix === null)
      return {
        unplaced: `the ClusterIP masquerade rule of ${svc} is in the chain its ClusterIP jump targets (KUBE-SVC, or KUBE-SVL with internalTrafficPolicy=Local), and that jump is not in the input`,
      };
    return this.inChain(svc, rule, prefix);
  }

  /** "<svc> has no local endpoints" -j KUBE-MARK-DROP: KUBE-XLB (≤1.23) or KUBE-SVL (1.24). */
  noLocalEndpoints(svc: string, rule: Rule): ChainVerdict {
    const prefix = this.localPrefix(this.of(svc));
    if (prefix === null)
      return {
        unplaced: `the "has no local endpoints" row of ${svc} is in KUBE-XLB (≤1.23) or KUBE-SVL (1.24), and the input shows neither era's rows for it`,
      };
    return this.inChain(svc, rule, prefix);
  }

  private inChain(svc: string, rule: Rule, prefix: ServiceChainPrefix): ChainVerdict {
    const hash = this.hashOf(svc, rule);
    return hash !== null
      ? { chain: prefix + hash }
      : { unplaced: `the chain hash of ${svc} cannot be told (no jump names it)` };
  }

  /**
   * Splits the service's ladder rows into ladders (each ends at its unconditional jump; the
   * listing keeps a chain's rows together) and tells which chain each ladder is.
   */
  private placeLadders(svc: string, s: ServiceSigns): void {
    const ladders: Rule[][] = [];
    let current: Rule[] = [];
    for (const rule of s.ladderRows) {
      current.push(rule);
      if (endsLadder(rule)) {
        ladders.push(current);
        current = [];
      }
    }
    const set = (rows: readonly Rule[], v: ChainVerdict): void => {
      for (const r of rows) this.ladder.set(r, v);
    };
    if (current.length > 0)
      set(current, {
        unplaced: `these ${svc} load-balancing rows end without the ladder's unconditional last jump (rows missing from the input)`,
      });
    const prefixes = this.ladderPrefixes(svc, s, ladders);
    if ('unplaced' in prefixes) {
      for (const l of ladders) set(l, prefixes);
      return;
    }
    ladders.forEach((l, k) => set(l, this.inChain(svc, l[l.length - 1], prefixes.of[k])));
  }

  private ladderPrefixes(
    svc: string,
    s: ServiceSigns,
    ladders: readonly Rule[][],
  ): { readonly of: readonly ServiceChainPrefix[] } | { readonly unplaced: string } {
    if (ladders.length === 0) return { of: [] };
    if (ladders.length === 1) {
      const svcJump = s.jumps.has('KUBE-SVC-');
      const svlJump = s.jumps.has('KUBE-SVL-');
      // A local chain with endpoints would show a second ladder, so one ladder is KUBE-SVC
      // unless KUBE-SVL is the service's only load-balancing chain (iTP=Local, no external
      // access: the ClusterIP jump names it). ≤1.23 (bare ladder comments) has no KUBE-SVL.
      if (svlJump && !svcJump) return { of: ['KUBE-SVL-'] };
      if (svcJump && (!svlJump || s.noLocalEndpoints)) return { of: ['KUBE-SVC-'] };
      if (!svcJump && !svlJump && !s.modern) return { of: ['KUBE-SVC-'] };
      return {
        unplaced: `${svc} shows one ladder and ${svcJump ? 'jumps to both KUBE-SVC and KUBE-SVL' : 'no jump naming its KUBE-SVC or KUBE-SVL chain'}: which chain the ladder is in cannot be told`,
      };
    }
    if (ladders.length > 2)
      return {
        unplaced: `${svc} shows ${ladders.length} load-balancing ladders; kube-proxy writes at most two (KUBE-SVC and KUBE-SVL/KUBE-XLB)`,
      };
    const local = this.localPrefix(s);
    if (local === null)
      return {
        unplaced: `${svc} has two load-balancing ladders and the input does not tell whether the local one is KUBE-SVL (1.24+) or KUBE-XLB (≤1.23)`,
      };
    // The local ladder lists only the local endpoints: a strict subset of the cluster ladder's.
    const targets = ladders.map((l) => new Set(l.map((r) => r.jumpChain)));
    const within = (a: Set<string | null>, b: Set<string | null>): boolean =>
      a.size < b.size && [...a].every((t) => b.has(t));
    if (within(targets[0], targets[1])) return { of: [local, 'KUBE-SVC-'] };
    if (within(targets[1], targets[0])) return { of: ['KUBE-SVC-', local] };
    return {
      unplaced: `${svc} has two load-balancing ladders (KUBE-SVC and ${local}…) whose endpoints are ${targets[0].size === targets[1].size ? 'the same' : 'not one within the other'}: which is which cannot be told`,
    };
  }
}
