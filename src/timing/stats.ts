import { createRequire } from 'node:module';
import type studentTQuantile from '@stdlib/stats-base-dists-t-quantile';

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

/**
 * A speedup (before / after) with its interval: present only where the samples support
 * one (see `speedupBounds` in bounds.ts). `ciLow` and `ciHigh` are one-sided bounds at
 * `confidence` each (0.975: together a 95% interval); `method` names how they were made.
 */
export interface Speedup {
  ratio: number;
  ciLow: number;
  ciHigh: number;
  method: string;
  confidence: number;
  beforeSamples: number;
  afterSamples: number;
}

/** Where no interval could be made: the point estimate, if any, and why not. */
export interface SpeedupEstimate {
  ratio?: number;
  /**
   * Where every "before" call reached its time limit and the "after" side finished: the speedup
   * is at least limit / (the 97.5% upper bound of the after median). A one-sided bound, no point estimate.
   */
  atLeast?: number;
  beforeSamples: number;
  afterSamples: number;
  reason: string;
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
  return percentile(
    [...values].sort((x, y) => x - y),
    50,
  );
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

/**
 * Milliseconds (p50) of a route's calls: TOTAL and each phase the route names (as the
 * application logs them: `conversationsQuery`, `parallelQueries` for the conversation list),
 * with full statistics.
 */
export interface Phases {
  total: number;
  /** p50 of each named phase, in the order the route ran them. */
  phases: Record<string, number>;
  /** The conversation list's phases, where the route names them (the contract's fields). */
  conversationsQuery?: number;
  parallelQueries?: number;
  /** Statistics of TOTAL (`total`) and of each named phase. */
  latencyMs: Record<string, LatencyStats> & { total: LatencyStats };
  /** TOTAL of every timed call, ms, in call order (the budget check's sample). */
  totalSamplesMs: number[];
}

let loadedTQuantile: typeof studentTQuantile | undefined;
/**
 * Student's t quantile (`@stdlib/stats-base-dists-t-quantile`), loaded at its first use: the
 * package is some 400 files, and a command that computes no interval (most of them, and every
 * refusal) need not load them at start.
 */
export function tQuantile(p: number, degreesOfFreedom: number): number {
  loadedTQuantile ??= createRequire(import.meta.url)('@stdlib/stats-base-dists-t-quantile') as typeof studentTQuantile;
  return loadedTQuantile(p, degreesOfFreedom);
}
