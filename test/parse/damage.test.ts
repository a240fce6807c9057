/**
 * Pasted damage (fixtures/pasted, described in its manifest.json, and listings damaged here
 * the same ways): every intact rule is recovered, and each damaged line is named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCommandEcho } from '../../src/input/clean.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { readRuleset } from '../../src/parse/read.js';
import { printRule } from '../../src/render/save.js';
import { readFixture } from '../helpers.js';

interface Damage {
  readonly line?: number;
  readonly all?: boolean;
  readonly what: string;
}
interface PastedFile {
  readonly file: string;
  readonly damage: readonly Damage[];
  readonly lines: number;
}
const MANIFEST = JSON.parse(readFixture('pasted/manifest.json')) as { files: PastedFile[] };

function read(name: string, text = readFixture(name)): Ruleset {
  return readRuleset(text, { file: name });
}

/** The rules as iptables-save text, one per rule, in order: what "the same rules" means. */
function rulesText(rs: Ruleset): string[] {
  return [...rs.rules()].map((r) => `${r.table} ${printRule(r)}`);
}

const CLEAN = read('pasted/classic-nat.clean.txt');

function entry(file: string): PastedFile {
  const e = MANIFEST.files.find((f) => f.file === file);
  if (e === undefined) throw new Error(`${file} is not in the manifest`);
  return e;
}

describe('pasted iptables-save dumps', () => {
  it.each([
    'classic-nat.crlf.txt',
    'classic-nat.tab-indented.txt',
    'classic-nat.trailing-spaces.txt',
    'classic-nat.no-final-newline.txt',
  ])('%s reads as the clean dump, without complaint', (file) => {
    const rs = read(`pasted/${file}`);
    expect(rulesText(rs)).toEqual(rulesText(CLEAN));
    expect(rs.problems).toEqual([]);
  });

  it('skips a prompt and names its line', () => {
    const rs = read('pasted/classic-nat.prompt.txt');
    expect(rulesText(rs)).toEqual(rulesText(CLEAN));
    const damaged = entry('classic-nat.prompt.txt').damage.map((d) => d.line);
    expect(rs.problems.map((p) => [p.code, p.line])).toEqual(
      damaged.map((l) => ['skipped-line', l]),
    );
  });

  it('rejoins a rule the legacy-tables warning was spliced into, and names both lines', () => {
    const rs = read('pasted/classic-nat.legacy-warning.txt');
    expect(rulesText(rs)).toEqual(rulesText(CLEAN));
    const lines = readFixture('pasted/classic-nat.legacy-warning.txt').split('\n');
    const [alone, spliced] = rs.problems;
    expect(rs.problems).toHaveLength(2);
    expect(alone).toMatchObject({ code: 'legacy-tables-present', line: 1, column: 1 });
    expect(spliced).toMatchObject({ code: 'legacy-tables-present', line: 86 });
    expect(lines[85].slice(spliced.column - 1)).toMatch(/^# Warning: iptables-legacy/);
    expect(spliced.message).toContain('joined with the next');
    const rule = [...rs.rules()].find((r) => r.line === 86)!;
    expect(rule.matches[1]).toMatchObject({ kind: 'statistic', probabilityText: '0.33333333349' });
    expect(rule.target).toMatchObject({ kind: 'chain', chain: 'KUBE-SEP-SADCJIHRQW7RJ62U' });
  });

  it('removes colour codes and names each coloured line at its first escape', () => {
    const file = 'pasted/classic-nat.ansi-colour.txt';
    const rs = read(file);
    expect(rulesText(rs)).toEqual(rulesText(CLEAN));
    const original = readFixture(file).split('\n');
    const notes = rs.problems.filter((p) => p.code === 'pasted-damage');
    expect(notes.map((p) => p.line)).toEqual(
      entry('classic-nat.ansi-colour.txt').damage.map((d) => d.line),
    );
    for (const p of notes)
      expect(original[p.line - 1].slice(p.column - 1).startsWith('\u001b[')).toBe(true);
    // The prompt line is still skipped (after its colours are removed).
    expect(rs.problems.filter((p) => p.code === 'skipped-line').map((p) => p.line)).toEqual([1]);
  });

  it('keeps every rule before a truncation and says the dump is cut', () => {
    const rs = read('pasted/classic-nat.truncated.txt');
    const clean = rulesText(CLEAN);
    const got = rulesText(rs);
    expect(got).toEqual(clean.slice(0, got.length));
    expect(got.length).toBe(
      readFixture('pasted/classic-nat.truncated.txt')
        .split('\n')
        .filter((l) => l.startsWith('-A ')).length,
    );
    expect(rs.losses).toContain('truncated');
    expect(rs.problems).toContainEqual(expect.objectContaining({ code: 'missing-commit' }));
  });
});

describe('pasted listings', () => {
  const LISTING = readFixture('listings/k8s-1.20-nginx-svc-classic.nft.nat.nvL.txt');
  const clean = read('listing', LISTING);

  it('reads a listing with a prompt, CRLF, tabs, colours, a spliced warning and a cut end', () => {
    const lines = LISTING.trimEnd().split('\n');
    const rowAt = lines.findIndex((l) => l.includes('statistic mode random'));
    const row = lines[rowAt];
    const cutAt = row.indexOf('statistic');
    const damaged = [
      'root@node:~# iptables -t nat -nvL',
      ...lines.slice(0, rowAt),
      row.slice(0, cutAt) +
        '# Warning: iptables-legacy tables present, use iptables-legacy to see them',
      row.slice(cutAt),
      ...lines
        .slice(rowAt + 1)
        .map((l) => l.replace(/(KUBE-SVC-\w+)/, '\u001b[01;31m\u001b[K$1\u001b[m\u001b[K')),
      '    0     0 KUBE-MARK-MA',
    ]
      .map((l) => `\t${l}`)
      .join('\r\n');
    const rs = read('damaged.txt', damaged);
    expect(rs.format).toBe('listing');
    expect(rs.table('nat')!.nameSource).toBe('declared');
    const got = rulesText(rs);
    expect(got.slice(0, rulesText(clean).length)).toEqual(rulesText(clean));
    const out = damaged.split('\r\n');
    const splice = rs.problems.find((p) => p.code === 'legacy-tables-present')!;
    expect(splice.line).toBe(rowAt + 2);
    expect(out[splice.line - 1].slice(splice.column - 1)).toMatch(/^# Warning/);
    expect(rs.problems.filter((p) => p.code === 'pasted-damage').length).toBeGreaterThan(0);
    for (const p of rs.problems.filter((q) => q.code === 'pasted-damage'))
      expect(out[p.line - 1].slice(p.column - 1).startsWith('\u001b')).toBe(true);
    expect(rs.losses).toContain('truncated');
    expect(rs.problems).toContainEqual(expect.objectContaining({ line: out.length }));
  });

  it('damage that costs nothing never changes what is read (property)', () => {
    const texts = [
      readFixture('pasted/classic-nat.clean.txt'),
      LISTING,
      readFixture('listings/k8s-1.20-nginx-svc-classic.nft.nat.S-v.txt'),
    ];
    const expected = texts.map((t) => rulesText(read('x', t)));
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.array(fc.record({ line: fc.nat(), kind: fc.nat(4) }), { minLength: 1, maxLength: 8 }),
        (which, ops) => {
          const lines = texts[which].split('\n');
          for (const op of ops) {
            const i = op.line % lines.length;
            if (op.kind === 0) lines[i] = `${lines[i]}\r`;
            else if (op.kind === 1) lines[i] = `\t${lines[i]}`;
            else if (op.kind === 2) lines[i] = `${lines[i]}   `;
            else if (op.kind === 3)
              lines[i] = lines[i].replace(/^(\s*\S+)/, '\u001b[1m$1\u001b[0m');
            else
              lines[i] = lines[i].replace(/KUBE-[A-Z]+/, '\u001b[01;31m\u001b[K$&\u001b[m\u001b[K');
          }
          expect(rulesText(read('x', lines.join('\n')))).toEqual(expected[which]);
        },
      ),
      { numRuns: 120, seed: 55 },
    );
  });
});

describe('echoed commands in a paste', () => {
  it('reads the table, chain and kind of iptables commands', () => {
    expect(readCommandEcho('ubuntu@vm1:~$ sudo iptables -t nat -S KUBE-EXT-X -v ')).toMatchObject({
      kind: 'rules',
      table: 'nat',
      tableGiven: true,
      chain: 'KUBE-EXT-X',
      family: 'ipv4',
    });
    expect(readCommandEcho('/ # iptables -nvL')).toMatchObject({
      kind: 'list',
      table: 'filter',
      tableGiven: false,
      chain: null,
    });
    expect(readCommandEcho('# ip6tables -L -n --line-numbers -t nat')).toMatchObject({
      kind: 'list',
      table: 'nat',
      family: 'ipv6',
    });
    expect(readCommandEcho("root@n:~# iptables-save -t nat | grep -E 'KUBE-SVC'")).toMatchObject({
      kind: 'save',
      table: 'nat',
    });
    expect(readCommandEcho('$ iptables -L KUBE-SERVICES -t nat')).toMatchObject({
      chain: 'KUBE-SERVICES',
      table: 'nat',
    });
    expect(readCommandEcho('the output of iptables --list --table=nat follows')).toMatchObject({
      kind: 'list',
      table: 'nat',
    });
    expect(readCommandEcho('iptables is a tool')).toBeNull();
    expect(readCommandEcho('$ sudo iptables -F -t nat')).toBeNull();
  });
});
