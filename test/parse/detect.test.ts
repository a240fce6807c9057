import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, readRuleset } from '../../src/parse/read.js';
import { sniffFormat } from '../../src/parse/detect.js';
import { rulesetToJson } from '../../src/render/json.js';
import { fixturePath, readFixture } from '../helpers.js';

/** Fixtures by the format their name says they are in. */
const CASES: readonly [string, string][] = [
  ['k8s-1.28-etp-local-calico.save', 'iptables-save'],
  ['k8s-1.28-etp-local-calico.counters.save', 'iptables-save'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.nvxL.txt', 'listing'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.nvL.txt', 'listing'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.L-n.txt', 'listing'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.L.txt', 'listing'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.L-n-line-numbers.txt', 'listing'],
  ['listings/k8s-1.28-etp-local-calico.nft.nat.S-v.txt', 'rules'],
  ['pasted/classic-grep-kube-svc.txt', 'save-fragment'],
  ['pasted/classic-nat.prompt.txt', 'iptables-save'],
  ['pasted/classic-nat.ansi-colour.txt', 'iptables-save'],
  ['pasted/classic-nat.tab-indented.txt', 'iptables-save'],
];

function grep(text: string, pattern: string): string {
  return text
    .split('\n')
    .filter((l) => l.includes(pattern))
    .join('\n');
}

describe('format detection', () => {
  it.each(CASES)('%s is %s', (file, format) => {
    const rs = readRuleset(readFixture(file), { file });
    expect(rs.format).toBe(format);
    expect(rs.formatSource).toBe('detected');
    expect(detectFormat(readFixture(file))).toBe(format);
  });

  it('tells -S -v from grep output by its inline counters, and -L rows from prose', () => {
    const sv = readFixture('listings/k8s-1.28-etp-local-calico.nft.nat.S-v.txt');
    expect(detectFormat(grep(sv, '-A KUBE-SVC-'))).toBe('rules');
    expect(detectFormat(grep(sv, '-A KUBE-SVC-').replace(/ -c \d+ \d+/g, ''))).toBe(
      'save-fragment',
    );
    const listing = readFixture('listings/k8s-1.28-etp-local-calico.nft.nat.nvxL.txt');
    const rows = grep(listing, 'DNAT');
    expect(detectFormat(`some words here\nand more -- words\n${rows}`)).toBe('listing-fragment');
    expect(sniffFormat(`$ iptables -L\n${rows}`).line).toBe(2);
  });

  it('reads as the format given, and says when nothing looks like a dump', () => {
    const text = readFixture('pasted/classic-grep-kube-svc.txt');
    const given = readRuleset(text, { file: 'x', format: 'save-fragment', table: 'nat' });
    expect(given.formatSource).toBe('given');
    expect(given.table('nat')!.nameSource).toBe('option');

    const prose = readRuleset('hello\nthis is not a dump\n', { file: 'prose.txt' });
    expect(prose.problems[0]).toMatchObject({ severity: 'error', code: 'unknown-format', line: 1 });
    expect(prose.ruleCount).toBe(0);
    expect(readRuleset('', { file: 'empty' }).problems).toEqual([]);
  });

  it('gives JSON for every format (what parse --json prints)', () => {
    const files = [
      ...CASES.map(([f]) => f),
      ...readdirSync(fixturePath('listings'))
        .filter((f) => f.startsWith('option-coverage.nft.'))
        .map((f) => `listings/${f}`),
    ];
    for (const file of files) {
      const rs = readRuleset(readFixture(file), { file });
      const json = JSON.parse(JSON.stringify(rulesetToJson(rs))) as {
        format: string;
        losses: string[];
        tables: { chains: { rules: { unknowns: string[] }[] }[] }[];
      };
      expect(json.format, file).toBe(rs.format);
      expect(json.losses, file).toEqual(rs.losses);
      const rules = json.tables.flatMap((t) => t.chains.flatMap((c) => c.rules));
      expect(rules.length, file).toBe(rs.ruleCount);
    }
  });
});
