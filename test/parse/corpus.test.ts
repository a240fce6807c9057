/**
 * Real dumps people posted (../shared/corpus/real beside the clone; see its SOURCES.md). They
 * are read in place and never copied here. The figures asserted were counted by reading the
 * files (chain headers, `-A` lines, rows), not by this tool.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ruleset } from '../../src/model/ruleset.js';
import { readRuleset } from '../../src/parse/read.js';
import { ROOT } from '../helpers.js';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'real');
const present = existsSync(CORPUS);
if (!present)
  console.log(`corpus tests skipped: ${CORPUS} is absent (CI keeps a copy beside the clone)`);

function load(prefix: string): Ruleset {
  const file = readdirSync(CORPUS).find((f) => f.startsWith(prefix));
  if (file === undefined) throw new Error(`no corpus file ${prefix}*`);
  return readRuleset(readFileSync(path.join(CORPUS, file), 'utf8'), { file });
}

function shape(rs: Ruleset): [string, number, number][] {
  return rs.tables.map((t) => [t.name, t.chains.length, t.ruleCount]);
}

describe.skipIf(!present)('real pasted dumps', () => {
  it('reads every file without an error', () => {
    const files = readdirSync(CORPUS).filter((f) => /^\d\d-.*\.txt$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const rs = readRuleset(readFileSync(path.join(CORPUS, file), 'utf8'), { file });
      expect(rs.ruleCount, file).toBeGreaterThan(0);
      expect(
        rs.problems.filter((p) => p.severity === 'error'),
        file,
      ).toEqual([]);
    }
  });

  it('01: iptables-save after a comment and a prompt', () => {
    const rs = load('01-');
    expect(rs.format).toBe('iptables-save');
    expect(shape(rs)).toEqual([
      ['mangle', 7, 0],
      ['filter', 10, 13],
      ['nat', 29, 58],
    ]);
    expect(rs.problems.map((p) => [p.code, p.line])).toEqual([['skipped-line', 2]]);
  });

  it('02: iptables-save -c, with the four "has no endpoints" REJECTs', () => {
    const rs = load('02-');
    expect(rs.hasCounters).toBe(true);
    expect(shape(rs)).toEqual([
      ['raw', 2, 0],
      ['mangle', 7, 0],
      ['nat', 14, 18],
      ['filter', 14, 28],
    ]);
    const rejects = rs
      .chain('filter', 'KUBE-SERVICES')!
      .rules.filter((r) => r.target?.kind === 'reject');
    expect(rejects.length).toBe(4);
  });

  it('03: the complete nat table as -nvL, its table named by the prompt', () => {
    const rs = load('03-');
    expect(rs.format).toBe('listing');
    expect(shape(rs)).toEqual([['nat', 56, 167]]);
    expect(rs.table('nat')!.nameSource).toBe('declared');
    expect(rs.losses).toEqual(['rounded-counters']);
    // `471K   28M KUBE-SERVICES` in OUTPUT.
    expect(rs.chain('nat', 'OUTPUT')!.rules[0].counters).toMatchObject({
      packets: 470500,
      packetsUpper: 471500,
      exact: false,
    });
    expect(
      rs.table('nat')!.chains.filter((c) => c.name.startsWith('KUBE-XLB-')).length,
    ).toBeGreaterThan(0);
  });

  it('04: a nat -nvL listing without prompt: table inferred', () => {
    const rs = load('04-');
    expect(shape(rs)).toEqual([['nat', 20, 43]]);
    expect(rs.table('nat')!.nameSource).toBe('inferred');
    expect([...rs.rules()].some((r) => r.comment === 'default/nginx-svc:')).toBe(true);
  });

  it('05: -L without -n: names kept, and said', () => {
    const rs = load('05-');
    expect(shape(rs)).toEqual([['nat', 22, 44]]);
    expect(rs.losses).toEqual(
      expect.arrayContaining(['no-counters', 'names-not-numeric', 'no-interfaces']),
    );
    const flannel = rs.chain('nat', 'FLANNEL-POSTRTG')!.rules;
    expect(flannel[1].source).toMatchObject({ text: 'k8s-cp/24' });
    expect(flannel[1].unknowns).toContain('address-names');
    expect(flannel[4].destination).toMatchObject({
      negated: true,
      text: 'base-address.mcast.net/4',
    });
  });

  it('06: IPVS mode after a flush: ipset rules, empty leftover KUBE-SVC chains', () => {
    const rs = load('06-');
    expect(shape(rs)).toEqual([['nat', 41, 23]]);
    const svc = rs.table('nat')!.chains.filter((c) => c.name.startsWith('KUBE-SVC-'));
    expect(svc.length).toBeGreaterThan(0);
    expect(svc.every((c) => c.rules.length === 0)).toBe(true);
    expect([...rs.rules()].some((r) => r.matches.some((m) => m.kind === 'set'))).toBe(true);
  });

  it('07: a grep of -L: the 12-endpoint ladder and 12 endpoint chains are found', () => {
    const rs = load('07-');
    expect(rs.format).toBe('listing-fragment');
    expect(rs.ruleCount).toBe(44);
    const nat = rs.table('nat')!;
    const ladder = nat.chains.find((c) => c.rules.length === 12)!;
    expect(ladder.rules[0].matches[1]).toMatchObject({ probabilityText: '0.08332999982' });
    expect(ladder.rules[11].matches.some((m) => m.kind === 'statistic')).toBe(false);
    const pairs = nat.chains.filter(
      (c) => c.rules.length === 2 && c.rules[1].target?.kind === 'dnat',
    );
    expect(pairs.length).toBe(12);
    expect(nat.chain('(unknown chain)')!.rules.length).toBe(44 - 12 - 24);
  });

  it('08: the same service on another node: 2 endpoints', () => {
    const rs = load('08-');
    expect(rs.ruleCount).toBe(14);
    const nat = rs.table('nat')!;
    expect(nat.chains.filter((c) => c.rules[1]?.target?.kind === 'dnat').length).toBe(2);
    expect(
      nat.chains.some((c) => c.rules.length === 2 && c.rules[0].jumpChain?.startsWith('KUBE-SEP-')),
    ).toBe(true);
  });

  it('09: a -S -v session: chains from the prompts, the later KUBE-EXT kept', () => {
    const rs = load('09-');
    expect(rs.format).toBe('rules');
    expect(rs.hasCounters).toBe(true);
    const nat = rs.table('nat')!;
    expect(nat.nameSource).toBe('declared');
    expect(nat.chains.map((c) => [c.name.slice(0, 9), c.rules.length])).toEqual([
      ['KUBE-EXT-', 4],
      ['KUBE-SVL-', 2],
      ['KUBE-SVC-', 7],
    ]);
    expect(rs.problems.filter((p) => p.code === 'duplicate-chain').length).toBe(1);
    const svl = nat.chains[1].rules;
    expect(svl[0].matches[1]).toMatchObject({ kind: 'statistic', probability: 0.5 });
  });

  it('10: the filter table as -nvL with large suffixed counters', () => {
    const rs = load('10-');
    expect(shape(rs)).toEqual([['filter', 15, 36]]);
    expect(rs.table('filter')!.nameSource).toBe('declared');
    expect(rs.chain('filter', 'INPUT')!.counters).toMatchObject({
      packets: 3385500,
      packetsUpper: 3386500,
      exact: false,
    });
    expect(rs.losses).not.toContain('truncated');
  });
});
