import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../src/model/ip.js';
import { PrefixPreservingMap } from '../../src/report/redact/prefix-preserving.js';

const key = Buffer.from('test key');

function commonPrefix(a: bigint, b: bigint, bits: number): number {
  let n = 0;
  for (let i = bits - 1; i >= 0; i--) {
    if (((a >> BigInt(i)) & 1n) !== ((b >> BigInt(i)) & 1n)) break;
    n++;
  }
  return n;
}

function map4(m: PrefixPreservingMap, text: string): string {
  const ip = parseIp(text);
  if (ip === null) throw new Error(text);
  return formatIp(4, m.map(4, ip.value));
}

const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

describe('prefix-preserving address map', () => {
  it('keeps exactly the common prefix of any two addresses (IPv4 and IPv6)', () => {
    const m = new PrefixPreservingMap(key);
    // Within one /8 always; across /8s except for the one block walked around loopback.
    const kept4 = (a: bigint, b: bigint): boolean =>
      commonPrefix(a, b, 32) < 8 && (m.isDetour(4, a) || m.isDetour(4, b));
    fc.assert(
      fc.property(v4, v4, (a, b) =>
        kept4(a, b) || a >> 24n === 127n || b >> 24n === 127n
          ? true
          : commonPrefix(m.map(4, a), m.map(4, b), 32) === commonPrefix(a, b, 32),
      ),
      { numRuns: 2000 },
    );
    // :: and ::1 are kept, and the one address whose image would be either is walked on.
    const kept6 = (a: bigint): boolean => a <= 1n || m.isDetour(6, a);
    fc.assert(
      fc.property(v6, v6, (a, b) =>
        kept6(a) || kept6(b)
          ? true
          : commonPrefix(m.map(6, a), m.map(6, b), 128) === commonPrefix(a, b, 128),
      ),
      { numRuns: 300 },
    );
  });

  it('walks the block that would land on loopback elsewhere, and keeps it a bijection there', () => {
    const m = new PrefixPreservingMap(key);
    let detour = -1n;
    for (let top = 0n; top < 256n; top++)
      if (top !== 127n && m.isDetour(4, top << 24n)) detour = top;
    expect(detour).toBeGreaterThanOrEqual(0n);
    const a = m.map(4, (detour << 24n) | 0x0a0b0cn);
    const b = m.map(4, (detour << 24n) | 0x0a0bffn);
    expect(a >> 24n).not.toBe(127n);
    expect(commonPrefix(a, b, 32)).toBe(commonPrefix(0x0a0b0cn, 0x0a0bffn, 24) + 8);
  });

  it('also for addresses that share long prefixes (same subnet)', () => {
    const m = new PrefixPreservingMap(key);
    fc.assert(
      fc.property(
        v4,
        fc.integer({ min: 0, max: 31 }),
        fc.bigInt({ min: 0n, max: 0xffffffffn }),
        (a, keep, noise) => {
          const mask = ((1n << 32n) - 1n) >> BigInt(keep);
          const b = (a & ~mask & 0xffffffffn) | (noise & mask);
          const outside = (x: bigint): boolean => x >> 24n === 127n || m.isDetour(4, x);
          if (keep < 8 && (outside(a) || outside(b))) return true;
          return commonPrefix(m.map(4, a), m.map(4, b), 32) === commonPrefix(a, b, 32);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is deterministic for a key and different for another key', () => {
    const a = new PrefixPreservingMap(key);
    const b = new PrefixPreservingMap(Buffer.from('test key'));
    const c = new PrefixPreservingMap(Buffer.from('other key'));
    const addresses = ['10.96.0.10', '10.244.1.5', '203.0.113.30', '8.8.8.8'];
    expect(addresses.map((x) => map4(a, x))).toEqual(addresses.map((x) => map4(b, x)));
    expect(addresses.map((x) => map4(a, x))).not.toEqual(addresses.map((x) => map4(c, x)));
  });

  it('keeps loopback whole and maps nothing else onto it', () => {
    const m = new PrefixPreservingMap(key);
    expect(map4(m, '127.0.0.1')).toBe('127.0.0.1');
    expect(map4(m, '127.53.1.2')).toBe('127.53.1.2');
    expect(map4(m, '10.244.1.5')).not.toBe('10.244.1.5');
    expect(formatIp(6, m.map(6, parseIp('::1')?.value ?? 0n))).toBe('::1');
    for (let top = 0n; top < 256n; top++) {
      if (top !== 127n) expect(m.map(4, (top << 24n) | 1n) >> 24n).not.toBe(127n);
    }
  });

  it('is a bijection on a sample: distinct addresses stay distinct', () => {
    const m = new PrefixPreservingMap(key);
    const seen = new Set<bigint>();
    for (let i = 0n; i < 4096n; i++) seen.add(m.map(4, 0x0af40000n + i));
    expect(seen.size).toBe(4096);
  });
});
