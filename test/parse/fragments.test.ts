import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/rule.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { readRuleset, type ReadOptions } from '../../src/parse/read.js';
import { printRule } from '../../src/render/save.js';
import { readFixture } from '../helpers.js';

const SAVE = readFixture('k8s-1.28-etp-local-calico.save');
const SAVE_COUNTERS = readFixture('k8s-1.28-etp-local-calico.counters.save');
const LISTING_L = readFixture('listings/k8s-1.28-etp-local-calico.nft.nat.L.txt');
const LISTING_NVXL_LN = readFixture('listings/option-coverage.nft.nat.nvxL-line-numbers.txt');

function read(text: string, options: Partial<ReadOptions> = {}): Ruleset {
  return readRuleset(text, { file: 'fragment.txt', ...options });
}

/** `grep PATTERN`: the lines that contain it. */
function grep(text: string, pattern: string): string {
  return (
    text
      .split('\n')
      .filter((l) => l.includes(pattern))
      .join('\n') + '\n'
  );
}

/** Each rule's table in the complete dump, by chain and rule text (unique in these fixtures). */
function tablesByRule(full: Ruleset): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of full.rules()) {
    const key = printRule(r);
    out.set(key, [...(out.get(key) ?? []), r.table]);
  }
  return out;
}

describe('save fragments (iptables-save | grep)', () => {
  const full = read(SAVE);
  const truth = tablesByRule(full);

  it('places every rule of a grep in its true table, or says the table is unknown', () => {
    for (const pattern of ['default/admin-lb', 'KUBE-SERVICES', 'has no endpoints', '-j DNAT']) {
      const rs = read(grep(SAVE, pattern));
      expect(rs.format, pattern).toBe('save-fragment');
      expect(rs.ruleCount, pattern).toBe(
        grep(SAVE, pattern)
          .split('\n')
          .filter((l) => l.startsWith('-A ')).length,
      );
      for (const r of rs.rules()) {
        const expected = truth.get(printRule(r));
        expect(expected, printRule(r)).toBeDefined();
        if (r.table === 'unknown') continue;
        expect(expected, `${pattern}: ${printRule(r)}`).toContain(r.table);
        expect(r.unknowns).toContain('table');
      }
    }
  });

  it('splits a chain name that exists in nat and filter rule by rule', () => {
    const rs = read(grep(SAVE, '-A KUBE-SERVICES'));
    const count = (r: Ruleset, t: string): number => r.chain(t, 'KUBE-SERVICES')?.rules.length ?? 0;
    // The last nat rule jumps to KUBE-NODEPORTS, a chain of both tables: its table stays unknown.
    const unknown = rs.chain('unknown', 'KUBE-SERVICES')!.rules;
    expect(unknown.map((r) => r.jumpChain)).toEqual(['KUBE-NODEPORTS']);
    expect(count(rs, 'nat')).toBe(count(full, 'nat') - 1);
    expect(count(rs, 'filter')).toBe(count(full, 'filter'));
    expect(rs.losses).toEqual(expect.arrayContaining(['no-table-names', 'no-chain-declarations']));
    expect(rs.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const notes = rs.problems.filter((p) => p.code === 'format-guess').map((p) => p.message);
    expect(notes.some((m) => m.includes('table nat'))).toBe(true);
    expect(notes.some((m) => m.includes('table filter'))).toBe(true);
  });

  it('keeps chains nothing places in table "unknown", and takes --table and *table lines', () => {
    const rs = read('-A MY-CHAIN -p tcp -m tcp --dport 22 -j ACCEPT\n');
    expect(rs.format).toBe('save-fragment');
    expect(rs.table('unknown')!.chain('MY-CHAIN')!.rules[0].unknowns).toContain('table');
    expect(rs.problems).toContainEqual(
      expect.objectContaining({ severity: 'warning', code: 'format-guess', line: 1 }),
    );

    const given = read(grep(SAVE, 'KUBE-SVC-'), { table: 'nat' });
    expect(given.tables.map((t) => [t.name, t.nameSource])).toEqual([['nat', 'option']]);
    for (const r of given.rules()) expect(r.unknowns ?? []).not.toContain('table');

    const withTable = read(`*nat\n${grep(SAVE, '-A KUBE-SEP-')}`);
    expect(withTable.table('nat')!.nameSource).toBe('declared');
  });

  it('reads chain declarations and counters that survived the grep', () => {
    const rs = read(grep(SAVE_COUNTERS, 'KUBE-SVC-DAPVQ4ILVDCX2SMZ'));
    expect(rs.hasCounters).toBe(true);
    const chain = rs.table('nat')!.chain('KUBE-SVC-DAPVQ4ILVDCX2SMZ')!;
    expect(chain.declared).toBe(true);
    expect(chain.rules.length).toBe(3);
    expect(chain.rules[0].counters?.exact).toBe(true);
  });

  it('never crashes on mutated fragments, and problems point at what they quote', () => {
    const lines = grep(SAVE_COUNTERS, 'default/').split('\n');
    fc.assert(
      fc.property(
        fc.array(fc.record({ line: fc.nat(), at: fc.nat(), kind: fc.nat() }), {
          minLength: 1,
          maxLength: 5,
        }),
        (ops) => {
          const m = [...lines];
          for (const op of ops) {
            const i = op.line % m.length;
            const l = m[i];
            const at = l.length === 0 ? 0 : op.at % l.length;
            m[i] = op.kind % 3 === 0 ? l.slice(0, at) : op.kind % 3 === 1 ? l.slice(at) : l + ' !';
          }
          const text = m.join('\n');
          const rs = read(text);
          const out = text.split('\n');
          const flat = (t: string): string => t.replace(/\s+/g, ' ');
          for (const p of rs.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.line).toBeLessThanOrEqual(out.length);
            if (p.text === '' || p.text === '(end of line)') continue;
            const quoted = flat(p.text.endsWith('…') ? p.text.slice(0, -1) : p.text);
            expect(flat(out[p.line - 1].slice(p.column - 1)).startsWith(quoted), p.message).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 150, seed: 44 },
    );
  });
});

describe('listing fragments (iptables -L | grep)', () => {
  const listing = read(LISTING_L);

  /** Whether `group` appears, in order and contiguous, in some chain of the full listing. */
  function inOneChain(group: readonly Rule[]): boolean {
    const key = (r: Rule): string => JSON.stringify([r.source, r.destination, r.matches, r.target]);
    const want = group.map(key);
    for (const chain of listing.table('nat')!.chains) {
      const have = chain.rules.map(key);
      for (let i = 0; i + want.length <= have.length; i++)
        if (want.every((k, j) => have[i + j] === k)) return true;
    }
    return false;
  }

  it('keeps rows in unknown-chain groups, grouping only rows proven to share a chain', () => {
    for (const pattern of ['default/shop-lb', 'default/five', 'default/web', 'default/session']) {
      const text = grep(LISTING_L, pattern);
      const rs = read(text);
      expect(rs.format, pattern).toBe('listing-fragment');
      expect(rs.losses).toEqual(expect.arrayContaining(['no-chain-headers', 'no-table-names']));
      const nat = rs.table('nat')!;
      expect(nat.nameSource).toBe('inferred');
      expect(rs.ruleCount).toBe(text.trim().split('\n').length);
      for (const chain of nat.chains) {
        expect(chain.name).toMatch(/^\(unknown chain( \d+)?\)$/);
        expect(chain.declared).toBe(false);
        for (const r of chain.rules)
          expect(r.unknowns).toEqual(expect.arrayContaining(['chain', 'table']));
        if (chain.name !== '(unknown chain)')
          expect(inOneChain(chain.rules), `${pattern}: ${chain.name}`).toBe(true);
      }
    }
  });

  it('finds endpoint pairs and probability ladders', () => {
    const rs = read(grep(LISTING_L, 'default/five'));
    const groups = rs.table('nat')!.chains.filter((c) => c.name !== '(unknown chain)');
    const pairs = groups.filter((g) => g.rules.length === 2 && g.rules[1].target?.kind === 'dnat');
    const ladders = groups.filter((g) =>
      g.rules.some((r) => r.matches.some((m) => m.kind === 'statistic')),
    );
    expect(pairs.length).toBe(5);
    expect(ladders.map((l) => l.rules.length)).toEqual([5]);
  });

  it('reads grepped rows with counters and line numbers', () => {
    const text = grep(LISTING_NVXL_LN, 'default/web:http');
    const rs = read(text);
    expect(rs.format).toBe('listing-fragment');
    expect(rs.hasCounters).toBe(true);
    const rules = [...rs.rules()];
    expect(rules.length).toBe(text.trim().split('\n').length);
    expect(rules.every((r) => r.counters?.exact === true)).toBe(true);
    const lines = text.split('\n');
    for (const r of rules) expect(r.index).toBe(Number(lines[r.line - 1].trim().split(/\s+/)[0]));
  });
});
