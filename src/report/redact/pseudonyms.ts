/**
 * Keyed pseudonyms for names: the same name (of the same kind) always gets the same pseudonym
 * under the same key, different names get different ones (a clash lengthens the later one), and
 * nothing about the name can be read from it without the key.
 */
import { createHmac } from 'node:crypto';
import { base32 } from '../../kube/naming.js';

/** Base32 (lower case) of the HMAC of `kind\0value`: plenty of characters to draw from. */
export function keyedDigest(key: Buffer, kind: string, value: string): string {
  return base32(createHmac('sha256', key).update(`${kind}\0${value}`).digest()).toLowerCase();
}

export class Pseudonyms {
  private readonly byKind = new Map<string, Map<string, string>>();
  private readonly taken = new Set<string>();
  /** Grows with every new pseudonym, so callers can tell when cached views are stale. */
  version = 0;

  constructor(private readonly key: Buffer) {}

  private kindMap(kind: string): Map<string, string> {
    let map = this.byKind.get(kind);
    if (map === undefined) {
      map = new Map();
      this.byKind.set(kind, map);
    }
    return map;
  }

  /**
   * The pseudonym of `value`: `make(digest)` shapes it (prefix, case, length) from a keyed
   * digest; `length` characters of the digest are used, more if that clashes.
   */
  of(kind: string, value: string, make: (digest: string) => string, length = 6): string {
    const map = this.kindMap(kind);
    const known = map.get(value);
    if (known !== undefined) return known;
    const digest = keyedDigest(this.key, kind, value);
    let n = length;
    let name = make(digest.slice(0, n));
    while (this.taken.has(`${kind}\0${name}`) && n < digest.length) {
      n += 2;
      name = make(digest.slice(0, n));
    }
    map.set(value, name);
    this.taken.add(`${kind}\0${name}`);
    this.version++;
    return name;
  }

  /** The pseudonym already given to `value`, if any. */
  lookup(kind: string, value: string): string | undefined {
    return this.byKind.get(kind)?.get(value);
  }

  /** Every original value of `kind` seen so far. */
  originals(kind: string): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])];
  }
}
