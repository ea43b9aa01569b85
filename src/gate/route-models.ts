import type { CheckInput, RouteResult } from '../result.js';
import { compactStages } from '../plan/compact-stages.js';
import { planProblems, routeChecks } from './evaluate.js';
import type { PlanRule, StepRule, Thresholds } from './threshold-rules.js';
import type { IndexSpec } from '../workload.js';

/** What the route checks know of the workload: its query patterns' ids, and the index specs a rule may name. */
export interface RouteGateContext {
  readonly patternIds: readonly string[];
  readonly knownSpecs: readonly IndexSpec[];
}

/**
 * The plan rule every command of a gated route model must meet after the indexes: no
 * collection scan (a `$lookup` reading its collection without an index counts), no blocking
 * sort of more than 1,000 documents (a `$sort` after a `$lookup` sorts an unknown number: it
 * fails), and at most 20 documents examined per document returned (a whole index walked for
 * its order, as `$sort {_id: 1}` does, is a scan by another name).
 */
export const defaultRouteCommandRule: PlanRule = {
  collscan: 'forbid',
  blockingSort: { maxSortedDocs: 1000 },
  maxDocsExaminedPerReturned: 20,
};

/**
 * At most this many documents returned to the client per document it keeps: Prisma's
 * in-memory `take` fetches every match and keeps a few; the bytes cross the wire and no plan shows them.
 */
export const maxReturnedPerKept = 20;

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The rule of a route's step: the thresholds' for the route and step; else, for a step named
 * after a query pattern (the driver model's, whose commands carry the pattern's id), none: that
 * query is judged once, as the pattern; else the rule every route command meets.
 */
export function stepRule(thresholds: Thresholds, route: string, step: string, patternIds: readonly string[]): StepRule {
  const own = thresholds.routes?.[route]?.steps[step];
  if (own) return own;
  if (patternIds.includes(step)) return { gated: false, why: `judged as the query pattern ${step}` };
  return defaultRouteCommandRule;
}

/**
 * The checks of one route for one class: each command's plan after the indexes (a command
 * over its limit fails, with the work it did), then the route's speedup and budget. A route
 * over the limit after the indexes fails its budget. A remedy's route is reported, not judged.
 */
export function routeModelChecks(result: RouteResult, thresholds: Thresholds, gate: RouteGateContext): CheckInput[] {
  const userClass = result.userClass;
  // A replayed workload is judged per shape (gate/replay-checks.ts), not as the route.
  if (result.role !== 'gated' || userClass === 'captured' || !thresholds.route.userClasses.includes(userClass)) return [];
  const where = `route ${result.id} (${result.userClass})`;
  const base = { route: result.id, userClass: result.userClass };
  const checks: CheckInput[] = result.commands.flatMap((c): CheckInput[] => {
    const at = { ...base, step: c.step, pattern: `${result.id}:${c.step}`, collection: c.collection };
    const rule = stepRule(thresholds, result.id, c.step, gate.patternIds);
    if ('gated' in rule) return [];
    const over = c.after.overLimit;
    if (over) {
      const work = over.probe
        ? `; ${over.probe.collectionScans} collection scans and ${thousands(over.probe.docsExamined)} documents examined for the first ${over.probe.outerDocs} of ${thousands(over.probe.totalOuterDocs)} documents entering its $lookup: about ${thousands(over.probe.projectedDocsExamined)} for all (projected)`
        : '';
      return [
        {
          check: 'limit',
          ...at,
          passed: false,
          message: over.failed
            ? `${where} ${c.step}: failed on the server after the indexes (${over.failed}): the application's call fails there too, plan ${compactStages(c.after.stages)}${work}`
            : `${where} ${c.step}: over ${over.limitMs / 1000} s after the indexes (maxTimeMS)${over.inferred ? ` (${over.inferred})` : ''}, plan ${compactStages(c.after.stages)}${work}`,
        },
      ];
    }
    // A count examines what it counts: its work is judged per document counted, not per the one document it returns.
    const judged =
      isCount(c.shape) && c.after.counted !== undefined ? { ...c.after, nReturned: Math.max(c.after.nReturned, c.after.counted) } : c.after;
    const problems = planProblems(judged, rule, gate.knownSpecs);
    if (c.clientSide && c.returnedDocs > maxReturnedPerKept * Math.max(1, c.clientSide.keptDocs)) {
      problems.push(
        `${thousands(c.returnedDocs)} documents (${(c.returnedBytes / 1_048_576).toFixed(1)} MB) returned to the client to keep ${thousands(c.clientSide.keptDocs)} (at most ${maxReturnedPerKept} per kept): the take is applied in memory`,
      );
    }
    const summary = `${compactStages(c.after.stages)} on ${c.after.indexesUsed.join(', ') || 'no index'}, ${thousands(c.after.totalDocsExamined)} docs examined, ${thousands(c.returnedDocs)} returned to the client${c.clientSide ? `, ${thousands(c.clientSide.keptDocs)} kept` : ''}`;
    return [
      {
        check: 'plan',
        ...at,
        passed: problems.length === 0,
        message: `${where} ${c.step}: ${problems.length === 0 ? summary : `${problems.join('; ')} (${summary})`}`,
      },
    ];
  });
  if (result.overLimit.after) {
    checks.push({
      check: 'budget',
      ...base,
      pattern: 'route',
      passed: false,
      message: result.failed?.after
        ? `${where}: a command failed on the server after the indexes (${result.failed.after}): the call fails, whatever its budget`
        : `${where}: a command did not finish within ${result.overLimit.limitMs / 1000} s after the indexes: TOTAL is over ${result.overLimit.limitMs / 1000} s, far beyond any budget`,
    });
    if (thresholds.route.minSpeedup !== undefined) {
      checks.push({
        check: 'speedup',
        ...base,
        pattern: 'route',
        outcome: 'inconclusive',
        passed: false,
        message: `${where}: no speedup can be measured: ${result.speedupEstimate?.reason ?? 'over the limit'}`,
      });
    }
    return checks;
  }
  return [...checks, ...routeChecks({ ...result, userClass }, thresholds, result.before !== undefined, result.id)];
}

/** A pipeline (or each pipeline of a fan-out) that ends in `$group` or `$count`: a count. */
function isCount(shape: unknown): boolean {
  const pipelines = Array.isArray(shape) && shape.every((p) => Array.isArray(p)) ? (shape as unknown[][]) : [shape as unknown[]];
  return pipelines.every(
    (p) =>
      Array.isArray(p) &&
      p.length > 0 &&
      typeof p[p.length - 1] === 'object' &&
      p[p.length - 1] !== null &&
      ('$group' in (p[p.length - 1] as object) || '$count' in (p[p.length - 1] as object)),
  );
}
