/**
 * Findings as text for a terminal, one block per finding: severity, code and location on the
 * first line (grep-friendly, like a compiler's diagnostics), the message, and with `verbose` the
 * reasoning and the rules. Every string from the dump goes through escapeText.
 */
import type { Finding, FindingLocation } from '../check/finding.js';
import { escapeText } from './escape.js';
import { findingSummaryText, summarizeFindings } from './findings-json.js';
import { printRule } from './save.js';

export interface FindingsTextOptions {
  /** Also print each finding's reasoning and rules. */
  readonly verbose: boolean;
}

/** `nat KUBE-SVC-X rule 3, line 52 (default/web:http)`. */
export function describeLocation(file: string, loc: FindingLocation): string {
  const parts: string[] = [];
  if (loc.chain !== null) {
    let where = `${loc.table !== null ? `${escapeText(loc.table)} ` : ''}${escapeText(loc.chain)}`;
    if (loc.ruleNumber !== null) where += ` rule ${loc.ruleNumber}`;
    parts.push(where);
  }
  if (loc.line !== null) parts.push(`${escapeText(file)}:${loc.line}`);
  if (loc.service !== null) parts.push(escapeText(loc.service));
  return parts.join(', ');
}

export function renderFindingsText(
  file: string,
  findings: readonly Finding[],
  opts: FindingsTextOptions,
): string {
  const out: string[] = [];
  for (const f of findings) {
    const where = describeLocation(file, f.location);
    out.push(`${f.severity}[${f.code}]${where !== '' ? ` ${where}` : ''}`);
    out.push(`  ${escapeText(f.message)}`);
    if (opts.verbose) {
      for (const line of f.explanation) out.push(`    ${escapeText(line)}`);
      for (const r of f.rules) {
        out.push(`    ${r.line > 0 ? `${r.line}: ` : ''}${escapeText(printRule(r))}`);
      }
    }
  }
  if (out.length > 0) out.push('');
  out.push(`${escapeText(file)}: ${findingSummaryText(summarizeFindings(findings))}`);
  return out.join('\n') + '\n';
}
