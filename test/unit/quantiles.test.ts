import { describe, expect, it } from 'vitest';
import { Rng } from '../../seed/random.js';
import { profileProbabilities, QuantileFunction, quantilesOf, stratifiedDraws } from '../../src/data/quantiles.js';

/** numpy's default ("linear", R type 7) quantile of sorted values, written out. */
function type7(sorted: readonly number[], p: number): number {
  const h = p * (sorted.length - 1);
  const lo = Math.floor(h);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? 0;
  return a + (h - lo) * (b - a);
}

/** A heavy-tailed count, like messages per conversation: a log-normal rounded down. */
function heavyCounts(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.floor(rng.lognormal(4, 1.5)));
}

describe('quantiles of a count distribution', () => {
  it('are the type-7 quantiles of the values, with their number and sum', () => {
    const values = heavyCounts(5_001, 1);
    const sorted = [...values].sort((a, b) => a - b);
    const q = quantilesOf(values);
    expect(q.n).toBe(5_001);
    expect(q.sum).toBe(values.reduce((a, b) => a + b, 0));
    profileProbabilities.forEach((p, i) => expect(q.q[i]).toBeCloseTo(type7(sorted, p), 9));
  });

  it('of nothing are zeros', () => {
    expect(quantilesOf([])).toEqual({ n: 0, sum: 0, q: profileProbabilities.map(() => 0) });
  });
});

describe('draws fitted to quantiles', () => {
  it('reproduce every quantile within 1% and the total exactly, for a heavy tail the straight-line fit overshoots', () => {
    const profiled = quantilesOf(heavyCounts(20_000, 2));
    const draws = stratifiedDraws(profiled, 20_000);
    const seeded = quantilesOf(draws);
    expect(seeded.sum).toBe(profiled.sum);
    profiledPoints(profiled.q).forEach(([i, v]) => expect(Math.abs((seeded.q[i] ?? 0) - v)).toBeLessThanOrEqual(Math.max(1, v * 0.01)));
    // Straight segments (γ = 1) would add more than the profile's total: the curvature is doing the work.
    const straight = new QuantileFunction(profiled, 1);
    let total = 0;
    for (let k = 0; k < 20_000; k++) total += straight.at(k / 19_999);
    expect(total).toBeGreaterThan(profiled.sum * 1.05);
  });

  it('at a tenth of the size keep the quantiles and a tenth of the total', () => {
    const profiled = quantilesOf(heavyCounts(20_000, 3));
    const draws = stratifiedDraws(profiled, 2_000);
    const seeded = quantilesOf(draws);
    expect(Math.abs(seeded.sum - profiled.sum / 10)).toBeLessThanOrEqual(1);
    for (const i of [3, 10, 18])
      expect(Math.abs((seeded.q[i] ?? 0) - (profiled.q[i] ?? 0))).toBeLessThanOrEqual(Math.max(1, (profiled.q[i] ?? 0) * 0.05));
  });

  it('taken below a ceiling carry the total asked for', () => {
    const profiled = quantilesOf(heavyCounts(4_000, 4));
    const draws = stratifiedDraws(profiled, 4_000, { take: 3_980, ceiling: 500, total: profiled.sum * 0.8 });
    expect(draws).toHaveLength(3_980);
    expect(Math.max(...draws)).toBeLessThanOrEqual(500);
    expect(Math.abs(draws.reduce((a, b) => a + b, 0) - profiled.sum * 0.8)).toBeLessThanOrEqual(1);
  });
});

const profiledPoints = (q: readonly number[]) => q.map((v, i) => [i, v] as const);
