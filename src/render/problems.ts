/** Problems as text for people: location, severity, message, the offending text, what was expected. */
import type { Problem } from '../model/problems.js';
import { escapeText } from './escape.js';

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
  const parts = [`${count('error')} errors`, `${count('warning')} warnings`];
  const infos = count('info');
  if (infos > 0) parts.push(`${infos} notes`);
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} (${parts.join(', ')})`;
}
