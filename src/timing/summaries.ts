import type { Phases } from '../result.js';
import { type SpeedupBound, speedupBounds } from './bounds.js';
import { type Speedup, type SpeedupEstimate, summarize } from './stats.js';

/** Samples of a route's phases, ms, one per timed call. */
export interface PhaseSamples {
  conversationsQuery: readonly number[];
  parallelQueries: readonly number[];
  total: readonly number[];
}

/** The speedup bound of each class (`key`), the before variance pooled across them (see bounds.ts). */
export function boundsByKey(classes: { key: string; before: readonly number[]; after: readonly number[] }[]): Map<string, SpeedupBound> {
  return new Map(speedupBounds({ classes }).map((b: SpeedupBound) => [b.key, b]));
}

/** `speedup` where an interval was measured, else `speedupEstimate` with the reason. */
export function speedupFields(bound: SpeedupBound | undefined): { speedup?: Speedup; speedupEstimate?: SpeedupEstimate } {
  if (!bound) return {};
  if (bound.state === 'measured') {
    const { ratio, ciLow, ciHigh, method, confidence, beforeSamples, afterSamples } = bound;
    return { speedup: { ratio, ciLow, ciHigh, method, confidence, beforeSamples, afterSamples } };
  }
  const { ratio, beforeSamples, afterSamples, reason } = bound;
  return { speedupEstimate: { ...(ratio !== undefined ? { ratio } : {}), beforeSamples, afterSamples, reason } };
}


/** Phases as the result reports them: p50 of each, full statistics, and every TOTAL in call order. */
export function phases(samples: PhaseSamples): Phases {
  const latencyMs = {
    conversationsQuery: summarize(samples.conversationsQuery),
    parallelQueries: summarize(samples.parallelQueries),
    total: summarize(samples.total),
  };
  return {
    conversationsQuery: latencyMs.conversationsQuery.p50,
    parallelQueries: latencyMs.parallelQueries.p50,
    total: latencyMs.total.p50,
    latencyMs,
    totalSamplesMs: samples.total.map((ms) => Math.round(ms * 1000) / 1000),
  };
}

