import { describe, expect, it } from 'vitest';
import { listingCounters, parseListingNumber } from '../../src/parse/listing-counters.js';

/** Exact value → what `iptables -nvL` 1.8.9 printed for it (fixtures/listings/option-coverage). */
const MEASURED: readonly [number, string][] = [
  [99999, '99999'],
  [123999, '124K'],
  [123499, '123K'],
  [100500, '101K'],
  [100000, '100K'],
  [100499, '100K'],
  [3000000, '3000K'],
  [9999499, '9999K'],
  [9999500, '10M'],
  [9999999, '10M'],
  [10000000, '10M'],
  [2000000000, '2000M'],
  [3386000000, '3386M'],
  [9999500000, '10G'],
  [9999499999, '10G'],
  [2827000000000, '2827G'],
  [12345678901234, '12T'],
  [999999999999999, '1000T'],
];

describe('listing counters', () => {
  it('reads exact numbers as exact', () => {
    expect(parseListingNumber('0')).toEqual({ low: 0, high: 1, exact: true });
    expect(parseListingNumber('99999')).toEqual({ low: 99999, high: 100000, exact: true });
    expect(parseListingNumber('12K3')).toBeNull();
    expect(parseListingNumber('')).toBeNull();
  });

  it.each(MEASURED)('%d printed as %s lies in the range read back', (value, printed) => {
    const r = parseListingNumber(printed)!;
    expect(value).toBeGreaterThanOrEqual(r.low);
    expect(value).toBeLessThan(r.high);
  });

  it('gives tight ranges: rounding half up at each step, and only values that needed a suffix', () => {
    expect(parseListingNumber('124K')).toEqual({ low: 123500, high: 124500, exact: false });
    // 100K: values below 100000 print exactly, so the range starts there.
    expect(parseListingNumber('100K')).toEqual({ low: 100000, high: 100500, exact: false });
    // 10M: n1 = round(n/1000) must exceed 9999, so n >= 9999500.
    expect(parseListingNumber('10M')).toEqual({ low: 9999500, high: 10499500, exact: false });
  });

  it('combines packets and bytes, with upper bounds when either is rounded', () => {
    expect(listingCounters('5', '300')).toEqual({ packets: 5, bytes: 300, exact: true });
    expect(listingCounters('99999', '101K')).toEqual({
      packets: 99999,
      bytes: 100500,
      exact: false,
      packetsUpper: 100000,
      bytesUpper: 101500,
    });
    expect(listingCounters('x', '1')).toBeNull();
  });
});
