import type { Db } from 'mongodb';
import type { IndexSpec } from '../../indexes/spec.js';
import { throwIfAborted } from '../errors.js';
import { applyIndexes, type IndexOutcome } from '../indexes/apply.js';
import { setCreatedIndexesHidden } from '../indexes/hide.js';
import type { Reporter } from '../progress.js';
import type { RemedyEffect, RemedyResult, RouteModelResult } from '../result.js';
import { callPhases, routeModelResults } from '../routes/assemble.js';
import { measureRouteModelRound, type RouteModelPlan, type RouteModelSide } from '../routes/measure.js';
import { type RouteModel, routeCommands } from '../routes/model.js';
import { quantileBounds } from '../timing/bounds.js';
import type { SpeedupEstimate } from '../timing/stats.js';
import { boundsByKey, speedupFields } from '../timing/summaries.js';
import type { ClassContext } from './contexts.js';

export interface RouteModelRunInput {
  db: Db;
  /** The route models to judge (`--route`). */
  models: readonly RouteModel[];
  classes: readonly ClassContext[];
  /** The index set's outcomes: what is hidden for "before". */
  indexes: readonly IndexOutcome[];
  indexSet: readonly IndexSpec[];
  plan: RouteModelPlan;
  /** What to measure for the application's route if it stays slow: extra indexes, and a rewrite measured with them. */
  remedies?: { route: string; indexes: readonly IndexSpec[]; rewrite: RouteModel } | undefined;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
  /** The run's time cap (performance.now() ms): past it, no second round and no remedies start. */
  deadline?: number | undefined;
}

export interface RouteModelRun {
  routes: RouteModelResult[];
  remedies: RemedyResult[];
  /** The cap stopped the stage early: what was skipped, in words. */
  capped?: string;
  /** Milliseconds spent per side. */
  ms: number;
}

type Side = 'before' | 'after';

/**
 * Each route model before and after the index set, in two rounds (before, after; then
 * after, before: a drift of the machine falls on both sides), then the remedies: their
 * indexes built on top, the application's route and the rewrite measured with them, and
 * the remedy indexes dropped again. Leaves the target as it found it: the set visible.
 */
export async function measureRouteModels(input: RouteModelRunInput): Promise<RouteModelRun> {
  const started = performance.now();
  const { db, classes, plan, reporter, signal } = input;
  const sides = new Map<string, Record<Side, RouteModelSide[] | undefined>>(input.models.map((m) => [m.id, { before: undefined, after: undefined }]));
  const past = () => input.deadline !== undefined && performance.now() > input.deadline;
  let capped: string | undefined;
  for (const [round, order] of [
    [1, ['before', 'after']],
    [2, ['after', 'before']],
  ] as const) {
    if (round === 2 && past()) {
      capped = 'the time budget ran out after the first round of the route models: no second round, no remedies';
      break;
    }
    for (const side of order) {
      await setCreatedIndexesHidden(db, input.indexes, side === 'before');
      for (const model of input.models) {
        throwIfAborted(signal);
        reporter.notice(`route ${model.id}, ${side} the indexes (round ${round}/2)`);
        const entry = sides.get(model.id) as Record<Side, RouteModelSide[] | undefined>;
        entry[side] = await measureRouteModelRound(db, model, classes, plan, entry[side], signal);
      }
    }
  }
  await setCreatedIndexesHidden(db, input.indexes, false);
  const routes = input.models.flatMap((model) => {
    const entry = sides.get(model.id) as Record<Side, RouteModelSide[] | undefined>;
    return routeModelResults({ model, ...(entry.before ? { before: entry.before } : {}), after: entry.after ?? [] }, plan, input.indexSet);
  });

  const remedies: RemedyResult[] = [];
  const remedy = input.remedies;
  const appAfter = remedy ? sides.get(remedy.route)?.after : undefined;
  const app = remedy ? input.models.find((m) => m.id === remedy.route) : undefined;
  if (remedy && appAfter && app && past() && !capped) capped = 'the time budget ran out before the remedies: none measured';
  if (remedy && appAfter && app && !capped) {
    throwIfAborted(signal);
    reporter.notice(`remedies: building ${remedy.indexes.map((s) => s.name).join(', ')} on top of the set`);
    const built = await applyIndexes(db, remedy.indexes, { signal });
    try {
      // One round each: the application's route with the remedy indexes is dear (one call per class), the rewrite gets its 5.
      const withIndexes = await measureRouteModelRound(db, app, classes, plan, undefined, signal);
      remedies.push(remedyResult(remedy.route, 'index', `add ${remedy.indexes.map((s) => s.name).join(' and ')}`, remedy.indexes, appAfter, withIndexes, plan));
      const rewritten = await measureRouteModelRound(db, remedy.rewrite, classes, plan, undefined, signal);
      remedies.push(
        remedyResult(remedy.route, 'rewrite', `${remedy.rewrite.title}, with ${remedy.indexes.map((s) => s.name).join(' and ')}`, rewriteSpec(remedy.rewrite, remedy.indexes), appAfter, rewritten, plan),
      );
      routes.push(...routeModelResults({ model: remedy.rewrite, after: rewritten }, plan, input.indexSet));
    } finally {
      // The remedy indexes this run created are dropped: the target keeps the state the run was asked for.
      for (const o of built.filter((b) => b.status === 'created')) await db.collection(o.collection).dropIndex(o.name);
    }
  }
  return { routes, remedies, ms: performance.now() - started, ...(capped ? { capped } : {}) };
}

function rewriteSpec(model: RouteModel, indexes: readonly IndexSpec[]): unknown {
  const calls = routeCommands(model).map((c) => c.call);
  return { calls, indexes: indexes.map(({ name, collection, key }) => ({ name, collection, key })) };
}

/** A remedy with its effect per class: the application's route after the set (before) against the remedy (after), same statistics as the routes. */
function remedyResult(
  route: string,
  kind: RemedyResult['kind'],
  title: string,
  spec: unknown,
  before: readonly RouteModelSide[],
  after: readonly RouteModelSide[],
  plan: RouteModelPlan,
): RemedyResult {
  const classes = remedyEffects(before, after, plan);
  const effect = classes.find((e) => e.userClass === 'typical') ?? classes[0];
  if (!effect) throw new Error(`remedy ${title}: no class measured`);
  return { route, kind, title, spec, effect, classes };
}

function remedyEffects(before: readonly RouteModelSide[], after: readonly RouteModelSide[], plan: RouteModelPlan): RemedyEffect[] {
  const finished = after.filter((a) => !a.overLimit && !before.find((b) => b.userClass === a.userClass)?.overLimit);
  const bounds = boundsByKey(finished.map((a) => ({ key: a.userClass, before: before.find((b) => b.userClass === a.userClass)?.calls.map((c) => c.phases.total) ?? [], after: a.calls.map((c) => c.phases.total) })));
  return after.flatMap((a) => {
      const b = before.find((s) => s.userClass === a.userClass);
      if (!b) return [];
      const overLimit = { before: b.overLimit, after: a.overLimit };
      const speedup = finished.includes(a) ? speedupFields(bounds.get(a.userClass)) : { speedupEstimate: censoredEstimate(b, a, plan) };
      return [{ userClass: a.userClass, before: callPhases(b.calls), after: callPhases(a.calls), ...speedup, overLimit }];
  });
}

/**
 * The speedup when a side did not finish within the limit. If every call before reached it
 * and the remedy finished, the true ratio is at least limit / (97.5% upper bound of the
 * remedy's median): a one-sided bound that holds whatever the before side's true time.
 */
function censoredEstimate(before: RouteModelSide, after: RouteModelSide, plan: RouteModelPlan): SpeedupEstimate {
  const base = { beforeSamples: before.calls.length, afterSamples: after.calls.length };
  if (before.overLimit && !after.overLimit) {
    const upper = quantileBounds(after.calls.map((c) => c.phases.total), 0.5).upper;
    const reason = `without the remedy a command did not finish within its ${plan.maxTimeMS / 1000} s limit: only a lower bound`;
    return upper === undefined ? { ...base, reason: `${reason}, and ${after.calls.length} calls with it cannot bound its median` } : { ...base, atLeast: Math.round((plan.maxTimeMS / upper) * 10) / 10, reason };
  }
  return { ...base, reason: `a command did not finish within its ${plan.maxTimeMS / 1000} s limit${before.overLimit ? ' without the remedy' : ''}${after.overLimit ? ' with it' : ''}: lower bounds only` };
}
