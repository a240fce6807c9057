/**
 * Rule text for the screens: the iptables-save form from render/save.ts, split into what a rule
 * matches and what it does, escaped for the terminal, and wrapped for the raw view.
 */
import type { Rule } from '../model/rule.js';
import { printRule, printTarget } from '../render/save.js';
import { escapeText } from '../render/escape.js';
import { wrapHard } from './format.js';

/** What a rule does, short: the jump target chain, `DNAT 10.244.1.5:8080`, `MARK …`, `ACCEPT`. */
export function targetSummary(rule: Rule): string {
  const t = rule.target;
  if (t === null) return '(counts only)';
  switch (t.kind) {
    case 'chain':
      return escapeText(t.goto ? `goto ${t.chain}` : t.chain);
    // The address is what matters in a narrow column: `DNAT 10.244.1.5:8080`.
    case 'dnat':
      return escapeText(`DNAT ${t.destinations.map((d) => d.text).join(' ')}`);
    case 'snat':
      return escapeText(`SNAT ${t.sources.map((d) => d.text).join(' ')}`);
    default:
      return escapeText(printTarget(t).replace(/^ -[jg] /, ''));
  }
}

/** The matches of a rule as iptables-save prints them, without `-A CHAIN` and the target. */
export function matchText(rule: Rule): string {
  const full = printRule(rule);
  const head = `-A ${rule.chain}`;
  const tail = rule.target === null ? '' : printTarget(rule.target);
  const body = full.slice(head.length, full.length - tail.length).trim();
  return escapeText(body === '' ? '(every packet)' : body);
}

/** One line of the raw view. */
export interface RawLine {
  readonly text: string;
  /** Header lines name the rule; body lines are its text. */
  readonly kind: 'header' | 'body' | 'gap';
  /** Index of the rule in the list the lines were made from. */
  readonly rule: number;
}

function countersText(rule: Rule): string {
  const c = rule.counters;
  if (c === null) return '';
  return `  [${c.exact ? '' : '≥'}${c.packets}:${c.exact ? '' : '≥'}${c.bytes}]`;
}

/**
 * Every rule as a header (`nat KUBE-SVC-… #2, line 320 [331:19860]`) and its iptables-save text
 * wrapped to `width`, with a blank line between rules.
 */
export function rawLines(rules: readonly Rule[], width: number): RawLine[] {
  const out: RawLine[] = [];
  const w = Math.max(10, width - 2);
  rules.forEach((rule, i) => {
    if (i > 0) out.push({ text: '', kind: 'gap', rule: i });
    const where = `${rule.table} ${rule.chain} #${rule.index}`;
    out.push({
      text: escapeText(`${where}, line ${rule.line}${countersText(rule)}`),
      kind: 'header',
      rule: i,
    });
    for (const part of wrapHard(escapeText(printRule(rule)), w)) {
      out.push({ text: `  ${part}`, kind: 'body', rule: i });
    }
  });
  return out;
}

/** Index of the first raw line of rule `index`. */
export function rawLineOfRule(lines: readonly RawLine[], index: number): number {
  const at = lines.findIndex((l) => l.rule === index && l.kind === 'header');
  return at < 0 ? 0 : at;
}
