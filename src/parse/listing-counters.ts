/**
 * Packet and byte counters as `iptables -L -v` prints them. Without `-x`, numbers above 99999
 * are divided by 1000, rounding half up, until they fit in four digits, and get a K, M, G or
 * T suffix (libxtables `xtables_print_num`; measured on iptables 1.8.9: 123999 prints `124K`,
 * 9999999 prints `10M`). A suffixed figure is kept as the range of values that print as it.
 */
import type { Counters } from '../model/rule.js';

export interface CounterRange {
  /** Smallest value that prints this way. */
  readonly low: number;
  /** One more than the largest value that prints this way. */
  readonly high: number;
  readonly exact: boolean;
}

const SUFFIX_LEVEL: Readonly<Record<string, number>> = { K: 1, M: 2, G: 3, T: 4 };
const NUMBER_RE = /^(\d+)([KMGT])?$/;

/** Whether `text` is a counter as listings print it (`42`, `1651K`). */
export function isListingNumber(text: string): boolean {
  return NUMBER_RE.test(text);
}

/** The values a printed counter stands for; null if `text` is not a counter. */
export function parseListingNumber(text: string): CounterRange | null {
  const m = NUMBER_RE.exec(text);
  if (m === null) return null;
  const value = Number(m[1]);
  if (m[2] === undefined) return { low: value, high: value + 1, exact: true };
  let low = value;
  let high = value + 1;
  for (let level = SUFFIX_LEVEL[m[2]]; level >= 1; level--) {
    // n[level] = floor((n[level-1] + 500) / 1000), so n[level-1] lies in [1000n - 500, 1000n + 500).
    low = 1000 * low - 500;
    high = 1000 * high - 500;
    // A value was only divided again because it did not fit: above 99999 at the first step,
    // above 9999 at later ones.
    const min = level === 1 ? 100000 : 10000;
    if (low < min) low = min;
  }
  return { low, high, exact: false };
}

/** Counters from a printed packet and byte figure; null if either is not a counter. */
export function listingCounters(packets: string, bytes: string): Counters | null {
  const p = parseListingNumber(packets);
  const b = parseListingNumber(bytes);
  if (p === null || b === null) return null;
  if (p.exact && b.exact) return { packets: p.low, bytes: b.low, exact: true };
  return {
    packets: p.low,
    bytes: b.low,
    exact: false,
    packetsUpper: p.high,
    bytesUpper: b.high,
  };
}
