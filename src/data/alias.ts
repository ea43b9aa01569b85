import type { Rng } from './random.js';

/**
 * Vose's alias method: after O(n) set-up, draws index i with probability
 * weights[i] / sum(weights) in O(1). Used to pick conversation members so that a few
 * "power users" land in thousands of conversations.
 */
export class AliasSampler {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasSampler needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i] ?? 0;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] ?? 0) * n) / total;
      ((scaled[i] ?? 0) < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] ?? 0;
      this.alias[s] = l;
      scaled[l] = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1;
      ((scaled[l] ?? 0) < 1 ? small : large).push(l);
    }
    for (const i of [...large, ...small]) this.probability[i] = 1;
  }

  get size(): number {
    return this.probability.length;
  }

  sample(rng: Rng): number {
    const i = rng.int(this.probability.length);
    return rng.next() < (this.probability[i] ?? 1) ? i : (this.alias[i] ?? i);
  }

  /** k distinct indices (k must be well below size). */
  sampleDistinct(rng: Rng, k: number): number[] {
    if (k > this.size) throw new Error(`cannot draw ${k} distinct of ${this.size}`);
    const chosen = new Set<number>();
    let attempts = 0;
    while (chosen.size < k) {
      chosen.add(this.sample(rng));
      // Heavy weights can make rejection slow near saturation: fall back to uniform.
      if (++attempts > k * 50) chosen.add(rng.int(this.size));
    }
    return [...chosen];
  }
}
