import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../support/random.js';
import { judgeAgainst, type SpeedupBound, speedupBounds } from '../../src/timing/bounds.js';

// Three user classes: true before medians (ms) and true speedups (ratio of medians).
const truth = [
  { key: 'light', beforeMedian: 8000, speedup: 16 },
  { key: 'typical', beforeMedian: 11000, speedup: 28 },
  { key: 'heavy', beforeMedian: 11000, speedup: 20 },
] as const;

interface Config {
  beforeSd: readonly [number, number, number];
  afterSd: number;
  beforeN: readonly [number, number, number];
  afterN: number;
}

interface Coverage {
  measured: number;
  insufficient: number;
  lowCovered: number;
  highCovered: number;
  /** Per class: [lower covered, upper covered, measured]. */
  perClass: [number, number, number][];
}

function simulate(config: Config, datasets: number, seed: number): Coverage {
  const draw = normal(mulberry32(seed));
  const out: Coverage = { measured: 0, insufficient: 0, lowCovered: 0, highCovered: 0, perClass: truth.map(() => [0, 0, 0]) };
  for (let i = 0; i < datasets; i++) {
    const classes = truth.map((t, j) => {
      const sdB = config.beforeSd[j] ?? 0;
      const nB = config.beforeN[j] ?? 0;
      const afterMedian = t.beforeMedian / t.speedup;
      return {
        key: t.key,
        before: Array.from({ length: nB }, () => t.beforeMedian * Math.exp(sdB * draw())),
        after: Array.from({ length: config.afterN }, () => afterMedian * Math.exp(config.afterSd * draw())),
      };
    });
    speedupBounds({ classes }).forEach((b, j) => {
      const cls = out.perClass[j] as [number, number, number];
      if (b.state !== 'measured') {
        out.insufficient++;
        return;
      }
      const s = truth[j]?.speedup ?? Number.NaN;
      out.measured++;
      cls[2]++;
      if (b.ciLow <= s) {
        out.lowCovered++;
        cls[0]++;
      }
      if (b.ciHigh >= s) {
        out.highCovered++;
        cls[1]++;
      }
    });
  }
  return out;
}

const datasets = 4000;

/*
 * What the simulation shows (4,000 datasets × 3 classes per configuration). With the
 * Welch–Satterthwaite degrees of freedom the coverage was 0.958–0.977 at 2–3 pooled before
 * degrees of freedom (they are themselves estimated, and run high exactly when s_p² comes
 * out small by chance); with the conservative ν = min(df_b, m − 1) that bounds.ts uses, the
 * one-sided coverage is at least 0.97 at the nominal 0.975 in every configuration the
 * timing plan can produce (df_b ≥ 2), which is what is asserted here.
 */
const minCoverage = (_dfBefore: number): number => 0.97;
const sds = [0.05, 0.15, 0.3] as const;
const beforeNs: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [2, 2, 2],
  [3, 3, 3],
  [2, 1, 2],
];
const afterNs = [10, 20] as const;

describe('speedup bounds: log-scale Welch, before variance pooled across classes', () => {
  it('the ratio is exp(mean log before − mean log after): a hand example', () => {
    // Geometric means: before ∛(100·400·200) = 200, after ⁵√(4·16·4·16·8) = 8 → 25.
    const [b] = speedupBounds({ classes: [{ key: 'a', before: [100, 400, 200], after: [4, 16, 4, 16, 8] }] });
    expect(b?.state).toBe('measured');
    if (b?.state !== 'measured') return;
    expect(b.ratio).toBe(25);
    expect(b.method).toBe('log-welch-pooled-before-conservative-df');
    expect(b.confidence).toBe(0.975);
    expect(b.beforeSamples).toBe(3);
    expect(b.afterSamples).toBe(5);
    expect(b.ciLow).toBeLessThan(25);
    expect(b.ciHigh).toBeGreaterThan(25);
    // Symmetric on the log scale: ciLow · ciHigh ≈ ratio² (up to the outward 2-decimal rounding of a small ciLow).
    expect((b.ciLow * b.ciHigh) / 625).toBeCloseTo(1, 1);
  });

  it('a hand example of the interval: pooled before variance and Welch degrees of freedom', () => {
    // Before logs: class a {ln 100, ln 400}, class b {ln 200, ln 800}: s² = (ln 4)²/2 in each, pooled alike, df_b = 2.
    // After constant → s_a² = 0, SE² = s_p²/2, ν = df_b = 2, t_{0.975,2} = 4.302653.
    const after = Array<number>(5).fill(10);
    const bounds = speedupBounds({
      classes: [
        { key: 'a', before: [100, 400], after },
        { key: 'b', before: [200, 800], after },
      ],
    });
    const a = bounds[0];
    if (a?.state !== 'measured') throw new Error('expected an interval');
    expect(a.df).toBeCloseTo(2, 6);
    const se = Math.sqrt(Math.log(4) ** 2 / 2 / 2);
    expect(a.ratio).toBe(20);
    expect(a.ciLow).toBeCloseTo(20 * Math.exp(-4.302653 * se), 1);
    expect(a.ciHigh).toBeCloseTo(20 * Math.exp(4.302653 * se), 0);
  });

  it('insufficient: one before sample per class, too few after samples, bad or missing samples', () => {
    const after = [10, 11, 9, 10, 12];
    const ones = speedupBounds({
      classes: [
        { key: 'a', before: [100], after },
        { key: 'b', before: [200], after },
      ],
    });
    for (const b of ones) {
      expect(b.state).toBe('insufficient');
      if (b.state !== 'insufficient') continue;
      expect(b.reason).toMatch(/0 degree\(s\) of freedom, at least 2 needed/);
      expect(b.ratio).toBeGreaterThan(0); // the point estimate is still there
    }
    const [fewAfter] = speedupBounds({ classes: [{ key: 'a', before: [100, 110, 90], after: [10, 11, 9] }] });
    expect(fewAfter).toMatchObject({ state: 'insufficient', ratio: 10, reason: '3 after sample(s), at least 5 needed' });
    const [zero] = speedupBounds({ classes: [{ key: 'a', before: [100, 0, 90], after }] });
    expect(zero).toMatchObject({ state: 'insufficient', reason: 'a before sample is zero, negative or not finite' });
    expect(zero && 'ratio' in zero).toBe(false);
    const [nan] = speedupBounds({ classes: [{ key: 'a', before: [100, 110, 90], after: [...after, Number.NaN] }] });
    expect(nan).toMatchObject({ state: 'insufficient', reason: 'a after sample is zero, negative or not finite' });
    const [none] = speedupBounds({ classes: [{ key: 'a', before: [], after }] });
    expect(none).toMatchObject({ state: 'insufficient', reason: 'no before samples', beforeSamples: 0, afterSamples: 5 });
    // A class with one before sample is measured once the others give the pooled degrees of freedom.
    const mixed = speedupBounds({
      classes: [
        { key: 'a', before: [100, 120], after },
        { key: 'b', before: [200], after },
        { key: 'c', before: [90, 100], after },
      ],
    });
    expect(mixed.map((b) => b.state)).toEqual(['measured', 'measured', 'measured']);
  });

  it('judgeAgainst: pass, fail, inconclusive', () => {
    const measured: SpeedupBound = {
      state: 'measured',
      key: 'a',
      ratio: 20,
      ciLow: 15,
      ciHigh: 25,
      method: 'log-welch-pooled-before-conservative-df',
      confidence: 0.975,
      beforeSamples: 3,
      afterSamples: 20,
      df: 4,
    };
    expect(judgeAgainst(measured, 15)).toBe('pass');
    expect(judgeAgainst(measured, 10)).toBe('pass');
    expect(judgeAgainst(measured, 30)).toBe('fail');
    expect(judgeAgainst(measured, 25)).toBe('inconclusive');
    expect(judgeAgainst(measured, 20)).toBe('inconclusive');
    const insufficient: SpeedupBound = { state: 'insufficient', key: 'a', ratio: 100, beforeSamples: 1, afterSamples: 20, reason: 'x' };
    expect(judgeAgainst(insufficient, 1)).toBe('inconclusive');
  });

  describe(`simulation: ${datasets} datasets per configuration, 3 classes, lognormal latencies`, () => {
    let seed = 1;
    for (const beforeSd of sds) {
      for (const afterSd of sds) {
        for (const beforeN of beforeNs) {
          for (const afterN of afterNs) {
            const config: Config = { beforeSd: [beforeSd, beforeSd, beforeSd], afterSd, beforeN, afterN };
            const thisSeed = seed++;
            const name = `before sd ${beforeSd}, after sd ${afterSd}, before n ${beforeN.join('/')}, after n ${afterN}`;
            if (beforeN.every((n) => n === 1)) {
              it(`${name}: df_b = 0, every class insufficient`, () => {
                const c = simulate(config, 50, thisSeed);
                expect(c.measured).toBe(0);
                expect(c.insufficient).toBe(150);
              });
              continue;
            }
            const dfBefore = beforeN.reduce((sum, n) => sum + n - 1, 0);
            const floor = minCoverage(dfBefore);
            it(`${name} (df_b ${dfBefore}): each one-sided bound covers the true speedup ≥ ${floor}`, () => {
              const c = simulate(config, datasets, thisSeed);
              const low = c.lowCovered / c.measured;
              const high = c.highCovered / c.measured;
              console.log(`coverage ${name} (df_b ${dfBefore}): lower ${low.toFixed(4)}, upper ${high.toFixed(4)}`);
              expect(c.measured).toBe(3 * datasets);
              expect(low).toBeGreaterThanOrEqual(floor);
              expect(high).toBeGreaterThanOrEqual(floor);
            });
          }
        }
      }
    }

    // The pooling assumption is violated here: s_p ≈ 0.22 understates the heavy class's 0.3 and
    // overstates the light class's 0.1. Pooled over the classes the coverage still holds ≥ 0.95
    // (measured ≈ 0.966 / 0.968), but per class it is ≈ 0.997 (sd 0.1), ≈ 0.973 (sd 0.2) and only
    // ≈ 0.928 (sd 0.3): the noisiest class's bounds are too narrow. Asserted: ≥ 0.95 overall, ≥ 0.90 for the heavy class.
    it('unequal before log-sd across classes (0.1, 0.2, 0.3): coverage ≥ 0.95 overall, below nominal for the sd-0.3 class (assumption broken)', () => {
      const c = simulate({ beforeSd: [0.1, 0.2, 0.3], afterSd: 0.15, beforeN: [3, 3, 3], afterN: 20 }, datasets, 9001);
      const low = c.lowCovered / c.measured;
      const high = c.highCovered / c.measured;
      const perClass = c.perClass.map(
        ([l, h, m], j) => `${truth[j]?.key} (sd ${[0.1, 0.2, 0.3][j]}): lower ${(l / m).toFixed(4)}, upper ${(h / m).toFixed(4)}`,
      );
      console.log(`coverage unequal before sd: lower ${low.toFixed(4)}, upper ${high.toFixed(4)}; ${perClass.join('; ')}`);
      expect(low).toBeGreaterThanOrEqual(0.95);
      expect(high).toBeGreaterThanOrEqual(0.95);
      const [heavyLow, heavyHigh, heavyMeasured] = c.perClass[2] ?? [0, 0, 1];
      expect(heavyLow / heavyMeasured).toBeGreaterThanOrEqual(0.9);
      expect(heavyLow / heavyMeasured).toBeLessThan(0.95);
      expect(heavyHigh / heavyMeasured).toBeGreaterThanOrEqual(0.9);
    });
  });
});
