/**
 * The chain index must skip only rules that cannot match: from any position, the next candidate
 * is exactly the next rule a linear scan would have to evaluate (same key, or no key).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildChainIndex, nextCandidate } from '../../src/trace/chain-index.js';
import { dump, packet, summary, trace } from './helpers.js';

describe('chain index', () => {
  it('agrees with a linear scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 5 }), {
          minLength: 30,
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 7 }),
        (keys, wanted) => {
          const rules = keys.map((k, i) =>
            k === null
              ? `-A CH -p tcp -m tcp --dport ${1000 + i} -j ACCEPT`
              : `-A CH -d 10.96.0.${k}/32 -p tcp -m tcp --dport 80 -j ACCEPT`,
          );
          const chain = dump({ filter: rules }).chain('filter', 'CH');
          if (chain === undefined) throw new Error('no chain');
          const index = buildChainIndex(chain);
          if (index === null) return; // mostly wildcards: the index declines, which is fine
          // A packet to 10.96.0.<wanted>:80. Keyed rules match only their address; the others
          // match only their own port (1000 + i), never 80.
          const byAddress = index.dimension === 'destination';
          const key = byAddress ? `10.96.0.${wanted}` : '80';
          const couldMatch = (k: number | null): boolean =>
            byAddress ? k === null || k === wanted : k !== null;
          for (let from = 0; from <= keys.length; from++) {
            let linear = -1;
            for (let i = from; i < keys.length; i++)
              if (couldMatch(keys[i])) {
                linear = i;
                break;
              }
            expect(nextCandidate(index, key, from)).toBe(linear);
          }
        },
      ),
      { numRuns: 200, seed: 5 },
    );
  });

  it('keeps rule order: an earlier wildcard rule still wins over an indexed one', () => {
    const rules = [
      ...Array.from(
        { length: 40 },
        (_, i) =>
          `-A PREROUTING -d 10.96.1.${i}/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.2.${i}:80`,
      ),
    ];
    rules.splice(
      20,
      0,
      '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.9.9:80',
    );
    const rs = dump({ nat: rules });
    expect(summary(trace(rs, packet('pod', '10.244.1.5', '10.96.1.30', 80)))).toEqual([
      'DNAT 10.244.9.9:80 no-masq 1.000000',
    ]);
    expect(summary(trace(rs, packet('pod', '10.244.1.5', '10.96.1.3', 80)))).toEqual([
      'DNAT 10.244.2.3:80 no-masq 1.000000',
    ]);
  });

  it('indexes by destination port when rules pin no address (KUBE-NODEPORTS)', () => {
    const rules = Array.from(
      { length: 40 },
      (_, i) => `-A CH -p tcp -m tcp --dport ${30000 + i} -j ACCEPT`,
    );
    const chain = dump({ filter: rules }).chain('filter', 'CH');
    const index = chain === undefined ? null : buildChainIndex(chain);
    expect(index?.dimension).toBe('destination-port');
    expect(index === null ? -2 : nextCandidate(index, '30017', 0)).toBe(17);
  });
});
