/**
 * A map from pieces of the text being read to values, keyed by the characters of the piece
 * without cutting it out as a string.
 *
 * The rule builder shares match and target objects (and addresses) between rules whose source
 * text is identical. Keyed by strings, every lookup would first slice the key out of the input
 * (a new string for V8 to hash, and to keep alive while the map holds it); on a million-line
 * dump that is millions of strings, most of them unique, and a large part of the reader's time
 * and garbage. Here a key is its offset and length in the text, with a hash computed from its
 * characters; a lookup compares characters of the text directly.
 *
 * All keys of one table refer to one text: `clear()` before reading another input.
 */
const INITIAL_CAPACITY = 1024;

export class SpanTable<V> {
  private text = '';
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private starts = new Int32Array(INITIAL_CAPACITY);
  private lengths = new Int32Array(INITIAL_CAPACITY);
  private values: (V | undefined)[] = new Array<V | undefined>(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  /** At `limit` entries the table starts over (only hostile input has that many shapes). */
  constructor(private readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.text = '';
    this.hashes = new Int32Array(INITIAL_CAPACITY);
    this.starts = new Int32Array(INITIAL_CAPACITY);
    this.lengths = new Int32Array(INITIAL_CAPACITY);
    this.values = new Array<V | undefined>(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.count = 0;
  }

  /** FNV-1a over the UTF-16 code units of text[start..end); never 0 (0 marks a free slot). */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h === 0 ? 1 : h;
  }

  /** The value stored for the characters of text[start..end) (`hash` from SpanTable.hash). */
  get(text: string, start: number, end: number, hash: number): V | undefined {
    if (this.count === 0) return undefined;
    return this.values[this.find(text, start, end, hash)];
  }

  /** Stores `value` for the characters of text[start..end). */
  set(text: string, start: number, end: number, hash: number, value: V): void {
    if (this.count >= this.limit) this.clear();
    if (this.count === 0) this.text = text;
    else if (text.length !== this.text.length) {
      // Another input without a clear(): its offsets mean nothing against the stored text.
      this.clear();
      this.text = text;
    }
    if ((this.count + 1) * 2 > this.hashes.length) this.grow();
    const slot = this.find(text, start, end, hash);
    if (this.hashes[slot] === 0) {
      this.hashes[slot] = hash;
      this.starts[slot] = start;
      this.lengths[slot] = end - start;
      this.count++;
    }
    this.values[slot] = value;
  }

  /** The slot holding these characters, or the free slot where they would go. */
  private find(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const stored = this.text;
    let slot = hash & this.mask;
    for (;;) {
      const h = this.hashes[slot];
      if (h === 0) return slot;
      if (h === hash && this.lengths[slot] === length) {
        const from = this.starts[slot];
        let k = 0;
        while (k < length && stored.charCodeAt(from + k) === text.charCodeAt(start + k)) k++;
        if (k === length) return slot;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hashes, starts, lengths, values } = this;
    const capacity = hashes.length * 2;
    this.hashes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (h === 0) continue;
      let slot = h & this.mask;
      while (this.hashes[slot] !== 0) slot = (slot + 1) & this.mask;
      this.hashes[slot] = h;
      this.starts[slot] = starts[i];
      this.lengths[slot] = lengths[i];
      this.values[slot] = values[i];
    }
  }
}
