/**
 * Deterministic randomness for the seeders (the built-in application's and the schema engine's). Every entity (a user, a conversation, its
 * message timeline) draws from its own small generator keyed by (dataset seed, stream,
 * index), so any entity can be recomputed on its own and the data never depends on the
 * clock, on Math.random or on the order in which batches reach the server.
 */

/** 32-bit integer hash of a list of 32-bit values (murmur3-style finaliser). */
export function hash32(...parts: readonly number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  for (const part of parts) {
    // Split into two 32-bit halves so that seeds above 2^32 still matter.
    for (const word of [part >>> 0, Math.floor(part / 0x1_0000_0000) >>> 0]) {
      let k = Math.imul(word, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: small, fast, passes PractRand; plenty for synthetic data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = hash32(seed, 1);
    this.b = hash32(seed, 2);
    this.c = hash32(seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A generator for one entity of one stream. */
  static for(seed: number, stream: number, index: number): Rng {
    return new Rng(hash32(seed, stream, index));
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffles `values[from..]` in place (Fisher–Yates, from the end). */
  shuffle(values: Uint8Array | Int32Array | Float64Array, from = 0): void {
    for (let i = values.length - 1; i > from; i--) {
      const j = from + this.int(i - from + 1);
      const swap = values[i] as number;
      values[i] = values[j] as number;
      values[j] = swap;
    }
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks a key of `weights` with probability proportional to its value. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let total = 0;
    for (const [, w] of entries) total += w;
    let x = this.next() * total;
    for (const [key, w] of entries) {
      x -= w;
      if (x < 0) return key;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from no weights');
    return last[0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape: heavy right tail for sigma ≳ 1. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Number of failures before the first success, success probability p. */
  geometric(p: number): number {
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }
}
