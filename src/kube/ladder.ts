/**
 * Probability ladders: the rules of a KUBE-SVC / KUBE-SVL / KUBE-XLB chain that jump to
 * endpoint chains. Each rule is a conditional Bernoulli trial given that the earlier ones did
 * not match, so a step's effective probability is q_i·Π_{j<i}(1−q_j), with q = S/2^31 the kernel
 * threshold of the printed value (never 1/n). Whatever no step takes is the remainder, and its
 * fate is read from the rules after the ladder.
 */
import { STATISTIC_SCALE } from '../model/matches.js';
import type { Rule } from '../model/rule.js';
import type { Chain } from '../model/ruleset.js';
import type { Ladder, LadderKind, LadderStep, ObservedShare } from './model.js';
import { NO_MATCH_KINDS, otherConditions } from './rule-facts.js';
import { testShares } from './share-test.js';

const STEP_MATCHES: ReadonlySet<string> = new Set(['statistic', 'recent']);

/** Names of the chains that mark packets (non-terminating: the packet goes on after them). */
export interface MarkChains {
  readonly masquerade: string;
  readonly drop: string;
}

export interface LadderInput {
  readonly chain: Chain;
  readonly kind: LadderKind;
  /** Whether a jump target is an endpoint chain. */
  readonly isEndpointChain: (name: string) => boolean;
  readonly marks: MarkChains;
  /**
   * Who jumps to this chain, for the remainder's fate ("returns to KUBE-SERVICES"). Asked only
   * when some share of the packets comes back out of the chain.
   */
  readonly callers: () => readonly string[];
  readonly withCounters: boolean;
}

export interface BuiltLadder {
  readonly ladder: Ladder;
  /** Observed share per step (same order as ladder.steps); null without counters. */
  readonly observed: readonly (ObservedShare | null)[];
  /** Rules after the ladder that mark for drop (1.24 SVL, ≤1.23 XLB "no local endpoints"). */
  readonly markDropRules: readonly Rule[];
}

function isAffinityCheck(rule: Rule): boolean {
  return rule.matches.some(
    (m) => m.kind === 'recent' && (m.command === 'rcheck' || m.command === 'update'),
  );
}

function describeCallers(callers: readonly string[]): string {
  if (callers.length === 0) return 'its caller';
  if (callers.length === 1) return callers[0];
  return `${callers.slice(0, -1).join(', ')} or ${callers[callers.length - 1]}`;
}

export function buildLadder(input: LadderInput): BuiltLadder {
  const { chain, marks } = input;
  const steps: LadderStep[] = [];
  const affinityRules: Rule[] = [];
  const unreachable: LadderStep[] = [];
  const markDropRules: Rule[] = [];
  let reach = 1;
  let fate: string | null = null;

  for (const rule of chain.rules) {
    const target = rule.jumpChain;
    if (target !== null && input.isEndpointChain(target)) {
      if (isAffinityCheck(rule)) {
        affinityRules.push(rule);
        continue;
      }
      let q = 1;
      let threshold: number | null = null;
      let nth: LadderStep['nth'] = null;
      for (const m of rule.matches) {
        if (m.kind !== 'statistic') continue;
        if (m.mode === 'random') {
          threshold = m.kernelThreshold;
          const p = m.kernelThreshold / STATISTIC_SCALE;
          q = m.negated ? 1 - p : p;
        } else {
          nth = { every: m.every, packet: m.packet };
          q = m.every > 0 ? (m.negated ? 1 - 1 / m.every : 1 / m.every) : 0;
        }
      }
      const conditional = threshold !== null || nth !== null ? q : null;
      const step: LadderStep = {
        rule,
        endpointChain: target,
        conditional,
        kernelThreshold: threshold,
        nth,
        probability: reach * q,
        extraConditions: otherConditions(rule, STEP_MATCHES),
      };
      if (reach === 0) unreachable.push(step);
      steps.push(step);
      reach *= 1 - q;
      continue;
    }
    if (reach === 0 || fate !== null) continue;
    // A rule after (or instead of) the ladder decides the remainder's fate when it matches
    // every packet; marking rules do not end the walk.
    if (otherConditions(rule, NO_MATCH_KINDS).length > 0) continue;
    if (target === marks.drop) {
      markDropRules.push(rule);
      continue;
    }
    if (target === marks.masquerade || rule.target === null) continue;
    const t = rule.target;
    if (t.kind === 'verdict' && t.name === 'RETURN') {
      fate = `returns from ${chain.name} to ${describeCallers(input.callers())} un-DNATed (RETURN, rule ${rule.index})`;
    } else if (t.kind === 'verdict' || t.kind === 'reject') {
      fate = `is ${t.name === 'ACCEPT' ? 'accepted' : t.name === 'REJECT' ? 'rejected' : 'dropped'} by ${chain.name} rule ${rule.index}`;
    } else if (t.kind === 'chain') {
      fate = `jumps to ${t.chain} (${chain.name} rule ${rule.index})`;
    } else if (t.kind === 'dnat') {
      fate = `is DNATed to ${t.destinations.map((d) => d.text).join(', ')} by ${chain.name} rule ${rule.index}`;
    }
  }

  const total = steps.reduce((a, s) => a + s.probability, 0);
  const remainder = steps.length === 0 ? 1 : reach;
  if (remainder > 0 && fate === null) {
    const marked =
      markDropRules.length > 0
        ? `is marked for drop by ${marks.drop} (dropped later only in the INPUT and OUTPUT hooks, by kubelet's KUBE-FIREWALL) and `
        : '';
    fate = `${marked}falls off the end of ${chain.name} and returns to ${describeCallers(input.callers())} un-DNATed`;
  }

  let observed: (ObservedShare | null)[] = steps.map(() => null);
  let test = null;
  if (input.withCounters && steps.length > 0 && steps.every((s) => s.rule.counters !== null)) {
    const counts = steps.map((s) => s.rule.counters?.packets ?? 0);
    const exact = steps.every((s) => s.rule.counters?.exact !== false);
    const probs = steps.map((s) => s.probability);
    const result = testShares(counts, probs);
    test = result.test;
    const sum = counts.reduce((a, b) => a + b, 0);
    const mass = total > 0 ? total : 1;
    observed = steps.map((s, i) => ({
      packets: counts[i],
      share: sum > 0 ? counts[i] / sum : null,
      expected: s.probability / mass,
      residual: result.residuals[i],
      off: result.flagged[i],
      exact,
    }));
  }

  return {
    ladder: {
      kind: input.kind,
      chain,
      steps,
      affinityRules,
      total,
      remainder,
      remainderFate: remainder > 0 ? fate : null,
      unreachableSteps: unreachable,
      test,
    },
    observed,
    markDropRules,
  };
}
