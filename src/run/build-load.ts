import type { Db } from 'mongodb';
import { throwIfAborted } from '../errors.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { Measurement } from '../plan/analyze.js';
import { measurementKey } from '../keys.js';
import { callRoute } from '../route-engine/call.js';
import type { ParamValue, Route } from '../route.js';
import { speedupBounds } from '../timing/bounds.js';
import { median } from '../timing/stats.js';
import type { QueryPattern } from '../workload.js';
import type { ClassContext, SampledUser } from '../users/user-classes.js';
import { executeQuery } from './pattern-query.js';
import type { DuringBuild, LoadSide } from '../indexing/price.js';

/**
 * What a concurrent reader sees while the set is built (bench only, on its own target): the
 * runbook builds on a live staging server. A read workload is chosen on the state before the
 * build (no set yet), sampled there, then sampled again, call after call, while the build runs;
 * the slowdown is during ÷ before with the speedup's interval (sides swapped). The reader never
 * breaks the build: an error of its own is recorded and ends its sampling, and it stops when the
 * build ends, whatever happens to the build.
 */

export interface BuildLoadPlan {
  /** Calls made before the build and not sampled: the reader's first calls pay for cold caches and connections. */
  readonly warmupCalls?: number;
  /** Calls sampled before the build (the interval needs 5 on this side), within `beforeMaxMs`. */
  readonly beforeSamples: number;
  readonly beforeMaxMs: number;
  /** A workload call must finish within this before the build to be usable: a dearer one gives too few samples during a build. */
  readonly maxCallMs: number;
  /** A query pattern joins the pattern workload when its explain before the set took at most this (ms). */
  readonly quickPatternMs: number;
}

// Before the build: warmed up, then as many calls as 5 s allow, up to 200 (a cheap reader's ten first calls, cold, were
// a third slower than its calls during the build at medium: a "slowdown" of 0.66x that was the warm-up, not the build).
export const defaultBuildLoadPlan: BuildLoadPlan = {
  warmupCalls: 5,
  beforeSamples: 200,
  beforeMaxMs: 5_000,
  maxCallMs: 2_000,
  quickPatternMs: 100,
};

/** The read workload the reader repeats: one call is one sample. */
export interface ReadLoad {
  readonly kind: 'route' | 'patterns';
  /** What it is, e.g. `route prisma (typical)` or `patterns a, b (typical)`. */
  readonly workload: string;
  /** Why this one was chosen. */
  readonly why: string;
  call(): Promise<number>;
}

export interface ChooseLoadInput {
  readonly db: Db;
  readonly dm: DataModel;
  /** The gated read routes, the application's first. */
  readonly routes: readonly Route[];
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly classes: readonly ClassContext[];
  /** The users of the routes that declare their own, by route id: such a route is probed for its own typical user. */
  readonly routeUsers?: ReadonlyMap<string, readonly SampledUser[]> | undefined;
  readonly patterns: readonly QueryPattern[];
  /** The patterns' explains before the set (bench's explain-before stage). */
  readonly plansBefore: ReadonlyMap<string, Measurement> | undefined;
  readonly plan: BuildLoadPlan;
  readonly signal?: AbortSignal | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The workload, chosen on the state before the build: the first gated route whose call for the
 * typical user (the cheapest class: the heavier ones read more) finishes within `maxCallMs`,
 * probed once; else the query patterns whose explain before the set took at most
 * `quickPatternMs` for that user, run one after the other (single commands, a few ms each);
 * else none, and why.
 */
export async function chooseReadLoad(input: ChooseLoadInput): Promise<ReadLoad | { why: string }> {
  const { db, plan } = input;
  const typical = input.classes[0];
  if (!typical) return { why: 'no user class was sampled' };
  const user = { id: typical.user.userId.toHexString(), class: typical.user.userClass };
  const tried: string[] = [];
  for (const route of input.routes) {
    throwIfAborted(input.signal);
    const own = input.routeUsers?.get(route.id)?.[0];
    const routeUser = own ? { id: own.userId.toHexString(), class: own.userClass } : user;
    const callOnce = () =>
      callRoute(
        db,
        input.dm,
        route,
        { user: routeUser, params: { ...route.params, ...input.params } },
        { maxTimeMS: plan.maxCallMs, standInMaxTimeMS: plan.maxCallMs },
      );
    let probe: Awaited<ReturnType<typeof callOnce>>;
    try {
      probe = await callOnce();
    } catch (error) {
      tried.push(`route ${route.id} failed (${message(error)})`);
      continue;
    }
    if (!probe.overLimit && probe.phases.total <= plan.maxCallMs)
      return {
        kind: 'route',
        workload: `route ${route.id} (${routeUser.class})`,
        why: `${tried.map((t) => `${t}; `).join('')}route ${route.id}'s TOTAL for the ${routeUser.class} user took ${Math.round(probe.phases.total)} ms before the set (probed once), within the ${plan.maxCallMs} ms a call may take to be sampled during a build`,
        call: async () => {
          const done = await callOnce();
          if (done.overLimit) throw new Error(`route ${route.id} reached the ${plan.maxCallMs} ms limit (${done.stopped ?? 'a command'})`);
          return done.phases.total;
        },
      };
    tried.push(`route ${route.id} did not finish within ${plan.maxCallMs} ms for the ${routeUser.class} user before the set`);
  }
  const quick = input.patterns.filter((p) => {
    const m = input.plansBefore?.get(measurementKey(p.id, user.class));
    return m !== undefined && m.overLimitMs === undefined && m.explainMs !== null && m.explainMs <= plan.quickPatternMs;
  });
  const why = tried.length > 0 ? `${tried.join('; ')}: ` : '';
  if (quick.length === 0) return { why: `${why}no query pattern finished within ${plan.quickPatternMs} ms before the set` };
  return {
    kind: 'patterns',
    workload: `patterns ${quick.map((p) => p.id).join(', ')} (${user.class}), one after the other`,
    why: `${why}the query patterns whose explain took at most ${plan.quickPatternMs} ms before the set (${quick.length} of ${input.patterns.length}), single commands`,
    call: async () => {
      const started = performance.now();
      for (const p of quick) await executeQuery(db, p.collection, p.build(typical.context), { maxTimeMS: plan.maxCallMs });
      return performance.now() - started;
    },
  };
}

/** The reader's raw samples around a build. */
export interface LoadRun {
  readonly before: number[];
  readonly during: number[];
  readonly buildMs: number;
  readonly errors: string[];
}

/**
 * Samples `load` before the build, then runs `build` with a reader repeating `load` beside it
 * until the build ends. The build's result (or error) is the caller's, unchanged; the reader's
 * errors are in the run.
 */
export async function underLoad<T>(
  load: ReadLoad,
  build: () => Promise<T>,
  plan: BuildLoadPlan,
  signal?: AbortSignal,
): Promise<{ built: T; run: LoadRun }> {
  const before: number[] = [];
  const during: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < (plan.warmupCalls ?? 0) && errors.length === 0; i++) {
    throwIfAborted(signal);
    try {
      await load.call();
    } catch (error) {
      errors.push(`before the build: ${message(error)}`);
    }
  }
  const started = performance.now();
  while (errors.length === 0 && before.length < plan.beforeSamples && performance.now() - started < plan.beforeMaxMs) {
    throwIfAborted(signal);
    try {
      before.push(await load.call());
    } catch (error) {
      errors.push(`before the build: ${message(error)}`);
      break;
    }
  }
  let building = errors.length === 0;
  const reader = (async () => {
    while (building) {
      try {
        const ms = await load.call();
        if (building) during.push(ms);
      } catch (error) {
        errors.push(`during the build: ${message(error)}`);
        return;
      }
    }
  })();
  const buildStarted = performance.now();
  try {
    const built = await build();
    return { built, run: { before, during, buildMs: performance.now() - buildStarted, errors } };
  } finally {
    building = false;
    await reader;
  }
}

/** The result's `price.duringBuild`: both sides, and the slowdown during ÷ before with its interval (or why none). */
export function duringBuildResult(load: ReadLoad, run: LoadRun): DuringBuild {
  const side = (samples: number[]): LoadSide => ({ samplesMs: samples, medianMs: samples.length > 0 ? median(samples) : null });
  // The speedup's method with the sides swapped: its "before" is the samples during the build (2 degrees of freedom: 3 samples), its "after" those before (5).
  const [bound] = speedupBounds({ classes: [{ key: 'build', before: run.during, after: run.before }] });
  const tooFew =
    run.during.length < 3 || run.before.length < 5
      ? `${run.during.length} sample(s) during the build and ${run.before.length} before it: an interval needs at least 3 during and 5 before`
      : undefined;
  return {
    state: 'measured',
    kind: load.kind,
    workload: load.workload,
    why: load.why,
    before: side(run.before),
    during: side(run.during),
    buildMs: Math.round(run.buildMs * 10) / 10,
    slowdown:
      bound?.state === 'measured'
        ? {
            state: 'measured',
            ratio: bound.ratio,
            ciLow: bound.ciLow,
            ciHigh: bound.ciHigh,
            confidence: bound.confidence,
            method: bound.method,
          }
        : {
            state: 'insufficient',
            ...(bound?.ratio === undefined ? {} : { ratio: bound.ratio }),
            reason: tooFew ?? bound?.reason ?? 'no samples',
          },
    errors: run.errors,
  };
}
