import { describe, expect, it } from 'vitest';
import { Rng } from '../../seed/random.js';
import { speedupBounds } from '../../src/timing/bounds.js';
import { percentile, summarize } from '../../src/timing/stats.js';

describe('statistics', () => {
  it('percentiles interpolate between order statistics (R-7)', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5.5);
    expect(percentile(sorted, 95)).toBeCloseTo(9.55);
    expect(percentile([7], 99)).toBe(7);
    expect(summarize([3, 1, 2])).toMatchObject({ p50: 2, min: 1, max: 3, mean: 2, samples: 3 });
  });

  it('the speedup interval contains the true ratio of medians and is deterministic', () => {
    const rng = new Rng(5);
    const before = Array.from({ length: 20 }, () => 1000 * rng.lognormal(1, 0.1));
    const after = Array.from({ length: 60 }, () => 50 * rng.lognormal(1, 0.2));
    const [s] = speedupBounds({ classes: [{ key: 'typical', before, after }] });
    expect(s?.state).toBe('measured');
    if (s?.state !== 'measured') return;
    expect(s.ciLow).toBeLessThan(20);
    expect(s.ciHigh).toBeGreaterThan(20);
    expect(s.ciLow).toBeLessThanOrEqual(s.ratio);
    expect(s.ratio).toBeLessThanOrEqual(s.ciHigh);
    expect(speedupBounds({ classes: [{ key: 'typical', before, after }] })[0]).toEqual(s);
  });

  it('few samples give a wide interval, not false precision', () => {
    const [narrow] = speedupBounds({
      classes: [{ key: 'a', before: [1000, 1010, 990, 1005, 995, 1002, 998, 1001], after: Array(40).fill(50) }],
    });
    const [wide] = speedupBounds({ classes: [{ key: 'a', before: [800, 1200, 1000], after: Array(40).fill(50) }] });
    if (narrow?.state !== 'measured' || wide?.state !== 'measured') throw new Error('expected two intervals');
    expect(wide.ciHigh - wide.ciLow).toBeGreaterThan((narrow.ciHigh - narrow.ciLow) * 3);
  });

  it('no samples on one side: no interval', () => {
    expect(speedupBounds({ classes: [{ key: 'a', before: [], after: [1, 2, 3, 4, 5] }] })[0]?.state).toBe('insufficient');
  });
});
