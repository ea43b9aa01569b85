import { describe, expect, it } from 'vitest';
import { eDivisive } from '../../src/history/changepoints.js';
import { mulberry32, normal } from '../support/random.js';

/** E-Divisive means on plain series: the statistic, the recursion and the permutation test. */

const options = { permutations: 199, alpha: 0.05, minSegment: 3, seed: 1 };

/** q̂(τ, κ) as Matteson & James write it, summed naively. */
function qhat(x: readonly number[], a: number, tau: number, kappa: number): number {
  const X = x.slice(a, tau);
  const Y = x.slice(tau, kappa);
  const m = X.length;
  const k = Y.length;
  let between = 0;
  for (const u of X) for (const v of Y) between += Math.abs(u - v);
  const within = (z: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < z.length; i++) for (let j = i + 1; j < z.length; j++) sum += Math.abs((z[i] as number) - (z[j] as number));
    return sum / ((z.length * (z.length - 1)) / 2);
  };
  return ((m * k) / (m + k)) * ((2 * between) / (m * k) - within(X) - within(Y));
}

/** The hierarchical search with naive sums, every split accepted (what alpha = 1 leaves of the test). */
function naiveCuts(x: readonly number[], minSegment: number): number[] {
  const cuts: number[] = [];
  for (;;) {
    const bounds = [0, ...cuts, x.length];
    let best = { tau: -1, q: Number.NEGATIVE_INFINITY };
    for (let s = 0; s + 1 < bounds.length; s++) {
      const a = bounds[s] as number;
      const b = bounds[s + 1] as number;
      for (let kappa = a + 2 * minSegment; kappa <= b; kappa++) {
        for (let tau = a + minSegment; tau <= kappa - minSegment; tau++) {
          const q = qhat(x, a, tau, kappa);
          if (q > best.q) best = { tau, q };
        }
      }
    }
    if (best.tau < 0) return cuts;
    cuts.push(best.tau);
    cuts.sort((p, q) => p - q);
  }
}

const noisy = (levels: readonly number[], seed: number, sd = 0.03) => {
  const draw = normal(mulberry32(seed));
  return levels.map((level) => level + sd * draw());
};
const steps = (...parts: ReadonlyArray<[level: number, count: number]>) =>
  parts.flatMap(([level, count]) => Array<number>(count).fill(level));

describe('E-Divisive means', () => {
  it('cuts where the naive q̂ over every segment, τ and κ is largest', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const x = noisy(Array<number>(24).fill(0), seed);
      expect(
        eDivisive(x, { ...options, alpha: 1, permutations: 1 }).map((c) => c.index),
        `seed ${seed}`,
      ).toEqual(naiveCuts(x, 3));
    }
  });

  it('finds each level of a staircase, and a level that comes and goes', () => {
    expect(eDivisive(noisy(steps([0, 20], [0.2, 20], [0.4, 20]), 2), options).map((c) => c.index)).toEqual([20, 40]);
    expect(eDivisive(noisy(steps([0, 15], [0.12, 15], [0, 15]), 3), options).map((c) => c.index)).toEqual([15, 30]);
  });

  it('reports the permutation p-value of each cut: 1 / (R + 1) for a step no shuffle matches', () => {
    const found = eDivisive(noisy(steps([0, 20], [0.2, 20]), 4), options);
    expect(found).toHaveLength(1);
    expect(found[0]?.pValue).toBeCloseTo(1 / 200, 9);
  });

  it('finds nothing in a constant series, nor in one shorter than two segments', () => {
    expect(eDivisive(Array<number>(30).fill(1), options)).toEqual([]);
    expect(eDivisive([0, 0, 1, 1, 1], options)).toEqual([]);
    expect(eDivisive([], options)).toEqual([]);
  });

  it('keeps every segment at least minSegment long', () => {
    const x = noisy(steps([0, 20], [1, 2]), 5);
    expect(eDivisive(x, { ...options, minSegment: 3 }).every((c) => c.index >= 3 && c.index <= x.length - 3)).toBe(true);
    expect(eDivisive(x, { ...options, minSegment: 2 }).map((c) => c.index)).toEqual([20]);
  });

  it('gives the same answer for the same series and seed', () => {
    const x = noisy(steps([0, 25], [0.04, 25]), 6);
    const first = eDivisive(x, options);
    expect(eDivisive(x, options)).toEqual(first);
  });
});
