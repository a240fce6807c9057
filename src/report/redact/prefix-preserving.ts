/**
 * Prefix-preserving address pseudonyms, in the manner of Crypto-PAn (Xu, Fan, Ammar, Moon 2002):
 * bit i of the output is bit i of the input XOR a keyed pseudo-random function of the first i
 * input bits. Two addresses that share their first k bits map to two that share exactly their
 * first k bits, so prefix lengths, "same subnet" and "inside that CIDR" survive, and the mapping
 * is a bijection (each family on its own). HMAC-SHA256 is the pseudo-random function.
 *
 * Loopback (127.0.0.0/8, ::1) and :: are kept: they mean the same on every node. The one
 * /8 (or single IPv6 address) whose image would land there is walked on through the mapping
 * until it leaves (cycle walking), which keeps the whole a bijection; prefix relations inside
 * that block survive, only its relation to other /8s changes.
 *
 * No address class is kept on purpose (a private range may map to a public-looking one): every
 * bit is keyed, so a network's value is hidden as well as its length allows (a /16 network has
 * 16 keyed bits; that it maps to itself has odds of 1 in 65536).
 */
import { createHmac } from 'node:crypto';
import type { IpFamily } from '../../model/ip.js';

function isKept(family: IpFamily, value: bigint): boolean {
  if (family === 4) return value >> 24n === 127n;
  return value === 0n || value === 1n;
}

function bitsOf(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** The first `n` bits of `value` (an address of `bits` bits), as a number of n bits. */
function topBits(value: bigint, bits: number, n: number): bigint {
  return n === 0 ? 0n : value >> BigInt(bits - n);
}

export class PrefixPreservingMap {
  /** Per family, per bit position: prefix → flip bit (prefixes repeat across addresses). */
  private readonly flips: Record<IpFamily, Map<bigint, number>[]> = {
    4: Array.from({ length: 32 }, () => new Map()),
    6: Array.from({ length: 128 }, () => new Map()),
  };
  private readonly results: Record<IpFamily, Map<bigint, bigint>> = { 4: new Map(), 6: new Map() };

  constructor(private readonly key: Buffer) {}

  private flip(family: IpFamily, i: number, prefix: bigint): number {
    const level = this.flips[family][i];
    let bit = level.get(prefix);
    if (bit === undefined) {
      const id = `${family}:${i}:${prefix.toString(16)}`;
      bit = createHmac('sha256', this.key).update(`addr\0${id}`).digest()[0] & 1;
      level.set(prefix, bit);
    }
    return bit;
  }

  /**
   * Whether `value` is in the block whose plain image is loopback and that is therefore walked
   * on; its prefix relations to addresses outside its /8 (one address, for IPv6) are not kept.
   */
  isDetour(family: IpFamily, value: bigint): boolean {
    return !isKept(family, value) && isKept(family, this.permute(family, value));
  }

  map(family: IpFamily, value: bigint): bigint {
    if (isKept(family, value)) return value;
    const known = this.results[family].get(value);
    if (known !== undefined) return known;
    let out = this.permute(family, value);
    // Cycle walking: the cycle through `value` leaves the kept block again (it started outside).
    while (isKept(family, out)) out = this.permute(family, out);
    this.results[family].set(value, out);
    return out;
  }

  private permute(family: IpFamily, value: bigint): bigint {
    const bits = bitsOf(family);
    let out = 0n;
    for (let i = 0; i < bits; i++) {
      const prefix = topBits(value, bits, i);
      const bit = Number((value >> BigInt(bits - 1 - i)) & 1n);
      out = (out << 1n) | BigInt(bit ^ this.flip(family, i, prefix));
    }
    return out;
  }
}
