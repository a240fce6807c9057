import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, normalTwoSided, testShares } from '../../src/kube/share-test.js';

describe('chi-square goodness of fit', () => {
  it('matches textbook critical values', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(13.815510557964274, 2)).toBeCloseTo(0.001, 6);
    expect(chiSquareSurvival(27.877164871256575, 9)).toBeCloseTo(0.001, 7);
    expect(chiSquareSurvival(52.66796321106174, 4) / 1e-10).toBeCloseTo(1, 5);
    expect(normalTwoSided(1.959963984540054)).toBeCloseTo(0.05, 6);
  });

  it('accepts counts close to the probabilities', () => {
    const r = testShares([334, 331, 335], [1 / 3, 1 / 3, 1 / 3]);
    expect(r.test.verdict).toBe('consistent');
    expect(r.flagged).toEqual([false, false, false]);
  });

  it('flags a skewed endpoint at p < 0.001', () => {
    const r = testShares([600, 200, 200], [1 / 3, 1 / 3, 1 / 3]);
    expect(r.test.verdict).toBe('off');
    expect(r.test.statistic).toBeCloseTo(320, 6);
    expect(r.test.degreesOfFreedom).toBe(2);
    expect(r.flagged[0]).toBe(true);
  });

  it('does not test too few packets, and says when there is no traffic', () => {
    expect(testShares([3, 0, 1], [1 / 3, 1 / 3, 1 / 3]).test.verdict).toBe('too-few-packets');
    expect(testShares([0, 0], [0.5, 0.5]).test.verdict).toBe('no-traffic');
  });

  it('leaves an unassigned remainder out of the expected shares', () => {
    // Ladder 0.5, 0.5 (conditional) with no final rule: 0.5, 0.25 and a 0.25 remainder.
    const r = testShares([200, 100], [0.5, 0.25]);
    expect(r.test.verdict).toBe('consistent');
    expect(r.test.statistic).toBeCloseTo(0, 9);
  });
});
