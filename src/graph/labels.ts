/**
 * A rule's matches in a few words, for edge labels: `tcp dst 10.96.0.10:80`, `! src
 * 10.244.0.0/16`, `src-type LOCAL`, `affinity 10800s`. The comment and the statistic draw are
 * left out (the comment becomes a tooltip, the probability is printed on its own).
 */
import { addressText } from '../kube/rule-facts.js';
import type { Match, PortMatch } from '../model/matches.js';
import type { Rule } from '../model/rule.js';

/** Longer labels are cut: a graph edge is not the place for a whole rule. */
export const MAX_MATCH_LABEL = 60;

function not(negated: boolean): string {
  return negated ? '! ' : '';
}

function port(p: PortMatch): string {
  return `${not(p.negated)}${p.text}`;
}

function matchWords(m: Match): string | null {
  switch (m.kind) {
    case 'comment':
    case 'statistic':
      return null;
    case 'ports': {
      const words: string[] = [];
      if (m.sourcePort) words.push(`sport ${port(m.sourcePort)}`);
      if (m.destinationPort) words.push(`dport ${port(m.destinationPort)}`);
      if (m.tcpFlags) words.push(`${not(m.tcpFlags.negated)}flags ${m.tcpFlags.compare.join(',')}`);
      return words.length === 0 ? null : words.join(' ');
    }
    case 'multiport': {
      const list = m.destinationPorts ?? m.sourcePorts ?? m.ports;
      if (list === null) return 'multiport';
      const side = m.destinationPorts ? 'dports' : m.sourcePorts ? 'sports' : 'ports';
      return `${side} ${not(list.negated)}${list.text}`;
    }
    case 'recent':
      if (m.command === 'rcheck' || m.command === 'update') {
        return `${not(m.negated)}affinity${m.seconds !== null ? ` ${m.seconds}s` : ''}`;
      }
      return null; // --set only records the client
    case 'mark':
      return `${not(m.negated)}${m.module} 0x${m.value.toString(16)}/0x${m.mask.toString(16)}`;
    case 'addrtype': {
      const words: string[] = [];
      if (m.sourceType)
        words.push(`src-type ${not(m.sourceType.negated)}${m.sourceType.types.join(',')}`);
      if (m.destinationType) {
        words.push(
          `dst-type ${not(m.destinationType.negated)}${m.destinationType.types.join(',')}`,
        );
      }
      return words.join(' ');
    }
    case 'conntrack': {
      const words: string[] = [];
      if (m.state) words.push(`${not(m.state.negated)}ctstate ${m.state.states.join(',')}`);
      if (m.status) words.push(`${not(m.status.negated)}status ${m.status.states.join(',')}`);
      return words.join(' ');
    }
    case 'set':
      return `${not(m.negated)}set ${m.setName} ${m.flags.join(',')}`;
    case 'physdev':
      return 'physdev';
    case 'rpfilter':
      return 'rpfilter';
    case 'nfacct':
      return null; // a counter: it always matches
    case 'generic':
      return m.module;
  }
}

/** The match part of a rule in short words, '' for an unconditional rule. */
export function shortMatch(rule: Rule): string {
  const words: string[] = [];
  if (rule.protocol && rule.protocol.name !== 'all') {
    words.push(`${not(rule.protocol.negated)}${rule.protocol.name}`);
  }
  if (rule.source) words.push(`${not(rule.source.negated)}src ${addressText(rule.source)}`);
  if (rule.destination) {
    words.push(`${not(rule.destination.negated)}dst ${addressText(rule.destination)}`);
  }
  if (rule.inInterface) words.push(`${not(rule.inInterface.negated)}in ${rule.inInterface.name}`);
  if (rule.outInterface) {
    words.push(`${not(rule.outInterface.negated)}out ${rule.outInterface.name}`);
  }
  if (rule.fragment) words.push(`${not(rule.fragment.negated)}fragment`);
  for (const m of rule.matches) {
    const w = matchWords(m);
    if (w !== null && w !== '') words.push(w);
  }
  // Cut by code points, so a surrogate pair is never split.
  const chars = Array.from(words.join(' '));
  return chars.length > MAX_MATCH_LABEL
    ? `${chars.slice(0, MAX_MATCH_LABEL - 1).join('')}…`
    : chars.join('');
}

/** `0.33333` style: five decimals are enough to tell the ladder steps apart on a drawing. */
export function formatProbability(p: number): string {
  return p.toFixed(5).replace(/0+$/, '').replace(/\.$/, '');
}

export function formatShare(p: number): string {
  const pct = p * 100;
  return `${pct.toFixed(pct >= 10 || pct === 0 ? 1 : 2)}%`;
}
