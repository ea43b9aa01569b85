import { Rng } from '../seed/random.js';

/** Latency statistics as the result JSON spells them (milliseconds). */
export interface LatencyStats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  samples: number;
}

/** A speedup: ratio of medians (before / after) with a confidence interval. */
export interface Speedup {
  ratio: number;
  ciLow: number;
  ciHigh: number;
}

/** Linear interpolation between order statistics (the "R-7" definition numpy and spreadsheets use). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((x, y) => x - y), 50);
}

export function summarize(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1)),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    samples: sorted.length,
  };
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  /** Seed of the resampling: the same samples give the same interval. */
  seed?: number;
}

export const defaultBootstrap = { resamples: 4000, confidence: 0.95, seed: 1 } as const;

/**
 * Speedup as the ratio of median latencies (before / after), with a percentile-bootstrap
 * confidence interval: both sample sets are resampled independently with replacement,
 * the ratio of medians is recomputed each time, and the interval is the central
 * `confidence` share of those ratios.
 *
 * Why this method: latencies are skewed and heavy-tailed, so medians (not means) and no
 * normality assumption; the two sides are independent measurements (interleaved rounds
 * keep drift out of the ratio); with few "before" samples the interval widens honestly
 * instead of pretending precision. Deterministic for a given seed.
 */
export function speedupWithInterval(before: readonly number[], after: readonly number[], options: BootstrapOptions = {}): Speedup | undefined {
  if (before.length === 0 || after.length === 0) return undefined;
  const resamples = options.resamples ?? defaultBootstrap.resamples;
  const confidence = options.confidence ?? defaultBootstrap.confidence;
  const rng = new Rng(options.seed ?? defaultBootstrap.seed);
  const ratio = median(before) / median(after);
  const ratios = new Float64Array(resamples);
  const a = new Float64Array(before.length);
  const b = new Float64Array(after.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < a.length; i++) a[i] = before[rng.int(before.length)] as number;
    for (let i = 0; i < b.length; i++) b[i] = after[rng.int(after.length)] as number;
    ratios[r] = sortedMedian(a) / sortedMedian(b);
  }
  ratios.sort();
  const tail = (1 - confidence) / 2;
  const sortedRatios = Array.from(ratios);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { ratio: round(ratio), ciLow: round(percentile(sortedRatios, tail * 100)), ciHigh: round(percentile(sortedRatios, (1 - tail) * 100)) };
}

function sortedMedian(values: Float64Array): number {
  values.sort();
  const mid = (values.length - 1) / 2;
  return ((values[Math.floor(mid)] as number) + (values[Math.ceil(mid)] as number)) / 2;
}
