import type { Db } from 'mongodb';
import type { IndexSpec } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { applyIndexes, type IndexOutcome } from '../indexing/apply.js';
import { setCreatedIndexesHidden } from '../indexing/hide.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { Reporter } from '../progress.js';
import type { ProbeWork, RemedyEffect, RemedyResult, RouteResult } from '../result.js';
import { callPhases, censoredEstimate, routeResults } from '../route-engine/results.js';
import {
  type Audience,
  audiencesOf,
  type ExplainedCommand,
  type MeasureContext,
  measureRouteRound,
  noTimeSpent,
  type RouteTimeBreakdown,
  type TimeSpent,
  type RoutePlan,
  type RouteSide,
} from '../route-engine/measure.js';
import type { CommandShape } from '../route-engine/recorder.js';
import type { ParamValue, Route } from '../route.js';
import { boundsByKey, speedupFields } from '../timing/summaries.js';

/** A sampled user as `routesFor` reads it. */
interface SampledFor {
  readonly userClass: string;
  readonly userId: { toHexString(): string };
  readonly memberships: number;
}

/**
 * Each route with its audiences (the sampled users of every class, or once for a replayed
 * workload), and the users' loads by class: a route that declares its users (`own`, by route
 * id) is measured for its own.
 */
export function routesFor(
  routes: readonly Route[],
  classes: readonly { user: SampledFor }[],
  params: Readonly<Record<string, ParamValue>>,
  own?: ReadonlyMap<string, readonly SampledFor[]>,
): { routes: RouteToMeasure[]; memberships: Map<string, number> } {
  const loads = (users: readonly SampledFor[]) => new Map(users.map((u) => [u.userClass, u.memberships]));
  const audiences = (route: Route, users: readonly SampledFor[]) =>
    audiencesOf(
      route,
      users.map((u) => ({ userClass: u.userClass, userId: u.userId.toHexString() })),
      params,
    );
  const workloadUsers = classes.map((k) => k.user);
  return {
    routes: routes.map((route) => {
      const users = own?.get(route.id);
      return users
        ? { route, audiences: audiences(route, users), memberships: loads(users) }
        : { route, audiences: audiences(route, workloadUsers) };
    }),
    memberships: loads(workloadUsers),
  };
}

/** A route to measure, and who it is measured for. */
export interface RouteToMeasure {
  readonly route: Route;
  readonly audiences: readonly Audience[];
  /** Its own users' loads by class (a route that declares its users); absent: the run's `memberships`. */
  readonly memberships?: ReadonlyMap<string, number>;
}

export interface RoutesRunInput {
  db: Db;
  dm: DataModel;
  routes: readonly RouteToMeasure[];
  /** The index set's outcomes: what is hidden for "before"; absent: one side only (verify: the current state). */
  indexes?: readonly IndexOutcome[] | undefined;
  indexSet: readonly IndexSpec[];
  plan: RoutePlan;
  /** What to measure for the application's route if it stays slow: extra indexes, and a rewrite measured with them. */
  remedies?: { route: string; indexes: readonly IndexSpec[]; rewrite: RouteToMeasure } | undefined;
  /** Active memberships of each sampled user, by class (for the reports). */
  memberships?: ReadonlyMap<string, number>;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
  /** The run's time cap (performance.now() ms): past it, no second round and no remedies start. */
  deadline?: number | undefined;
  /**
   * Probes already measured on a state by an earlier stage (the query patterns' explains, src/run/explain-patterns.ts),
   * by state (`before`, `after`, or `current` for verify) and probe key: a route's join then needs no probe of its own.
   */
  knownProbes?: Partial<Record<'before' | 'after' | 'current', ReadonlyMap<string, ProbeWork>>> | undefined;
  /** Commands the query patterns' explains already measured on a state, by state and `sameCommandKey` (see MeasureContext.explained). */
  knownExplains?: Partial<Record<'before' | 'after' | 'current', ReadonlyMap<string, ExplainedCommand>>> | undefined;
}

export interface RoutesRun {
  routes: RouteResult[];
  remedies: RemedyResult[];
  /** Where the stage's time went, part by part, in the order measured. */
  breakdown: RouteTimeBreakdown[];
  /** The cap stopped the stage early: what was skipped, in words. */
  capped?: string;
  ms: number;
  /**
   * Each route's commands after the set, per class, as sent (the rewrite's with the remedy
   * indexes): what the price explains again with an index hidden (src/run/needed.ts). Not in
   * result.json (its `shape` is the same, as JSON).
   */
  sent: SentCommand[];
}

/** A route command as it was sent after the set, for one class. */
export interface SentCommand {
  readonly route: string;
  readonly userClass: string;
  readonly step: string;
  readonly collection: string;
  readonly shapes: readonly CommandShape[];
  /** `remedy`: measured with the remedy indexes on top of the set, dropped since. */
  readonly role: RouteResult['role'];
}

const sentOf = (route: string, sides: readonly RouteSide[], role: SentCommand['role']): SentCommand[] =>
  sides.flatMap((side) =>
    side.commands.map((c) => ({ route, userClass: side.userClass, step: c.step, collection: c.collection, shapes: c.shapes, role })),
  );

type Side = 'before' | 'after';

/**
 * Why the index remedy is not measured for the classes after `side`'s, if it is not: it left `side`'s class at the commands'
 * limit, a command still over it, or every command finished but the call took the limit or more in all (the limit is ten
 * budgets at the shipped thresholds: src/route-engine/measure.ts commandLimitFor). Either way it cannot bring every class
 * under the budget, and each class after it would take as long again. Which of the two happens depends on the machine's
 * speed (at medium the application's typical call with the remedy took 17.9-20.1 s in all on one machine, and reached the limit
 * in one command on a slower one); the outcome, the classes after it not measured, does not.
 */
export function remedyStop(side: RouteSide, plan: Pick<RoutePlan, 'maxTimeMS'>): string | undefined {
  const limit = `${plan.maxTimeMS / 1000} s`;
  const couldNot = 'it cannot bring every class under the budget';
  if (side.overLimit)
    return `${side.userClass} still had a command over its ${limit} limit with the remedy${side.stopped ? ` (${side.stopped})` : ''}: ${couldNot}`;
  const totals = side.calls.map((c) => c.phases.total);
  const fastest = Math.min(...totals);
  if (totals.length > 0 && fastest >= plan.maxTimeMS)
    return `${side.userClass} took ${(fastest / 1000).toFixed(1)} s with the remedy (every command finished), the ${limit} command limit or more in all: ${couldNot}`;
  return undefined;
}

/**
 * Every route before and after the index set, in two rounds (before, after; then after,
 * before: a drift of the machine falls on both sides), then the remedies: their indexes built
 * on top, the application's route and the rewrite measured with them, and the remedy indexes
 * dropped again. Leaves the target as it found it: the set visible. Without `indexes` (verify)
 * each route is measured on the target's current state only, in two rounds all the same.
 */
export async function measureRoutes(input: RoutesRunInput): Promise<RoutesRun> {
  const started = performance.now();
  const { db, plan, reporter, signal } = input;
  const breakdown: RouteTimeBreakdown[] = [];
  // One probe cache per index state: before, after (or current), and the remedy indexes on top (both remedy parts).
  // What is known of one index state (its probes, its joins over the limit) holds for every class and route measured on
  // it, never for another state.
  const known = new Map<string, Pick<MeasureContext, 'probes' | 'joinsOverLimit' | 'explained'>>();
  const knownOn = (part: RouteTimeBreakdown['part']) => {
    const state = part.startsWith('remedy') ? 'remedy' : part;
    const earlier = state === 'remedy' ? undefined : (state as 'before' | 'after' | 'current');
    const seeded = earlier && input.knownProbes?.[earlier];
    const entry = known.get(state) ?? {
      probes: new Map(seeded ?? []),
      joinsOverLimit: new Map(),
      explained: earlier && input.knownExplains?.[earlier],
    };
    known.set(state, entry);
    return entry;
  };
  /** Measures `fn` with a context that accumulates where the time goes, under (route, part). */
  const account = async <T>(route: string, part: RouteTimeBreakdown['part'], fn: (ctx: MeasureContext) => Promise<T>): Promise<T> => {
    let entry = breakdown.find((b) => b.route === route && b.part === part);
    if (!entry) breakdown.push((entry = { route, part, spent: noTimeSpent(), totalMs: 0 }));
    const began = performance.now();
    try {
      return await fn({ db, dm: input.dm, plan, signal, spent: entry.spent, ...knownOn(part) });
    } finally {
      entry.totalMs += performance.now() - began;
    }
  };
  const sides = new Map<string, Record<Side, RouteSide[] | undefined>>(
    input.routes.map((r) => [r.route.id, { before: undefined, after: undefined }]),
  );
  const past = () => input.deadline !== undefined && performance.now() > input.deadline;
  let capped: string | undefined;
  const rounds = input.indexes
    ? ([
        [1, ['before', 'after']],
        [2, ['after', 'before']],
      ] as const)
    : ([
        [1, ['after']],
        [2, ['after']],
      ] as const);
  for (const [round, order] of rounds) {
    if (round === 2 && past()) {
      capped = 'the time budget ran out after the first round of the routes: no second round, no remedies';
      break;
    }
    for (const side of order) {
      if (input.indexes) await setCreatedIndexesHidden(db, input.indexes, side === 'before');
      for (const { route, audiences } of input.routes) {
        throwIfAborted(signal);
        reporter.notice(`route ${route.id}, ${input.indexes ? `${side} the indexes` : 'current state'} (round ${round}/${rounds.length})`);
        const entry = sides.get(route.id) as Record<Side, RouteSide[] | undefined>;
        entry[side] = await account(route.id, input.indexes ? side : 'current', (ctx) =>
          measureRouteRound(ctx, route, audiences, entry[side]),
        );
      }
    }
  }
  if (input.indexes) await setCreatedIndexesHidden(db, input.indexes, false);
  const shared = [...sides.values()]
    .flatMap((e) => [...(e.before ?? []), ...(e.after ?? [])])
    .flatMap((s) => s.commands.filter((c) => c.measuredAs));
  if (shared.length > 0)
    reporter.notice(
      `routes: ${shared.length} command(s) sent by a route and a query pattern alike on the same state, measured on the pattern's explain`,
    );
  const sent = input.routes.flatMap(({ route }) => sentOf(route.id, sides.get(route.id)?.after ?? [], 'gated'));
  const results = input.routes.flatMap(({ route, memberships = input.memberships }) => {
    const entry = sides.get(route.id) as Record<Side, RouteSide[] | undefined>;
    return routeResults(
      {
        route,
        ...(entry.before ? { before: entry.before } : {}),
        after: entry.after ?? [],
        ...(memberships ? { memberships } : {}),
      },
      plan,
      input.indexSet,
    );
  });

  const remedies: RemedyResult[] = [];
  const remedy = input.remedies;
  const appAfter = remedy ? sides.get(remedy.route)?.after : undefined;
  const app = remedy ? input.routes.find((r) => r.route.id === remedy.route) : undefined;
  if (remedy && appAfter && app && past() && !capped) capped = 'the time budget ran out before the remedies: none measured';
  if (remedy && appAfter && app && !capped) {
    throwIfAborted(signal);
    reporter.notice(`remedies: building ${remedy.indexes.map((s) => s.name).join(', ')} on top of the set`);
    const building = performance.now();
    const built = await applyIndexes(db, remedy.indexes, { signal });
    const buildMs = performance.now() - building;
    try {
      // One round each: the application's route with the remedy indexes is dear (one call per class), the rewrite gets its 6.
      // Class by class: one the remedy leaves at the limit (remedyStop) already shows the remedy cannot
      // bring every class under it; the classes after it are not measured (each would wait as long again), and the result says so.
      const withIndexes: RouteSide[] = [];
      let stop: string | undefined;
      for (const audience of app.audiences) {
        const [side] = (await account(remedy.route, 'remedy indexes', (ctx) =>
          // Its effect is read from the calls' TOTAL: its commands are not explained (nothing reads their plans).
          measureRouteRound({ ...ctx, explainCommands: false }, app.route, [audience], undefined),
        )) as [RouteSide];
        withIndexes.push(side);
        stop = remedyStop(side, plan);
        if (stop) break;
      }
      const skipped = app.audiences.slice(withIndexes.length).map((a) => a.userClass);
      const indexesPart = breakdown.find((b) => b.part === 'remedy indexes');
      if (indexesPart) indexesPart.buildMs = buildMs;
      remedies.push(
        remedyResult(
          remedy.route,
          'index',
          `add ${remedy.indexes.map((s) => s.name).join(' and ')}`,
          remedy.indexes,
          appAfter,
          withIndexes,
          plan,
        ),
      );
      if (skipped.length > 0 && stop) (remedies[remedies.length - 1] as RemedyResult).notMeasured = { classes: skipped, reason: stop };
      const rewritten = await account(remedy.rewrite.route.id, 'remedy rewrite', (ctx) =>
        measureRouteRound(ctx, remedy.rewrite.route, remedy.rewrite.audiences, undefined),
      );
      sent.push(...sentOf(remedy.rewrite.route.id, rewritten, 'remedy'));
      remedies.push(
        remedyResult(
          remedy.route,
          'rewrite',
          `${remedy.rewrite.route.title}, with ${remedy.indexes.map((s) => s.name).join(' and ')}`,
          rewriteSpec(remedy.rewrite.route, rewritten, remedy.indexes),
          appAfter,
          rewritten,
          plan,
        ),
      );
      results.push(
        ...routeResults(
          {
            route: remedy.rewrite.route,
            after: rewritten,
            role: 'remedy',
            ...(input.memberships ? { memberships: input.memberships } : {}),
          },
          plan,
          input.indexSet,
        ),
      );
    } finally {
      // The remedy indexes this run created are dropped: the target keeps the state the run was asked for.
      for (const o of built.filter((b) => b.status === 'created')) await db.collection(o.collection).dropIndex(o.name);
    }
  }
  const rounded = breakdown.map((b) => ({
    ...b,
    ...(b.buildMs === undefined ? {} : { buildMs: Math.round(b.buildMs) }),
    spent: Object.fromEntries(Object.entries(b.spent).map(([k, v]) => [k, Math.round(v)])) as unknown as TimeSpent,
    totalMs: Math.round(b.totalMs),
  }));
  return { routes: results, remedies, breakdown: rounded, sent, ms: performance.now() - started, ...(capped ? { capped } : {}) };
}

/** The rewrite as a remedy spec: the route file and the calls it made, and the indexes it needs. */
function rewriteSpec(route: Route, sides: readonly RouteSide[], indexes: readonly IndexSpec[]): unknown {
  const calls = [...new Set(sides.flatMap((s) => s.commands.map((c) => c.call)))];
  return { route: route.id, file: route.file, calls, indexes: indexes.map(({ name, collection, key }) => ({ name, collection, key })) };
}

/** A remedy with its effect per class: the application's route after the set (before) against the remedy (after), same statistics as the routes. */
function remedyResult(
  route: string,
  kind: RemedyResult['kind'],
  title: string,
  spec: unknown,
  before: readonly RouteSide[],
  after: readonly RouteSide[],
  plan: RoutePlan,
): RemedyResult {
  const classes = remedyEffects(before, after, plan);
  const effect = classes.find((e) => e.userClass === 'typical') ?? classes[0];
  if (!effect) throw new Error(`remedy ${title}: no class measured`);
  return { route, kind, title, spec, effect, classes };
}

function remedyEffects(before: readonly RouteSide[], after: readonly RouteSide[], plan: RoutePlan): RemedyEffect[] {
  const finished = after.filter((a) => !a.overLimit && !before.find((b) => b.userClass === a.userClass)?.overLimit);
  const bounds = boundsByKey(
    finished.map((a) => ({
      key: a.userClass,
      before: before.find((b) => b.userClass === a.userClass)?.calls.map((c) => c.phases.total) ?? [],
      after: a.calls.map((c) => c.phases.total),
    })),
  );
  return after.flatMap((a) => {
    const b = before.find((s) => s.userClass === a.userClass);
    if (!b) return [];
    const overLimit = { before: b.overLimit, after: a.overLimit };
    const speedup = finished.includes(a) ? speedupFields(bounds.get(a.userClass)) : { speedupEstimate: censoredEstimate(b, a, plan) };
    return [
      {
        userClass: a.userClass as RemedyEffect['userClass'],
        before: callPhases(b.calls),
        after: callPhases(a.calls),
        ...speedup,
        overLimit,
      },
    ];
  });
}
