import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ruleset } from '../../src/model/ruleset.js';
import { readRuleset, type ReadOptions } from '../../src/parse/read.js';
import { readFixture } from '../helpers.js';

const NAT_SV = readFixture('listings/option-coverage.nft.nat.S-v.txt');
const FILTER_SV = readFixture('listings/option-coverage.nft.filter.S-v.txt');
const EXT = 'KUBE-EXT-AAAAAAAAAAAAAAAA';
const SVC = 'KUBE-SVC-AAAAAAAAAAAAAAAA';

function read(text: string, options: Partial<ReadOptions> = {}): Ruleset {
  return readRuleset(text, { file: 'rules.txt', ...options });
}

/** What `iptables -t nat -S CHAIN -v` prints: the chain's -N line and its rules. */
function oneChain(all: string, chain: string): string {
  return all
    .split('\n')
    .filter((l) => l === `-N ${chain}` || l.startsWith(`-A ${chain} `))
    .join('\n');
}

describe('-S reader', () => {
  it('reads -P with counters, -N, and -A with inline -c', () => {
    const rs = read(NAT_SV);
    expect(rs.format).toBe('rules');
    expect(rs.hasCounters).toBe(true);
    const nat = rs.table('nat')!;
    expect(nat.nameSource).toBe('inferred');
    expect(nat.chain('PREROUTING')).toMatchObject({
      policy: 'ACCEPT',
      counters: { packets: 123999, bytes: 99999, exact: true },
    });
    expect(nat.chain(SVC)).toMatchObject({ policy: null, declared: true });
    expect(nat.chain('POSTROUTING')!.rules[0].counters).toEqual({
      packets: 3000000,
      bytes: 2000000000,
      exact: true,
    });
    expect(rs.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(rs.losses).toEqual(['no-table-names']);
  });

  it('says that -S without -v has no counters', () => {
    const plain = NAT_SV.replace(/ -c \d+ \d+/g, '');
    const rs = read(plain);
    expect(rs.format).toBe('rules');
    expect(rs.hasCounters).toBe(false);
    expect(rs.losses).toContain('no-counters');
    expect(rs.ruleCount).toBe(read(NAT_SV).ruleCount);
  });

  it('splits concatenated outputs at the next -P block', () => {
    const rs = read(`${NAT_SV}${FILTER_SV}`);
    expect(rs.tables.map((t) => [t.name, t.nameSource])).toEqual([
      ['nat', 'inferred'],
      ['filter', 'inferred'],
    ]);
    expect(rs.ruleCount).toBe(read(NAT_SV).ruleCount + read(FILTER_SV).ruleCount);
  });

  it('reads a terminal session of -S CHAIN -v commands with prose between them', () => {
    const ext = oneChain(NAT_SV, EXT);
    const svc = oneChain(NAT_SV, SVC);
    const extBefore = ext.split('\n').slice(0, 3).join('\n');
    const session = [
      '#',
      '# before the change',
      '#',
      `ubuntu@vm1:~$ sudo iptables -t nat -S ${EXT} -v `,
      extBefore,
      '#',
      '# after the change',
      '#',
      `ubuntu@vm1:~$ sudo iptables -t nat -S ${EXT} -v `,
      ext,
      '',
      'The last rule now goes to the service chain.',
      '',
      `ubuntu@vm1:~$ sudo iptables -t nat -S ${SVC} -v `,
      svc,
      'ubuntu@vm1:~$ ',
    ].join('\n');
    const rs = read(session);
    expect(rs.format).toBe('rules');
    const nat = rs.table('nat')!;
    expect(nat.nameSource).toBe('declared');
    expect(nat.chains.map((c) => c.name)).toEqual([EXT, SVC]);
    // The chain shown twice: the later listing is kept, and the reader says so.
    expect(nat.chain(EXT)!.rules.length).toBe(ext.split('\n').length - 1);
    const lines = session.split('\n');
    const newChain = lines.flatMap((l, i) => (l === `-N ${EXT}` ? [i + 1] : []));
    expect(newChain).toHaveLength(2);
    const again = rs.problems.find((p) => p.code === 'duplicate-chain')!;
    expect(again.line).toBe(newChain[1]);
    expect(again.message).toContain(`first on line ${newChain[0]}`);
    expect(again.message).toContain('2 rules shown before are dropped');
    expect(nat.chain(SVC)!.rules.length).toBe(svc.split('\n').length - 1);
    expect(rs.losses).toContain('partial-table');
    // Jumps to chains the session does not show are not errors.
    expect(rs.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const skipped = rs.problems.filter((p) => p.code === 'skipped-line').map((p) => p.line);
    const prose = lines.flatMap((l, i) => (l.trim() !== '' && !/^-[NA] /.test(l) ? [i + 1] : []));
    expect(skipped).toEqual(prose);
    for (const r of rs.rules()) expect(r.unknowns ?? []).not.toContain('table');
  });

  it('never crashes on mutated -S text, and problems point at what they quote', () => {
    const lines = NAT_SV.split('\n');
    fc.assert(
      fc.property(
        fc.array(fc.record({ line: fc.nat(), at: fc.nat(), cut: fc.boolean() }), {
          minLength: 1,
          maxLength: 5,
        }),
        (ops) => {
          const mutated = [...lines];
          for (const op of ops) {
            const i = op.line % mutated.length;
            const l = mutated[i];
            const at = l.length === 0 ? 0 : op.at % l.length;
            // Quotes are left out: rule-builder.ts quotes an unquoted payload at a quoted
            // token (reported to the lead), which the position check would flag.
            mutated[i] = op.cut ? l.slice(0, at) : l.slice(0, at) + '!' + l.slice(at);
          }
          const text = mutated.join('\n');
          const rs = read(text);
          const out = text.split('\n');
          for (const p of rs.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.line).toBeLessThanOrEqual(out.length);
            if (p.text === '' || p.text === '(end of line)') continue;
            // rule-builder.ts quotes runs of words joined by one space.
            const flat = (t: string): string => t.replace(/\s+/g, ' ');
            const quoted = flat(p.text.endsWith('…') ? p.text.slice(0, -1) : p.text);
            const at = flat(out[p.line - 1].slice(p.column - 1));
            expect(at.startsWith(quoted), `${p.message} at ${p.line}:${p.column}`).toBe(true);
          }
        },
      ),
      { numRuns: 150, seed: 33 },
    );
  });
});
