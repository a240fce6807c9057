/** Problems as text for people: location, severity, message, the offending text, what was expected. */
import type { Problem } from '../model/problems.js';
import { escapeText } from './escape.js';
import { plural } from './plural.js';

export function formatProblem(p: Problem): string {
  const lines = [
    `${escapeText(p.file)}:${p.line}:${p.column}: ${p.severity}: ${escapeText(p.message)}`,
  ];
  if (p.text !== '') lines.push(`    ${escapeText(p.text)}`);
  if (p.expected !== null) lines.push(`    expected: ${escapeText(p.expected)}`);
  return lines.join('\n');
}

export function summarizeProblems(problems: readonly Problem[]): string {
  if (problems.length === 0) return 'no problems';
  const count = (s: Problem['severity']): number => problems.filter((p) => p.severity === s).length;
  const parts = [plural(count('error'), 'error'), plural(count('warning'), 'warning')];
  const infos = count('info');
  if (infos > 0) parts.push(plural(infos, 'note'));
  return `${plural(problems.length, 'problem')} (${parts.join(', ')})`;
}
