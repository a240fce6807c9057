import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRuleset } from '../../src/parse/read.js';
import { readFixture } from '../helpers.js';

const SOURCES = [
  readFixture('listings/option-coverage.nft.nat.nvL.txt'),
  readFixture('listings/option-coverage.nft.filter.L.txt'),
  readFixture('listings/option-coverage.nft.ip6.nat.nvxL.txt'),
  // A grep fragment: rows without headers.
  readFixture('listings/k8s-1.28-etp-local-calico.nft.nat.L.txt')
    .split('\n')
    .filter((l) => l.includes('default/'))
    .join('\n'),
];

// No escape character: removing one changes the text a problem quotes (damage.test.ts checks
// that colour codes are removed and named).
const NOISE = ['!', '-', ':', '/', '*', ' ', '\t', '"', 'x', '0', 'K', '#', '['];

/** Problems whose text stands at their position (others quote whole lines or nothing). */
function quotesItsPosition(text: string): boolean {
  return text !== '' && text !== '(end of line)';
}

describe('listing reader robustness (property)', () => {
  it('never crashes on mutated listings, and every problem points at the text it quotes', () => {
    const op = fc.record({ line: fc.nat(), at: fc.nat(), kind: fc.nat(4), ch: fc.nat() });
    fc.assert(
      fc.property(
        fc.nat(SOURCES.length - 1),
        fc.array(op, { minLength: 1, maxLength: 6 }),
        (which, ops) => {
          const lines = SOURCES[which].split('\n');
          for (const o of ops) {
            const i = o.line % lines.length;
            const l = lines[i];
            const at = l.length === 0 ? 0 : o.at % l.length;
            if (o.kind === 0) lines[i] = l.slice(0, at) + l.slice(at + 1);
            else if (o.kind === 1)
              lines[i] = l.slice(0, at) + NOISE[o.ch % NOISE.length] + l.slice(at);
            else if (o.kind === 2) lines[i] = l.slice(0, at);
            else if (o.kind === 3) lines.splice(i, 1);
            else lines.splice(i, 0, l.slice(at));
          }
          const text = lines.join('\n');
          const rs = readRuleset(text, { file: 'mutated.txt' });
          const out = text.split('\n');
          // rule-builder.ts-style messages quote words joined by single spaces.
          const flat = (t: string): string => t.replace(/\s+/g, ' ');
          for (const p of rs.problems) {
            expect(p.file).toBe('mutated.txt');
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.line).toBeLessThanOrEqual(out.length);
            expect(p.column).toBeGreaterThanOrEqual(1);
            if (!quotesItsPosition(p.text)) continue;
            const quoted = flat(p.text.endsWith('…') ? p.text.slice(0, -1) : p.text);
            const at = flat(out[p.line - 1].replace(/\r$/, '').slice(p.column - 1));
            expect(
              at.startsWith(quoted),
              `${p.code} at ${p.line}:${p.column} quotes "${quoted}" but there is "${at.slice(0, 40)}"`,
            ).toBe(true);
          }
          for (const r of rs.rules()) {
            expect(r.line).toBeGreaterThanOrEqual(1);
            expect(r.line).toBeLessThanOrEqual(out.length);
          }
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
  });
});
