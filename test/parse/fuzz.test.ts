import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';
import { SAMPLE_DUMP } from './sample.js';

const NOISE = [
  '"',
  "'",
  '!',
  '-',
  ':',
  '[',
  ']',
  ' ',
  '\\',
  '/',
  '\t',
  'x',
  '0',
  '\u001b',
  '#',
  '*',
];

/** Codes whose problems quote text that stands at the reported position. */
const POSITIONAL = new Set([
  'syntax',
  'bad-value',
  'undeclared-chain',
  'skipped-line',
  'garbled-nat',
  'unsupported-revision',
  'missing-commit',
  'duplicate-chain',
  'outside-table',
  'legacy-tables-present',
]);

function mutate(
  text: string,
  ops: { line: number; at: number; kind: number; ch: number }[],
): string {
  const lines = text.split('\n');
  for (const op of ops) {
    const i = op.line % lines.length;
    const l = lines[i];
    const at = l.length === 0 ? 0 : op.at % l.length;
    switch (op.kind % 5) {
      case 0:
        lines[i] = l.slice(0, at) + l.slice(at + 1);
        break;
      case 1:
        lines[i] = l.slice(0, at) + NOISE[op.ch % NOISE.length] + l.slice(at);
        break;
      case 2:
        lines[i] = l.slice(0, at);
        break;
      case 3:
        lines.splice(i, 1);
        break;
      case 4:
        lines.splice(i, 0, l.slice(at));
        break;
    }
  }
  return lines.join('\n');
}

describe('reader robustness (property)', () => {
  it('never crashes on mutated dumps, and every problem points at the text it quotes', () => {
    const op = fc.record({ line: fc.nat(), at: fc.nat(), kind: fc.nat(), ch: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 6 }), (ops) => {
        const text = mutate(SAMPLE_DUMP, ops);
        const rs = parseText(text, 'mutated.save');
        const lines = text.split('\n');
        for (const p of rs.problems) {
          expect(p.file).toBe('mutated.save');
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines.length);
          expect(p.column).toBeGreaterThanOrEqual(1);
          if (!POSITIONAL.has(p.code) || p.text === '(end of line)') continue;
          const quoted = p.text.endsWith('…') ? p.text.slice(0, -1) : p.text;
          const at = lines[p.line - 1].replace(/\r$/, '').slice(p.column - 1);
          expect(
            at.startsWith(quoted),
            `${p.code} at ${p.line}:${p.column} quotes "${quoted}" but there is "${at.slice(0, 40)}"`,
          ).toBe(true);
        }
        // Rules are never silently lost: every intact -A line of the input is a rule.
        const intact = lines.filter((l) => /^(\[\d+:\d+\] )?-A [A-Z]/.test(l)).length;
        expect(rs.ruleCount).toBeGreaterThanOrEqual(
          intact - rs.problems.filter((p) => p.code === 'outside-table').length,
        );
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });
});
