import type { Phases } from './stats.js';
import { type SpeedupBound, speedupBounds } from './bounds.js';
import { type Speedup, type SpeedupEstimate, summarize } from './stats.js';

/** Samples of a route's calls, ms, one per timed call: TOTAL and each named phase. */
export interface PhaseSamples {
  total: readonly number[];
  phases: Readonly<Record<string, readonly number[]>>;
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
  const named = Object.fromEntries(Object.entries(samples.phases).map(([name, values]) => [name, summarize(values)]));
  const total = summarize(samples.total);
  const p50 = Object.fromEntries(Object.entries(named).map(([name, stats]) => [name, stats.p50]));
  return {
    total: total.p50,
    phases: p50,
    ...(p50.conversationsQuery === undefined ? {} : { conversationsQuery: p50.conversationsQuery }),
    ...(p50.parallelQueries === undefined ? {} : { parallelQueries: p50.parallelQueries }),
    latencyMs: { ...named, total },
    totalSamplesMs: samples.total.map((ms) => Math.round(ms * 1000) / 1000),
  };
}
