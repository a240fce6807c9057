import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, loadFixture, readFixture } from '../helpers.js';
import { printRuleset } from '../../src/render/save.js';

const saves = readdirSync(FIXTURES).filter((f) => f.endsWith('.save'));

/** The `-A` lines of a dump, as iptables-save printed them. */
function ruleLines(text: string): string[] {
  return text.split('\n').filter((l) => /^(\[\d+:\d+\] )?-A /.test(l));
}

describe('real iptables-save output (fixtures made by the real binaries)', () => {
  it('covers both backends, with and without counters', () => {
    expect(saves.some((f) => f.endsWith('.legacy.counters.save'))).toBe(true);
    expect(saves.some((f) => /\.counters\.save$/.test(f) && !f.includes('.legacy.'))).toBe(true);
    expect(saves.length).toBeGreaterThanOrEqual(16);
  });

  for (const name of saves) {
    it(`${name}: parses with zero problems and prints back to the same rules`, () => {
      const text = readFixture(name);
      const rs = loadFixture(name);
      expect(rs.problems).toEqual([]);
      expect(rs.generator?.backend).toBe(name.includes('.legacy.') ? null : 'nf_tables');
      expect(rs.ruleCount).toBe(ruleLines(text).length);
      const counters = name.includes('.counters.');
      expect(rs.hasCounters).toBe(counters);
      expect(ruleLines(printRuleset(rs, { counters }))).toEqual(ruleLines(text));
    });
  }
});
