import type { QueryPattern } from '../../bench/patterns.js';
import type { Measurement, PatternResult, Phases, RouteClassResult } from '../result.js';
import { summarize, speedupWithInterval } from '../timing/stats.js';
import type { ClassContext } from './contexts.js';
import { measurementKey } from './explain.js';
import type { RouteSamples, SideSamples } from './timing.js';

export interface AssembleInput {
  patterns: readonly QueryPattern[];
  classes: readonly ClassContext[];
  plans: { before?: ReadonlyMap<string, Measurement>; after: ReadonlyMap<string, Measurement> };
  samples: { before?: SideSamples; after: SideSamples };
}

/** One entry per (pattern, user class): plans, latencies and the speedup with its interval. */
export function patternResults(input: AssembleInput): PatternResult[] {
  const out: PatternResult[] = [];
  for (const pattern of input.patterns) {
    for (const { user } of input.classes) {
      const key = measurementKey(pattern.id, user.userClass);
      const afterPlan = input.plans.after.get(key);
      if (!afterPlan) continue;
      const afterSamples = input.samples.after.patterns.get(key) ?? [];
      const beforePlan = input.plans.before?.get(key);
      const beforeSamples = input.samples.before?.patterns.get(key) ?? [];
      const result: PatternResult = {
        id: pattern.id,
        title: pattern.title,
        collection: pattern.collection,
        gated: pattern.gated,
        userClass: user.userClass,
        intendedIndexes: [...pattern.intendedIndexes],
        ...(pattern.note ? { note: pattern.note } : {}),
        after: withLatency(afterPlan, afterSamples),
      };
      if (beforePlan) {
        result.before = withLatency(beforePlan, beforeSamples);
        const speedup = speedupWithInterval(beforeSamples, afterSamples);
        if (speedup) result.speedup = speedup;
      }
      out.push(result);
    }
  }
  return out;
}

function withLatency(plan: Measurement, samples: readonly number[]): Measurement {
  return samples.length > 0 ? { ...plan, latencyMs: summarize(samples) } : { ...plan };
}

export function phases(samples: RouteSamples): Phases {
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
  };
}

export function routeResults(input: AssembleInput): RouteClassResult[] {
  return input.classes.flatMap(({ user, pageSize }) => {
    const after = input.samples.after.routes.get(user.userClass);
    if (!after || after.total.length === 0) return [];
    const before = input.samples.before?.routes.get(user.userClass);
    const result: RouteClassResult = {
      userClass: user.userClass,
      userId: user.userId.toHexString(),
      memberships: user.memberships,
      pageSize,
      after: phases(after),
    };
    if (before && before.total.length > 0) {
      result.before = phases(before);
      const speedup = speedupWithInterval(before.total, after.total);
      if (speedup) result.speedup = speedup;
    }
    return [result];
  });
}
