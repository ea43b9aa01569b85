import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../support/random.js';
import { judgeBudget, minSamplesForUpperBound, quantileBounds } from '../../src/timing/bounds.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Standard normal quantile (Acklam's rational approximation; plenty for a test's true quantile). */
function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

describe('quantile bounds (order statistics)', () => {
  it('10 samples cannot bound a p95 from above', () => {
    const b = quantileBounds(range(10), 0.95);
    expect(b.upper).toBeUndefined();
    expect(b.n).toBe(10);
    expect(b.estimate).toBeCloseTo(9.55);
    expect(b.method).toBe('order-statistic (binomial)');
    expect(b.confidence).toBe(0.975);
    expect(judgeBudget(b, 1000)).toBe('inconclusive');
  });

  it('59 samples bound a p95 from above at 95% by their maximum (1 − 0.95^59 ≥ 0.95), 58 do not', () => {
    const samples = range(59).reverse();
    expect(quantileBounds(samples, 0.95, 0.95).upper).toBe(59);
    expect(quantileBounds(range(58), 0.95, 0.95).upper).toBeUndefined();
    expect(minSamplesForUpperBound(0.95, 0.95)).toBe(59);
  });

  it('median bounds for 15 samples are x(4) and x(12) at 97.5% each', () => {
    // P(Bin(15, 0.5) ≤ 3) = 0.01758 ≤ 0.025 < P(Bin ≤ 4) = 0.05923: lower = x(4), upper = x(12) by symmetry.
    const b = quantileBounds(
      range(15).map((k) => k * 10),
      0.5,
    );
    expect(b.lower).toBe(40);
    expect(b.upper).toBe(120);
    expect(b.estimate).toBe(80);
  });

  it('minSamplesForUpperBound follows the binomial: 1 − qⁿ ≥ confidence', () => {
    expect(minSamplesForUpperBound(0.95, 0.975)).toBe(72);
    expect(minSamplesForUpperBound(0.5, 0.975)).toBe(6);
    expect(minSamplesForUpperBound(0.99, 0.975)).toBe(368);
    for (const [q, c] of [
      [0.5, 0.975],
      [0.9, 0.95],
      [0.95, 0.975],
    ] as const) {
      const n = minSamplesForUpperBound(q, c);
      expect(quantileBounds(range(n), q, c).upper).toBe(n);
      expect(quantileBounds(range(n - 1), q, c).upper).toBeUndefined();
    }
  });

  it('no samples: an estimate of NaN and no bounds', () => {
    const b = quantileBounds([], 0.5);
    expect(b.n).toBe(0);
    expect(b.estimate).toBeNaN();
    expect(b.lower).toBeUndefined();
    expect(b.upper).toBeUndefined();
  });

  it('judgeBudget: pass, fail, inconclusive', () => {
    const b = quantileBounds(
      range(15).map((k) => k * 10),
      0.5,
    ); // lower 40, upper 120
    expect(judgeBudget(b, 120)).toBe('pass');
    expect(judgeBudget(b, 39)).toBe('fail');
    expect(judgeBudget(b, 40)).toBe('inconclusive');
    expect(judgeBudget(b, 100)).toBe('inconclusive');
    expect(judgeBudget({}, 100)).toBe('inconclusive');
  });

  it('rejects q or confidence outside (0, 1)', () => {
    expect(() => quantileBounds([1, 2], 1)).toThrow(RangeError);
    expect(() => quantileBounds([1, 2], 0.5, 0)).toThrow(RangeError);
  });

  // Each bound misses the true quantile with probability at most 1 − 0.975 = 0.025.
  const datasets = 4000;
  const tolerance = 0.01; // ≈ 3 binomial standard errors at 4,000 datasets
  for (const q of [0.5, 0.9]) {
    for (const n of [10, 15, 30, 60]) {
      it(`simulation: lognormal, q=${q}, n=${n}: each bound misses the true quantile ≤ 2.5% (+${tolerance})`, () => {
        const draw = normal(mulberry32(1000 * n + Math.round(q * 100)));
        const mu = Math.log(200);
        const sigma = 0.4;
        const truth = Math.exp(mu + sigma * normalQuantile(q));
        let upperMiss = 0;
        let lowerMiss = 0;
        let upperDefined = 0;
        let lowerDefined = 0;
        for (let i = 0; i < datasets; i++) {
          const samples = Array.from({ length: n }, () => Math.exp(mu + sigma * draw()));
          const b = quantileBounds(samples, q);
          if (b.upper !== undefined) {
            upperDefined++;
            if (b.upper < truth) upperMiss++;
          }
          if (b.lower !== undefined) {
            lowerDefined++;
            if (b.lower > truth) lowerMiss++;
          }
        }
        console.log(
          `q=${q} n=${n}: P(upper < truth)=${(upperMiss / datasets).toFixed(4)} (upper defined ${upperDefined}/${datasets}), P(lower > truth)=${(lowerMiss / datasets).toFixed(4)} (lower defined ${lowerDefined}/${datasets})`,
        );
        // An absent bound claims nothing, so it cannot miss.
        expect(upperMiss / datasets).toBeLessThanOrEqual(0.025 + tolerance);
        expect(lowerMiss / datasets).toBeLessThanOrEqual(0.025 + tolerance);
        // The upper bound of a p90 needs 1 − 0.9ⁿ ≥ 0.975, i.e. n ≥ 36.
        expect(upperDefined).toBe(q === 0.9 && n < 36 ? 0 : datasets);
      });
    }
  }
});
