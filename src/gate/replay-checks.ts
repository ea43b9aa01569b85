import type { CheckInput, RouteCommandResult, RouteResult } from '../result.js';
import { compactStages } from '../plan/compact-stages.js';
import { judgeBudget, minSamplesForUpperBound, quantileBounds } from '../timing/bounds.js';
import { planProblems, speedupCheck } from './evaluate.js';
import type { PlanRule, ShapeRule, WorkloadRules } from './threshold-rules.js';
import type { IndexSpec } from '../workload.js';

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

/**
 * The checks of a replayed workload, shape by shape, after the set: no collection scan of a
 * collection over `collscanMinDocs` documents (a small collection is scanned faster than an
 * index is walked), no blocking sort of more than `maxSortedDocs`, and, for the shapes the
 * thresholds name, their own plan rule, speedup and budget. A shape over the limit fails.
 * `collectionDocs` are the target's document counts (a collection not in it is judged as large).
 */
export function workloadChecks(
  result: RouteResult,
  rules: WorkloadRules,
  collectionDocs: Readonly<Record<string, number>>,
  judgeSpeedup: boolean,
  knownSpecs: readonly IndexSpec[] = [],
): CheckInput[] {
  return result.commands.flatMap((c) =>
    shapeChecks(result.id, c, rules, rules.shapes[c.step], collectionDocs[c.collection], judgeSpeedup, knownSpecs),
  );
}

function shapeChecks(
  route: string,
  c: RouteCommandResult,
  rules: WorkloadRules,
  own: ShapeRule | undefined,
  docs: number | undefined,
  judgeSpeedup: boolean,
  knownSpecs: readonly IndexSpec[],
): CheckInput[] {
  const at = { route, step: c.step, pattern: `${route}:${c.step}`, collection: c.collection, userClass: 'captured' as const };
  const where = `workload ${route} ${c.step} (${c.command} on ${c.collection})`;
  const over = c.after.overLimit;
  if (over)
    return [
      {
        check: 'limit',
        ...at,
        passed: false,
        message: `${where}: over ${over.limitMs / 1000} s after the indexes (maxTimeMS), plan ${compactStages(c.after.stages)}`,
      },
    ];
  const large = docs === undefined || docs > rules.collscanMinDocs;
  const rule: PlanRule = {
    collscan: own?.collscan ?? (large ? 'forbid' : 'allow'),
    blockingSort: own?.blockingSort ?? { maxSortedDocs: rules.maxSortedDocs },
    ...(own?.indexes ? { indexes: own.indexes } : {}),
    ...(own?.maxDocsExaminedPerReturned !== undefined ? { maxDocsExaminedPerReturned: own.maxDocsExaminedPerReturned } : {}),
  };
  // A count examines what it counts: judged per document counted.
  const judged = c.after.counted !== undefined ? { ...c.after, nReturned: Math.max(c.after.nReturned, c.after.counted) } : c.after;
  const problems = planProblems(judged, rule, knownSpecs);
  const small =
    c.after.collscan && !large && own?.collscan === undefined
      ? ` (a scan of ${thousands(docs ?? 0)} documents, at most ${thousands(rules.collscanMinDocs)} allowed)`
      : '';
  const summary = `${compactStages(c.after.stages)} on ${c.after.indexesUsed.join(', ') || 'no index'}, ${thousands(c.after.totalDocsExamined)} docs examined for ${thousands(c.after.counted ?? c.after.nReturned)} ${c.after.counted !== undefined ? 'counted' : 'returned'}${small}`;
  const checks: CheckInput[] = [
    {
      check: 'plan',
      ...at,
      passed: problems.length === 0,
      message: `${where}: ${problems.length === 0 ? summary : `${problems.join('; ')} (${summary})`}`,
    },
  ];
  const captured = c.captured;
  if (own?.minSpeedup !== undefined && judgeSpeedup && captured) {
    checks.push({ check: 'speedup', ...at, ...speedupCheck(`${where}:`, captured, own.minSpeedup) });
  }
  for (const [stat, budget] of Object.entries(own?.afterBudgetMs ?? {})) {
    if (budget === undefined || !captured) continue;
    const q = Number(stat.slice(1)) / 100;
    const bounds = quantileBounds(captured.afterSamplesMs, q);
    const outcome = judgeBudget(bounds, budget);
    const why =
      outcome === 'inconclusive'
        ? bounds.upper === undefined
          ? `; ${bounds.n} samples cannot bound a ${stat} from above (at least ${minSamplesForUpperBound(q, bounds.confidence)} needed)`
          : '; the budget lies inside the bounds'
        : '';
    checks.push({
      check: 'budget',
      ...at,
      outcome,
      passed: outcome === 'pass',
      message: `${where}: ${stat} ${ms(bounds.estimate)} ms per execution after the indexes (${(bounds.confidence * 100).toFixed(1)}% bounds ${ms(bounds.lower)} … ${ms(bounds.upper)} ms, ${bounds.n} samples), budget ${budget} ms${why}`,
    });
  }
  return checks;
}

/** The shape ids the thresholds name that the workload does not hold (a typo would silently judge nothing). */
export function unknownShapeRules(rules: WorkloadRules | undefined, shapeIds: readonly string[]): string[] {
  return Object.keys(rules?.shapes ?? {}).filter((id) => !shapeIds.includes(id));
}
