import { prismaIndexes } from '../../indexes/prisma.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import type { IndexOutcome } from '../indexes/apply.js';
import { formatKey, sameKey } from '../indexes/inspect.js';
import type { GateCheck, GateResult, Measurement, PatternResult, RouteClassResult } from '../result.js';
import type { PlanRule, Thresholds } from './thresholds.js';

const knownSpecs = [...runbookIndexes, ...prismaIndexes];

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
  routes: readonly RouteClassResult[];
  counts?: readonly CountExpectation[];
  /** verify has no "before": speedup checks do not apply. */
  judgeSpeedup: boolean;
}

/**
 * Every check the thresholds ask for, passed or failed, with a message a reviewer can act
 * on. The gate passes when all pass.
 */
export function evaluateGate(input: GateInput): GateResult {
  const checks: GateCheck[] = [
    ...input.indexes.map(indexCheck),
    ...input.patterns.flatMap((p) => patternChecks(p, input.thresholds.patterns[p.id], input.judgeSpeedup)),
    ...input.routes.flatMap((r) => routeChecks(r, input.thresholds, input.judgeSpeedup)),
    ...(input.counts ?? []).map(countCheck),
  ];
  const failures = checks
    .filter((c) => !c.passed)
    .map(({ passed: _passed, collection: _collection, ...failure }) => failure);
  return { passed: failures.length === 0, failures, checks };
}

/** The gate with more checks added (the history's), its verdict recomputed. */
export function withChecks(gate: GateResult, extra: readonly GateCheck[]): GateResult {
  const checks = [...gate.checks, ...extra];
  const failures = checks.filter((c) => !c.passed).map(({ passed: _passed, collection: _collection, ...failure }) => failure);
  return { passed: failures.length === 0, failures, checks };
}

function indexCheck(outcome: IndexOutcome): GateCheck {
  const ok = outcome.status === 'created' || outcome.status === 'present' || outcome.status === 'equivalent';
  const message =
    outcome.status === 'equivalent'
      ? `${outcome.name}: served by ${outcome.existingName} (same key ${formatKey(outcome.key)})`
      : outcome.status === 'missing'
        ? `${outcome.name} is missing on ${outcome.collection}: ${outcome.detail}`
        : outcome.status === 'conflict'
          ? `${outcome.name} conflicts: ${outcome.detail}`
          : `${outcome.name} ${outcome.status} on ${outcome.collection}`;
  return { check: 'index', index: outcome.name, collection: outcome.collection, passed: ok, message };
}

/**
 * True when the plan used one of the acceptable indexes. A name proves nothing: an
 * acceptable name that is a known spec (one of the six, or a Prisma index) is matched by
 * its key, whatever the index is called on the server; other names (`_id_`) by name.
 */
export function usesAcceptableIndex(m: Measurement, acceptable: readonly string[]): boolean {
  if (m.indexName === null) return false;
  const indexKey = m.indexKey;
  return acceptable.some((name) => {
    const spec = knownSpecs.find((s) => s.name === name);
    if (!spec) return m.indexName === name;
    return indexKey !== null && sameKey(indexKey, spec.key);
  });
}

function patternChecks(result: PatternResult, rule: PlanRule | undefined, judgeSpeedup: boolean): GateCheck[] {
  if (!result.gated || !rule) return [];
  const base = { pattern: result.id, userClass: result.userClass, collection: result.collection };
  const problems = planProblems(result.after, rule);
  const where = `${result.id} (${result.userClass})`;
  const checks: GateCheck[] = [
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
  if (rule.minSpeedup !== undefined && judgeSpeedup && result.speedup) {
    const ok = result.speedup.ciLow >= rule.minSpeedup;
    checks.push({
      check: 'speedup',
      ...base,
      passed: ok,
      message: `${where}: speedup ${result.speedup.ratio}x (95% CI ${result.speedup.ciLow}–${result.speedup.ciHigh}x), required ≥ ${rule.minSpeedup}x on the lower bound`,
    });
  }
  return checks;
}

/** What is wrong with a plan, in words; empty when it meets the rule. */
export function planProblems(m: Measurement, rule: PlanRule): string[] {
  const problems: string[] = [];
  if (rule.collscan === 'forbid' && m.collscan) {
    const lookupScans = (m.lookups ?? []).filter((l) => l.collectionScans > 0).map((l) => `${l.from} scanned ${l.collectionScans}× by $lookup`);
    problems.push(`COLLSCAN in the plan${lookupScans.length > 0 ? ` (${lookupScans.join(', ')})` : ''}`);
  }
  if (m.blockingSort) {
    if (rule.blockingSort === 'forbid') problems.push('blocking SORT in the plan');
    else if (typeof rule.blockingSort === 'object' && (m.sortedDocs ?? Infinity) > rule.blockingSort.maxSortedDocs) {
      problems.push(`blocking SORT of ${m.sortedDocs ?? 'an unknown number of'} documents (at most ${rule.blockingSort.maxSortedDocs} allowed)`);
    }
  }
  if (rule.indexes && !usesAcceptableIndex(m, rule.indexes)) {
    const used = m.indexName ? `${m.indexName}${m.indexKey ? ` ${formatKey(m.indexKey)}` : ''}` : 'no index';
    const expected = rule.indexes.map((name) => {
      const spec = knownSpecs.find((s) => s.name === name);
      return spec ? `${name} ${formatKey(spec.key)}` : name;
    });
    problems.push(`uses ${used}, expected ${expected.join(' or ')} (by key, whatever its name)`);
  }
  if (rule.maxDocsExaminedPerReturned !== undefined) {
    const ratio = m.totalDocsExamined / Math.max(1, m.nReturned);
    if (ratio > rule.maxDocsExaminedPerReturned) {
      problems.push(`${m.totalDocsExamined} docs examined for ${m.nReturned} returned (${ratio.toFixed(1)} per returned, at most ${rule.maxDocsExaminedPerReturned})`);
    }
  }
  return problems;
}

function routeChecks(route: RouteClassResult, thresholds: Thresholds, judgeSpeedup: boolean): GateCheck[] {
  const rules = thresholds.route;
  if (!rules.userClasses.includes(route.userClass)) return [];
  const checks: GateCheck[] = [];
  const where = `route (${route.userClass})`;
  if (judgeSpeedup && rules.minSpeedup !== undefined) {
    const s = route.speedup;
    checks.push({
      check: 'speedup',
      pattern: 'route',
      userClass: route.userClass,
      passed: s !== undefined && s.ciLow >= rules.minSpeedup,
      message: s
        ? `${where}: TOTAL ${round(route.before?.total)} ms → ${round(route.after.total)} ms, speedup ${s.ratio}x (95% CI ${s.ciLow}–${s.ciHigh}x), required ≥ ${rules.minSpeedup}x on the lower bound`
        : `${where}: no speedup could be computed (no "before" samples)`,
    });
  }
  for (const stat of ['p50', 'p95'] as const) {
    const budget = rules.afterBudgetMs?.[stat];
    if (budget === undefined) continue;
    const actual = route.after.latencyMs.total[stat];
    checks.push({
      check: 'budget',
      pattern: 'route',
      userClass: route.userClass,
      passed: actual <= budget,
      message: `${where}: TOTAL ${stat} ${round(actual)} ms after the indexes, budget ${budget} ms (${route.after.latencyMs.total.samples} samples)`,
    });
  }
  return checks;
}

function countCheck(c: CountExpectation): GateCheck {
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
