/**
 * Which kube-proxy release wrote these rules? Each rule shape that changed across releases
 * (../shared/docs/kube-proxy-iptables.md §5) bounds the minor version; the guess is the
 * intersection of the bounds, and evidence that does not fit the intersection is reported as a
 * conflict (a dump mixing two releases' rules, or hand-edited).
 */
import { STATISTIC_SCALE } from '../model/matches.js';
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import { serviceNameInComment } from './comments.js';
import type { EraEvidence, EraGuess } from './model.js';
import { splitServiceChain } from './naming.js';
import { destinationPort, hostAddress, matchesDestinationLocal } from './rule-facts.js';

const OLD_MASQ_MARK = 0x4d415351;

function evidence(
  fact: string,
  minMinor: number | null,
  maxMinor: number | null,
  rule: Rule | null,
  chain: string | null,
): EraEvidence {
  return { fact, minMinor, maxMinor, rule, chain };
}

/** How a probability was printed: kube-proxy `%0.5f` (<1.17) or `%0.10f` (≥1.17), if telling. */
function probabilityStyle(threshold: number): '5' | '10' | null {
  const q = threshold / STATISTIC_SCALE;
  if (q <= 0 || q >= 1) return null;
  const k = Math.round(1 / q);
  if (k < 2) return null;
  const five = Math.round(Number((1 / k).toFixed(5)) * STATISTIC_SCALE);
  const ten = Math.round(Number((1 / k).toFixed(10)) * STATISTIC_SCALE);
  if (five === ten) return null;
  if (threshold === five) return '5';
  if (threshold === ten) return '10';
  return null;
}

function label(min: number | null, max: number | null): string {
  if (min === null && max === null) return 'unknown';
  if (min !== null && max !== null) return min === max ? `1.${min}` : `1.${min}–1.${max}`;
  if (min !== null) return `≥1.${min}`;
  return `≤1.${max}`;
}

export function guessEra(ruleset: Ruleset): EraGuess {
  const found: EraEvidence[] = [];
  const once = new Set<string>();
  // The first rule showing a fact is its evidence; the rest are not recorded.
  const note = (
    fact: string,
    minMinor: number | null,
    maxMinor: number | null,
    rule: Rule | null,
    chain: string | null,
  ): void => {
    if (once.has(fact)) return;
    once.add(fact);
    found.push(evidence(fact, minMinor, maxMinor, rule, chain));
  };
  // A ladder repeats a handful of probabilities thousands of times.
  const styles = new Map<number, '5' | '10' | null>();
  const styleOf = (threshold: number): '5' | '10' | null => {
    let style = styles.get(threshold);
    if (style === undefined) {
      style = probabilityStyle(threshold);
      styles.set(threshold, style);
    }
    return style;
  };
  const nat = ruleset.table('nat');
  const filter = ruleset.table('filter');

  if (nat !== undefined) {
    for (const chain of nat.chains) {
      const split = splitServiceChain(chain.name);
      // What the rule checks below depend on, decided once per chain.
      const prefix = split === null ? null : split.prefix;
      const isServices = chain.name === 'KUBE-SERVICES';
      const isNodePorts = chain.name === 'KUBE-NODEPORTS';
      const isPostrouting = chain.name === 'KUBE-POSTROUTING';
      if (split?.prefix === 'KUBE-XLB-') {
        note('KUBE-XLB chains (replaced by KUBE-EXT/KUBE-SVL in 1.24)', null, 23, null, chain.name);
      }
      if (split?.prefix === 'KUBE-EXT-') {
        note('KUBE-EXT chains (since 1.24)', 24, null, null, chain.name);
      }
      if (split?.prefix === 'KUBE-SVL-') {
        note('KUBE-SVL chains (since 1.24)', 24, null, null, chain.name);
      }
      for (const rule of chain.rules) {
        const t = rule.target;
        const comment = rule.comment;
        // Only comments that can hold `ns/svc:` or a bare name are worth reading.
        const named =
          comment !== null && (comment.includes(': ') || !comment.includes(' '))
            ? serviceNameInComment(comment)
            : null;
        if (named?.trailingColon) {
          note(
            'comments name unnamed ports `ns/svc:` (trailing colon, ≤≈1.18)',
            null,
            18,
            rule,
            chain.name,
          );
        }
        if (comment !== null && comment.includes(' -> ') && split !== null) {
          note('endpoint comments `<svc> -> ip:port` (since ≈1.24)', 24, null, rule, chain.name);
        } else if (
          prefix === 'KUBE-SVC-' &&
          named !== null &&
          comment === named.text &&
          rule.jumpChain !== null &&
          rule.jumpChain.startsWith('KUBE-SEP-')
        ) {
          note(
            'endpoint rules labelled with the bare service name (before ≈1.24)',
            null,
            23,
            rule,
            chain.name,
          );
        }
        if (t !== null && t.kind === 'mark' && t.value === OLD_MASQ_MARK) {
          note('inline MARK 0x4d415351 ("MASQ"), kube-proxy 1.1', null, 1, rule, chain.name);
        }
        for (const m of rule.matches) {
          if (m.kind === 'statistic' && m.mode === 'random') {
            const style = styleOf(m.kernelThreshold);
            if (style === '5') {
              note(
                'probabilities written with 5 decimals (before 1.17)',
                null,
                16,
                rule,
                chain.name,
              );
            } else if (style === '10') {
              note(
                'probabilities written with 10 decimals (since 1.17)',
                17,
                null,
                rule,
                chain.name,
              );
            }
          }
          if (isNodePorts && m.kind === 'nfacct') {
            note(
              'nfacct counter on localhost NodePorts (≈1.30 and later)',
              30,
              null,
              rule,
              chain.name,
            );
          }
        }
        const jump = isServices || prefix !== null ? rule.jumpChain : null;
        if (
          isServices &&
          jump === 'KUBE-MARK-MASQ' &&
          hostAddress(rule.destination) !== null &&
          destinationPort(rule) !== null
        ) {
          note(
            'ClusterIP masquerade rules in KUBE-SERVICES (moved into KUBE-SVC in 1.21)',
            null,
            20,
            rule,
            chain.name,
          );
        }
        if (prefix === 'KUBE-SVC-' && jump === 'KUBE-MARK-MASQ' && rule.destination !== null) {
          note(
            'ClusterIP masquerade rules inside KUBE-SVC (since 1.21)',
            21,
            null,
            rule,
            chain.name,
          );
        }
        if (prefix === 'KUBE-SVL-' && jump === 'KUBE-MARK-DROP') {
          note(
            'KUBE-SVL "no local endpoints" rule jumps to KUBE-MARK-DROP (1.24 only)',
            24,
            24,
            rule,
            chain.name,
          );
        }
        if (prefix === 'KUBE-FW-' && jump === 'KUBE-MARK-DROP') {
          note(
            'KUBE-FW ends in KUBE-MARK-DROP (before KUBE-PROXY-FIREWALL, 1.25)',
            null,
            24,
            rule,
            chain.name,
          );
        }
        if (isPostrouting && t !== null && t.kind === 'mark' && t.mask === 0) {
          note(
            'KUBE-POSTROUTING clears the mark bit with --xor-mark (since 1.19)',
            19,
            null,
            rule,
            chain.name,
          );
        }
        if (
          isPostrouting &&
          t !== null &&
          t.kind === 'masquerade' &&
          rule.matches.some((m) => m.kind === 'mark' && !m.negated)
        ) {
          note(
            'KUBE-POSTROUTING masquerades on a positive mark test (before 1.19)',
            null,
            18,
            rule,
            chain.name,
          );
        }
      }
    }
  }

  if (filter !== undefined) {
    if (filter.chain('KUBE-PROXY-FIREWALL') !== undefined) {
      note('filter KUBE-PROXY-FIREWALL chain (since 1.25)', 25, null, null, 'KUBE-PROXY-FIREWALL');
    }
    if (filter.chain('KUBE-EXTERNAL-SERVICES') !== undefined) {
      note(
        'filter KUBE-EXTERNAL-SERVICES chain (since 1.10)',
        10,
        null,
        null,
        'KUBE-EXTERNAL-SERVICES',
      );
    }
    for (const chain of filter.chains) {
      for (const rule of chain.rules) {
        const t = rule.target;
        if (
          chain.name === 'KUBE-NODEPORTS' &&
          t !== null &&
          t.kind === 'verdict' &&
          t.name === 'ACCEPT' &&
          destinationPort(rule) !== null
        ) {
          note(
            'health check node port ACCEPT rules in filter KUBE-NODEPORTS (since 1.21)',
            21,
            null,
            rule,
            chain.name,
          );
        }
        if (
          (chain.name === 'KUBE-SERVICES' || chain.name === 'KUBE-EXTERNAL-SERVICES') &&
          t !== null &&
          t.kind === 'verdict' &&
          t.name === 'DROP' &&
          (hostAddress(rule.destination) !== null || matchesDestinationLocal(rule))
        ) {
          note(
            'filter DROP rules for services without local endpoints (since 1.25)',
            25,
            null,
            rule,
            chain.name,
          );
        }
        if (
          chain.name === 'INPUT' &&
          rule.jumpChain === 'KUBE-SERVICES' &&
          filter.chain('KUBE-SERVICES') !== undefined
        ) {
          note('filter INPUT jumps to KUBE-SERVICES (removed in 1.20)', null, 19, rule, chain.name);
        }
        if (
          chain.name === 'KUBE-FORWARD' &&
          rule.source !== null &&
          rule.matches.some((m) => m.kind === 'conntrack')
        ) {
          note(
            'KUBE-FORWARD per-pod-CIDR conntrack rules (single rule since ≈1.22)',
            null,
            21,
            rule,
            chain.name,
          );
        }
      }
    }
  }
  for (const t of ruleset.tables) {
    if (t.chain('KUBE-PROXY-CANARY') !== undefined) {
      note('KUBE-PROXY-CANARY chain (since 1.16)', 16, null, null, 'KUBE-PROXY-CANARY');
      break;
    }
  }

  return combine(found);
}

function combine(found: readonly EraEvidence[]): EraGuess {
  let min: number | null = null;
  let max: number | null = null;
  for (const e of found) {
    if (e.minMinor !== null && (min === null || e.minMinor > min)) min = e.minMinor;
    if (e.maxMinor !== null && (max === null || e.maxMinor < max)) max = e.maxMinor;
  }
  let conflicts: EraEvidence[] = [];
  if (min !== null && max !== null && min > max) {
    // No release fits everything: keep the larger consistent side, report the rest.
    const lowerBounds = found.filter((e) => e.minMinor !== null && e.minMinor > (max ?? 0));
    const upperBounds = found.filter((e) => e.maxMinor !== null && e.maxMinor < (min ?? 0));
    conflicts = [...lowerBounds, ...upperBounds];
    const keepModern = lowerBounds.length >= upperBounds.length;
    const kept = found.filter((e) => !(keepModern ? upperBounds : lowerBounds).includes(e));
    min = null;
    max = null;
    for (const e of kept) {
      if (e.minMinor !== null && (min === null || e.minMinor > min)) min = e.minMinor;
      if (e.maxMinor !== null && (max === null || e.maxMinor < max)) max = e.maxMinor;
    }
  }
  const layout =
    min !== null && min >= 24 ? 'modern' : max !== null && max <= 23 ? 'legacy' : 'unknown';
  return {
    minMinor: min,
    maxMinor: max,
    label: label(min, max),
    layout,
    evidence: found,
    conflicts,
  };
}
