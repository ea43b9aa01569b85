import type { QueryPattern } from '../workload.js';
import type { Measurement, PatternResult } from '../result.js';
import { summarize } from '../timing/stats.js';
import { boundsByKey, speedupFields } from '../timing/summaries.js';
import type { ClassContext } from './contexts.js';
import { measurementKey } from './explain-patterns.js';
import type { SideSamples } from './timing.js';

export interface AssembleInput {
  patterns: readonly QueryPattern[];
  classes: readonly ClassContext[];
  plans: { before?: ReadonlyMap<string, Measurement>; after: ReadonlyMap<string, Measurement> };
  samples: { before?: SideSamples; after: SideSamples };
}

/**
 * The samples of one side of a pattern: the timed calls, or, for a pattern too dear to be
 * executed again, the explain's own execution time as its one sample.
 */
function patternSamples(samples: SideSamples | undefined, plan: Measurement | undefined, key: string): number[] {
  const timed = samples?.patterns.get(key) ?? [];
  if (timed.length > 0 || !plan || plan.explainMs === null) return timed;
  return [plan.explainMs];
}

/** One entry per (pattern, user class): plans, latencies and the speedup, with an interval where the samples allow one. */
export function patternResults(input: AssembleInput): PatternResult[] {
  const out: PatternResult[] = [];
  for (const pattern of input.patterns) {
    const entries = input.classes.flatMap(({ user }) => {
      const key = measurementKey(pattern.id, user.userClass);
      const afterPlan = input.plans.after.get(key);
      if (!afterPlan) return [];
      const beforePlan = input.plans.before?.get(key);
      return [
        {
          user,
          key,
          afterPlan,
          beforePlan,
          after: patternSamples(input.samples.after, afterPlan, key),
          before: beforePlan ? patternSamples(input.samples.before, beforePlan, key) : [],
        },
      ];
    });
    // One pattern's before variance is pooled across the user classes (same query, same collection).
    const bounds = boundsByKey(entries.filter((e) => e.beforePlan).map((e) => ({ key: e.key, before: e.before, after: e.after })));
    for (const e of entries) {
      const result: PatternResult = {
        id: pattern.id,
        title: pattern.title,
        collection: pattern.collection,
        gated: pattern.gated,
        userClass: e.user.userClass,
        intendedIndexes: [...pattern.intendedIndexes],
        ...(pattern.note ? { note: pattern.note } : {}),
        after: withLatency(e.afterPlan, e.after),
      };
      if (e.beforePlan) {
        result.before = withLatency(e.beforePlan, e.before);
        Object.assign(result, speedupFields(bounds.get(e.key)));
      }
      out.push(result);
    }
  }
  return out;
}

function withLatency(plan: Measurement, samples: readonly number[]): Measurement {
  return samples.length > 0 ? { ...plan, latencyMs: summarize(samples) } : { ...plan };
}
