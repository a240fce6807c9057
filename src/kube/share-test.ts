/**
 * Does the traffic a ladder's counters show fit its probabilities? Pearson's chi-square goodness
 * of fit over the ladder rules' packet counts (each counts new connections balanced to one
 * endpoint), run only when every expected count is at least MIN_EXPECTED; the ladder is "off"
 * when p < ALPHA, and then each endpoint whose binomial standard score has a two-sided p-value
 * below ALPHA / k (Bonferroni over the k endpoints) is flagged.
 */
import type { ShareTest } from './model.js';

export const ALPHA = 0.001;
export const MIN_EXPECTED = 5;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    // Series for P(a, x).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    const p = sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    return Math.max(0, 1 - p);
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + a * Math.log(x) - logGamma(a)) * h);
}

/** P(X² ≥ statistic) for a chi-square distribution with `df` degrees of freedom. */
export function chiSquareSurvival(statistic: number, df: number): number {
  if (df <= 0) return 1;
  return gammaQ(df / 2, statistic / 2);
}

/** Two-sided p-value of a standard normal score. */
export function normalTwoSided(z: number): number {
  // erfc(|z|/√2) = Q(1/2, z²/2)
  return gammaQ(0.5, (z * z) / 2);
}

export interface ShareTestResult {
  readonly test: ShareTest;
  /** Per input cell: standard score, and whether it is flagged. */
  readonly residuals: readonly (number | null)[];
  readonly flagged: readonly boolean[];
}

/**
 * Tests `observed` packet counts against `probabilities` (conditional shares that sum to the
 * ladder total; renormalised here so the remainder, which no rule counts, is left out).
 */
export function testShares(
  observed: readonly number[],
  probabilities: readonly number[],
): ShareTestResult {
  const total = observed.reduce((a, b) => a + b, 0);
  const mass = probabilities.reduce((a, b) => a + b, 0);
  const shares = probabilities.map((p) => (mass > 0 ? p / mass : 0));
  const cells = shares.filter((p) => p > 0).length;
  const base = {
    method: 'chi-square goodness of fit' as const,
    totalPackets: total,
    alpha: ALPHA,
    minExpected: MIN_EXPECTED,
    degreesOfFreedom: Math.max(0, cells - 1),
  };
  const none = observed.map(() => null);
  const notFlagged = observed.map(() => false);
  if (total === 0) {
    return {
      test: { ...base, statistic: 0, pValue: 1, verdict: 'no-traffic' },
      residuals: none,
      flagged: notFlagged,
    };
  }
  const expected = shares.map((p) => p * total);
  const residuals = observed.map((o, i) => {
    const p = shares[i];
    if (p <= 0 || p >= 1) return null;
    return (o - expected[i]) / Math.sqrt(total * p * (1 - p));
  });
  if (expected.some((e, i) => shares[i] > 0 && e < MIN_EXPECTED) || cells < 2) {
    return {
      test: { ...base, statistic: 0, pValue: 1, verdict: 'too-few-packets' },
      residuals,
      flagged: notFlagged,
    };
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    if (shares[i] > 0) statistic += (observed[i] - expected[i]) ** 2 / expected[i];
  }
  const pValue = chiSquareSurvival(statistic, cells - 1);
  const off = pValue < ALPHA;
  const flagged = residuals.map(
    (z) => off && z !== null && normalTwoSided(z) < ALPHA / Math.max(1, cells),
  );
  return {
    test: { ...base, statistic, pValue, verdict: off ? 'off' : 'consistent' },
    residuals,
    flagged,
  };
}
