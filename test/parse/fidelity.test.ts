/**
 * The same rules captured in every format people paste (fixtures/listings: real iptables 1.8.9
 * output, nft and legacy backends) must give models that agree with the `iptables-save -c`
 * model on every field the format carries, and mark what it does not carry as unknown.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Counters, Rule } from '../../src/model/rule.js';
import type { Chain, Ruleset } from '../../src/model/ruleset.js';
import { readRuleset } from '../../src/parse/read.js';
import { fixturePath, readFixture } from '../helpers.js';

interface Capture {
  /** Listing file under fixtures/listings. */
  readonly file: string;
  /** The save file the listing was captured next to. */
  readonly save: string;
  readonly table: string;
  readonly format: string;
}

const LISTINGS = fixturePath('listings');

/** `<cluster>.<backend>[.ip6].<table>.<format>.txt` and the save file of the same capture. */
function captures(): Capture[] {
  if (!existsSync(LISTINGS)) return [];
  const out: Capture[] = [];
  for (const file of readdirSync(LISTINGS).sort()) {
    const m = /^(.+)\.(nft|legacy)(\.ip6)?\.([a-z]+)\.([A-Za-z-]+)\.txt$/.exec(file);
    if (m === null) continue;
    const [, cluster, backend, ip6 = '', table, format] = m;
    const inListings = `listings/${cluster}.${backend}${ip6}.counters.save`;
    const beside = `${cluster}${backend === 'legacy' ? '.legacy' : ''}.counters.save`;
    const save = existsSync(fixturePath(inListings)) ? inListings : beside;
    if (!existsSync(fixturePath(save))) continue;
    out.push({ file: `listings/${file}`, save, table, format });
  }
  return out;
}

const ALL = captures();

function load(name: string): Ruleset {
  return readRuleset(readFixture(name), { file: name });
}

function inRange(exact: Counters, listed: Counters): boolean {
  if (listed.exact) return exact.packets === listed.packets && exact.bytes === listed.bytes;
  return (
    exact.packets >= listed.packets &&
    exact.packets < (listed.packetsUpper ?? listed.packets + 1) &&
    exact.bytes >= listed.bytes &&
    exact.bytes < (listed.bytesUpper ?? listed.bytes + 1)
  );
}

/** Port texts as printed (`http` where save has `80`); the ranges must still agree. */
function withoutPortTexts(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === 'text' && typeof v === 'string' && !/ /.test(v) && /^[!\w:,-]+$/.test(v) ? '*' : v,
    ),
  ) as unknown;
}

function compareRule(saved: Rule, listed: Rule, format: string): void {
  const where = `${listed.chain} rule ${listed.index} (line ${listed.line})`;
  const unknowns = listed.unknowns ?? [];
  const names = format === 'L';
  expect(listed.protocol, where).toEqual(saved.protocol);
  expect(listed.fragment, where).toEqual(saved.fragment);
  if (!names || !unknowns.includes('address-names')) {
    expect(listed.source?.text ?? null, where).toBe(saved.source?.text ?? null);
    expect(listed.source?.negated ?? null, where).toBe(saved.source?.negated ?? null);
    expect(listed.destination?.text ?? null, where).toBe(saved.destination?.text ?? null);
    expect(listed.destination?.negated ?? null, where).toBe(saved.destination?.negated ?? null);
  }
  if (unknowns.includes('interfaces')) {
    expect(listed.inInterface, where).toBeNull();
    expect(listed.outInterface, where).toBeNull();
  } else {
    expect(listed.inInterface, where).toEqual(saved.inInterface);
    expect(listed.outInterface, where).toEqual(saved.outInterface);
  }
  if (names) {
    // `-L` without -n prints service and ICMP type names: compare everything but those texts.
    const plain = (r: Rule): unknown =>
      r.matches.filter((m) => !(m.kind === 'generic' && m.module === 'icmp'));
    expect(withoutPortTexts(plain(listed)), where).toEqual(withoutPortTexts(plain(saved)));
  } else {
    expect(listed.matches, where).toEqual(saved.matches);
  }
  expect(listed.target, where).toEqual(saved.target);
  if (listed.counters === null) expect(unknowns, where).toContain('counters');
  else {
    expect(saved.counters, where).not.toBeNull();
    expect(inRange(saved.counters!, listed.counters), `${where}: counters`).toBe(true);
  }
  expect(unknowns, where).toContain('table');
  expect(unknowns.includes('match-details'), `${where}: untranslated listing text`).toBe(false);
  expect(unknowns.includes('target-options'), `${where}: untranslated target text`).toBe(false);
}

function compareChain(saved: Chain, listed: Chain, format: string): void {
  expect(listed.rules.map((r) => r.index)).toEqual(saved.rules.map((_r, i) => i + 1));
  expect(listed.rules.length, `rules of ${saved.name}`).toBe(saved.rules.length);
  expect(listed.policy, `policy of ${saved.name}`).toBe(saved.policy);
  if (saved.policy !== null && listed.counters !== null)
    expect(inRange(saved.counters!, listed.counters), `policy counters of ${saved.name}`).toBe(
      true,
    );
  for (let i = 0; i < saved.rules.length; i++) compareRule(saved.rules[i], listed.rules[i], format);
}

describe('fidelity: one ruleset in every format', () => {
  it('has captures to compare', () => {
    // Made by fixtures/build/build.sh and fixtures/build/capture-option-listings.sh.
    expect(ALL.length).toBeGreaterThanOrEqual(20);
    for (const format of ['nvxL', 'nvL', 'L-n', 'L', 'S-v'])
      expect(
        ALL.some((c) => c.format === format),
        format,
      ).toBe(true);
  });

  for (const capture of ALL) {
    it(`${capture.file} agrees with ${capture.save}`, () => {
      const saved = load(capture.save);
      const listed = load(capture.file);
      expect(listed.format).toBe(capture.format === 'S-v' ? 'rules' : 'listing');
      expect(listed.problems.filter((p) => p.severity !== 'info')).toEqual([]);
      const savedTable = saved.table(capture.table)!;
      const listedTable = listed.table(capture.table);
      expect(listedTable, `table ${capture.table} inferred`).toBeDefined();
      expect(listedTable!.nameSource).toBe('inferred');
      expect(listed.losses).toContain('no-table-names');
      expect(listed.family).toBe(saved.family);
      expect(listedTable!.chains.map((c) => c.name).sort()).toEqual(
        savedTable.chains.map((c) => c.name).sort(),
      );
      for (const chain of savedTable.chains)
        compareChain(chain, listedTable!.chain(chain.name)!, capture.format);

      // What each format lacks is said, not invented.
      const losses = listed.losses;
      switch (capture.format) {
        case 'nvxL':
        case 'nvxL-line-numbers':
        case 'S-v':
          expect(listed.hasCounters).toBe(true);
          for (const r of listed.rules()) expect(r.counters?.exact).toBe(true);
          break;
        case 'nvL':
          expect(listed.hasCounters).toBe(true);
          expect(losses.includes('rounded-counters')).toBe(
            [...listed.rules()].some((r) => r.counters?.exact === false),
          );
          break;
        case 'L-n':
        case 'L':
        case 'L-n-line-numbers':
          expect(listed.hasCounters).toBe(false);
          expect(losses).toEqual(expect.arrayContaining(['no-counters', 'no-interfaces']));
          for (const r of listed.rules()) expect(r.unknowns).toContain('interfaces');
          if (capture.format === 'L') expect(losses).toContain('names-not-numeric');
          else expect(losses).not.toContain('names-not-numeric');
          break;
      }
    });
  }
});
