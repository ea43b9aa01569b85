import type { IndexOutcome } from '../indexing/apply.js';
import { formatKey, sameKey } from '../indexing/inspect.js';
import type { CheckInput, GateCheck, GateFailure, GateResult, Measurement, PatternResult, Phases, Verdict } from '../result.js';
import type { PlanRule, Thresholds } from './threshold-rules.js';
import type { UserClass } from '../users/user-classes.js';
import { judgeBudget, minSamplesForUpperBound, quantileBounds } from '../timing/bounds.js';
import type { Speedup, SpeedupEstimate } from '../timing/stats.js';
import type { IndexSpec } from '../workload.js';

export interface CountExpectation {
  collection: string;
  expected: number;
  actual: number;
  /** Allowed relative difference (0 = exact). */
  tolerance: number;
}

export interface GateInput {
  thresholds: Thresholds;
  indexes: readonly IndexOutcome[];
  patterns: readonly PatternResult[];
  counts?: readonly CountExpectation[];
  /** verify has no "before": speedup checks do not apply. */
  judgeSpeedup: boolean;
  /** The index specs the thresholds may name an index by (the workload's sets): matched by key. */
  knownSpecs: readonly IndexSpec[];
}

/**
 * Every check the thresholds ask for, passed or failed, with a message a reviewer can act
 * on. The gate passes when all pass.
 */
export function evaluateGate(input: GateInput): GateResult {
  const checks: CheckInput[] = [
    ...input.indexes.map(indexCheck),
    ...input.patterns.flatMap((p) => patternChecks(p, input.thresholds.patterns[p.id], input.judgeSpeedup, input.knownSpecs)),
    ...(input.counts ?? []).map(countCheck),
  ];
  return conclude(checks);
}

/**
 * The verdict of a list of checks: fail if any check failed, else inconclusive if any
 * could not be decided, else pass. An inconclusive check is never counted as passed.
 */
export function conclude(inputs: readonly CheckInput[]): GateResult {
  const checks: GateCheck[] = inputs.map((c) => {
    const outcome = c.outcome ?? (c.passed ? 'pass' : 'fail');
    return { ...c, outcome, passed: outcome === 'pass' };
  });
  const strip = ({ passed: _passed, collection: _collection, outcome: _outcome, ...rest }: GateCheck): GateFailure => rest;
  const failures = checks.filter((c) => c.outcome === 'fail').map(strip);
  const inconclusive = checks.filter((c) => c.outcome === 'inconclusive').map(strip);
  const accepted = checks.filter((c) => c.outcome === 'accepted').map(strip);
  const verdict: Verdict = failures.length > 0 ? 'fail' : inconclusive.length > 0 ? 'inconclusive' : 'pass';
  return { verdict, passed: verdict === 'pass', failures, inconclusive, ...(accepted.length > 0 ? { accepted } : {}), checks };
}

/** What a failed check is about, as one key: the same check of the same thing for the same class on two runs has the same key. */
export function failureKey(c: Pick<GateCheck, 'check' | 'route' | 'step' | 'pattern' | 'index' | 'userClass'>): string {
  return [c.check, c.route ?? '', c.step ?? c.pattern ?? c.index ?? '', c.userClass ?? ''].join('|');
}

/**
 * The gate with the failures the team accepted turned into `accepted`: a failed check whose key
 * is among `keys` (the accepted run's failures) is reported, not counted. A check that did not
 * fail on the accepted run still fails; so do the history's regression checks (it got worse).
 */
export function withAcceptedFailures(gate: GateResult, keys: ReadonlySet<string>, acceptedOn: string): GateResult {
  if (keys.size === 0) return gate;
  return conclude(
    gate.checks.map((c) =>
      c.outcome === 'fail' && c.check !== 'regression' && keys.has(failureKey(c))
        ? { ...c, outcome: 'accepted' as const, message: `${c.message} (accepted on ${acceptedOn})` }
        : c,
    ),
  );
}

/** The gate with more checks added (the history's), its verdict recomputed. */
export function withChecks(gate: GateResult, extra: readonly CheckInput[]): GateResult {
  return conclude([...gate.checks, ...extra]);
}

/** An index of the set is in place: created, present, or served by another index of the same key. Missing, conflicting or stale (its key names what the application's schema does not have: a migration naming fields that no longer exist is wrong, built or not) fails. */
function indexCheck(outcome: IndexOutcome): CheckInput {
  const ok = outcome.status === 'created' || outcome.status === 'present' || outcome.status === 'equivalent';
  const message =
    outcome.status === 'equivalent'
      ? `${outcome.name}: served by ${outcome.existingName} (same key ${formatKey(outcome.key)})`
      : outcome.status === 'missing'
        ? `${outcome.name} is missing on ${outcome.collection}: ${outcome.detail}`
        : outcome.status === 'conflict'
          ? `${outcome.name} conflicts: ${outcome.detail}`
          : outcome.status === 'stale'
            ? `${outcome.name} on ${outcome.collection} is stale: ${outcome.detail}`
            : `${outcome.name} ${outcome.status} on ${outcome.collection}`;
  return { check: 'index', index: outcome.name, collection: outcome.collection, passed: ok, message };
}

/**
 * True when the plan used one of the acceptable indexes. A name proves nothing: an
 * acceptable name that is a known spec (one of the workload's sets) is matched by its key,
 * whatever the index is called on the server; other names (`_id_`) by name.
 */
export function usesAcceptableIndex(m: Measurement, acceptable: readonly string[], knownSpecs: readonly IndexSpec[]): boolean {
  if (m.indexName === null) return false;
  const indexKey = m.indexKey;
  return acceptable.some((name) => {
    const spec = knownSpecs.find((s) => s.name === name);
    if (!spec) return m.indexName === name;
    return indexKey !== null && sameKey(indexKey, spec.key);
  });
}

function patternChecks(
  result: PatternResult,
  rule: PlanRule | undefined,
  judgeSpeedup: boolean,
  knownSpecs: readonly IndexSpec[],
): CheckInput[] {
  if (!result.gated || !rule) return [];
  const base = { pattern: result.id, userClass: result.userClass, collection: result.collection };
  const problems = planProblems(result.after, rule, knownSpecs);
  const where = `${result.id} (${result.userClass})`;
  const checks: CheckInput[] = [
    {
      check: 'plan',
      ...base,
      passed: problems.length === 0,
      message:
        problems.length === 0
          ? `${where}: ${result.after.stages.join(' > ')} on ${result.after.indexName ?? 'no index'}, ${result.after.totalDocsExamined} docs examined for ${result.after.nReturned} returned`
          : `${where}: ${problems.join('; ')} (plan ${result.after.stages.join(' > ')})`,
    },
  ];
  if (rule.minSpeedup !== undefined && judgeSpeedup && result.before) {
    checks.push({ check: 'speedup', ...base, ...speedupCheck(where, result, rule.minSpeedup) });
  }
  return checks;
}

/** What is wrong with a plan, in words; empty when it meets the rule (`knownSpecs`: the specs an index named in the rule is matched by, by key). */
export function planProblems(m: Measurement, rule: PlanRule, knownSpecs: readonly IndexSpec[]): string[] {
  const problems: string[] = [];
  if (m.overLimitMs !== undefined) problems.push(`did not finish within ${m.overLimitMs / 1000} s (maxTimeMS)`);
  if (rule.collscan === 'forbid' && m.collscan) {
    const lookupScans = (m.lookups ?? [])
      .filter((l) => l.collectionScans > 0)
      .map((l) => `${l.from} scanned ${l.collectionScans}× by $lookup`);
    problems.push(`COLLSCAN in the plan${lookupScans.length > 0 ? ` (${lookupScans.join(', ')})` : ''}`);
  }
  if (m.blockingSort) {
    if (rule.blockingSort === 'forbid') problems.push('blocking SORT in the plan');
    else if (typeof rule.blockingSort === 'object' && (m.sortedDocs ?? Infinity) > rule.blockingSort.maxSortedDocs) {
      problems.push(
        `blocking SORT of ${m.sortedDocs ?? 'an unknown number of'} documents (at most ${rule.blockingSort.maxSortedDocs} allowed)`,
      );
    }
  }
  // A $lookup's inner index is only reported by executing it: over the limit, that is unknown (the limit is the finding).
  const indexUnknown = m.overLimitMs !== undefined && (m.lookups?.length ?? 0) > 0;
  if (rule.indexes && !indexUnknown && !usesAcceptableIndex(m, rule.indexes, knownSpecs)) {
    const used = m.indexName ? `${m.indexName}${m.indexKey ? ` ${formatKey(m.indexKey)}` : ''}` : 'no index';
    const expected = rule.indexes.map((name) => {
      const spec = knownSpecs.find((s) => s.name === name);
      return spec ? `${name} ${formatKey(spec.key)}` : name;
    });
    problems.push(`uses ${used}, expected ${expected.join(' or ')} (by key, whatever its name)`);
  }
  if (rule.maxDocsExaminedPerReturned !== undefined && m.overLimitMs === undefined) {
    const ratio = m.totalDocsExamined / Math.max(1, m.nReturned);
    if (ratio > rule.maxDocsExaminedPerReturned) {
      problems.push(
        `${m.totalDocsExamined} docs examined for ${m.nReturned} returned (${ratio.toFixed(1)} per returned, at most ${rule.maxDocsExaminedPerReturned})`,
      );
    }
  }
  return problems;
}

/** What the route checks read: one route's phases and speedup for one class. */
export interface RouteTimes {
  userClass: UserClass;
  before?: Phases | undefined;
  after: Phases;
  speedup?: Speedup | undefined;
  speedupEstimate?: SpeedupEstimate | undefined;
}

/** The route's speedup and budget checks for one class; `route` names it (`routes[].id`). */
export function routeChecks(times: RouteTimes, thresholds: Thresholds, judgeSpeedup: boolean, route: string): CheckInput[] {
  const rules = thresholds.route;
  if (!rules.userClasses.includes(times.userClass)) return [];
  const checks: CheckInput[] = [];
  const where = `route ${route} (${times.userClass})`;
  const tag = { pattern: 'route', route };
  if (judgeSpeedup && rules.minSpeedup !== undefined) {
    const totals = `TOTAL ${round(times.before?.total)} ms → ${round(times.after.total)} ms, `;
    checks.push({
      check: 'speedup',
      ...tag,
      userClass: times.userClass,
      ...speedupCheck(`${where}: ${totals.slice(0, -2)};`, times, rules.minSpeedup),
    });
  }
  for (const [stat, budget] of Object.entries(rules.afterBudgetMs ?? {})) {
    if (budget === undefined) continue;
    const q = Number(stat.slice(1)) / 100;
    const bounds = quantileBounds(times.after.totalSamplesMs, q);
    const outcome = judgeBudget(bounds, budget);
    const interval = `${(bounds.confidence * 100).toFixed(1)}% bounds ${bounds.lower === undefined ? '–' : `${round(bounds.lower)} ms`} … ${bounds.upper === undefined ? '–' : `${round(bounds.upper)} ms`}`;
    const why =
      outcome === 'inconclusive'
        ? bounds.upper === undefined
          ? `; ${bounds.n} samples cannot bound a ${stat} from above (at least ${minSamplesForUpperBound(q, bounds.confidence)} needed)`
          : '; the budget lies inside the bounds'
        : '';
    checks.push({
      check: 'budget',
      ...tag,
      userClass: times.userClass,
      outcome,
      passed: outcome === 'pass',
      message: `${where}: TOTAL ${stat} ${round(bounds.estimate)} ms after the indexes (${interval}, ${bounds.method}, ${bounds.n} samples), budget ${budget} ms${why}`,
    });
  }
  return checks;
}

/**
 * A speedup check on its interval: pass when the lower bound clears the threshold, fail
 * when the upper bound is below it, inconclusive when the interval straddles it or when
 * the samples allowed no interval (never decided on a point estimate).
 */
export function speedupCheck(
  where: string,
  result: { speedup?: Speedup; speedupEstimate?: SpeedupEstimate },
  min: number,
): Pick<CheckInput, 'outcome' | 'passed' | 'message'> {
  const s = result.speedup;
  if (!s) {
    const e = result.speedupEstimate;
    // A one-sided bound (the before side reached its limit): enough to pass when it clears the minimum, never to fail.
    if (e?.atLeast !== undefined) {
      const outcome = e.atLeast >= min ? 'pass' : 'inconclusive';
      return {
        outcome,
        passed: outcome === 'pass',
        message: `${where} speedup ≥ ${e.atLeast}x (one-sided: ${e.reason}), required ≥ ${min}x${outcome === 'pass' ? '' : ': the bound does not reach it'}`,
      };
    }
    const point = e?.ratio !== undefined ? `point estimate ${e.ratio}x, ` : '';
    return {
      outcome: 'inconclusive',
      passed: false,
      message: `${where} ${point}no interval: ${e?.reason ?? 'no samples'}; required ≥ ${min}x on the lower bound`,
    };
  }
  const outcome = s.ciLow >= min ? 'pass' : s.ciHigh < min ? 'fail' : 'inconclusive';
  const level = `${Math.round((2 * s.confidence - 1) * 100)}%`;
  return {
    outcome,
    passed: outcome === 'pass',
    message: `${where} speedup ${s.ratio}x (${level} CI ${s.ciLow}–${s.ciHigh}x, ${s.method}, ${s.beforeSamples}/${s.afterSamples} samples), required ≥ ${min}x on the lower bound${outcome === 'inconclusive' ? ': the interval straddles it' : ''}`,
  };
}

function countCheck(c: CountExpectation): CheckInput {
  const diff = c.expected === 0 ? (c.actual === 0 ? 0 : Infinity) : Math.abs(c.actual - c.expected) / c.expected;
  const ok = diff <= c.tolerance;
  const allowed = c.tolerance === 0 ? 'exactly' : `within ${(c.tolerance * 100).toFixed(1)}% of`;
  return {
    check: 'counts',
    collection: c.collection,
    pattern: c.collection,
    passed: ok,
    message: `${c.collection}: ${c.actual.toLocaleString('en-US')} documents, expected ${allowed} ${c.expected.toLocaleString('en-US')}`,
  };
}

function round(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
