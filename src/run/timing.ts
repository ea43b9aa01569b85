import type { Db } from 'mongodb';
import type { QueryPattern } from '../../bench/patterns.js';
import { callRoute, type RouteCall } from '../../bench/route.js';
import { throwIfAborted } from '../errors.js';
import { executeQuery } from '../route/execute.js';
import type { UserClass } from '../route/user-classes.js';
import { collectSamples } from '../timing/sample.js';
import { driverRunner, type ClassContext } from './contexts.js';
import { measurementKey } from './explain.js';

export const sides = ['before', 'after'] as const;
export type Side = (typeof sides)[number];

export interface RouteSamples {
  total: number[];
  conversationsQuery: number[];
  parallelQueries: number[];
}

export interface SideSamples {
  /** measurementKey(pattern, class) → latency samples (ms). */
  patterns: Map<string, number[]>;
  routes: Map<UserClass, RouteSamples>;
}

export interface TimingInput {
  db: Db;
  patterns: readonly QueryPattern[];
  classes: readonly ClassContext[];
  sides: readonly Side[];
  /** Wall-time budget for all timing, ms. */
  budgetMs: number;
  /** Expected cost of one call, ms: `${side}|pattern|${measurementKey}` or `${side}|route|${class}` (see estimateCosts). */
  estimates: ReadonlyMap<string, number>;
  /** Puts the target in a side's state (bench: hide/unhide the created indexes). */
  switchTo?: (side: Side) => Promise<void>;
  maxRounds?: number;
  /** Server-side limit per query (verify: a missing index must not hang the run). */
  maxTimeMS?: number | undefined;
  signal?: AbortSignal | undefined;
  onRound?: (round: number, rounds: number) => void;
}

export interface TimingOutcome {
  samples: Record<Side, SideSamples>;
  rounds: number;
  /** True when even one round did not fit the budget (the run took longer than asked). */
  overBudget: boolean;
  /** Wall time spent on each side, ms. */
  sideMs: Record<Side, number>;
}

interface Task {
  side: Side;
  kind: 'route' | 'pattern';
  key: string;
  estimateMs: number;
  run: (box: { minSamples: number; timeMs: number; warmupIterations: number }) => Promise<void>;
}

/** Calls cheaper than this get a warm-up call first (the plan cache was just cleared). */
const cheapMs = 50;
/** Calls dearer than this get no extra time: one sample per round (patterns: one in all). */
const dearMs = 1000;
const afterRouteSamplesPerRound = 5;

/**
 * Times every pattern and the route for every user class, in rounds that alternate the
 * sides (before, after, before, after, …) so that drift of the machine falls on both
 * sides alike. Every task gets one sample per round, except dear patterns (seconds of
 * collection scans before the indexes), sampled in the first round only: the route, which
 * the gate judges, keeps one sample per round on both sides. As many rounds as the budget
 * allows (at most `maxRounds`); the time left is shared by the cheaper tasks, so they
 * collect many samples.
 */
export async function timeRounds(input: TimingInput): Promise<TimingOutcome> {
  const samples = Object.fromEntries(sides.map((s) => [s, { patterns: new Map(), routes: new Map() }])) as Record<Side, SideSamples>;
  const tasks = input.sides.flatMap((side) => buildTasks(input, side, samples[side]));
  const inRound = (task: Task, round: number) => round === 1 || task.kind === 'route' || task.estimateMs < dearMs;
  // The route after the indexes carries the latency budget (p95): it needs several samples per round.
  const minSamples = (task: Task) => (task.kind === 'route' && task.side === 'after' && task.estimateMs < dearMs ? afterRouteSamplesPerRound : 1);
  const roundCost = (round: number) =>
    tasks.filter((t) => inRound(t, round)).reduce((n, t) => n + t.estimateMs * minSamples(t), 0) + input.sides.length * 50;
  const maxRounds = input.maxRounds ?? 5;
  let rounds = 1;
  let planned = roundCost(1);
  while (rounds < maxRounds && planned + roundCost(rounds + 1) <= input.budgetMs) planned += roundCost(++rounds);
  const boxed = tasks.filter((t) => t.estimateMs < dearMs);
  const boxMs = boxed.length > 0 ? Math.max(0, input.budgetMs - planned) / (rounds * boxed.length) : 0;
  const started = performance.now();
  const sideMs: Record<Side, number> = { before: 0, after: 0 };
  let done = 0;
  let lastRepeatableMs = 0;

  for (let round = 1; round <= rounds; round++) {
    // Estimates can be wrong: stop when the last round's repeatable part would not fit.
    if (round > 1 && performance.now() - started + lastRepeatableMs > input.budgetMs) break;
    input.onRound?.(round, rounds);
    let repeatableMs = 0;
    for (const side of input.sides) {
      throwIfAborted(input.signal);
      const sideStarted = performance.now();
      await input.switchTo?.(side);
      for (const task of tasks.filter((t) => t.side === side && inRound(t, round))) {
        throwIfAborted(input.signal);
        const taskStarted = performance.now();
        await task.run({ minSamples: minSamples(task), timeMs: task.estimateMs < dearMs ? boxMs : 0, warmupIterations: task.estimateMs < cheapMs ? 1 : 0 });
        if (inRound(task, round + 1)) repeatableMs += performance.now() - taskStarted;
      }
      sideMs[side] += performance.now() - sideStarted;
    }
    lastRepeatableMs = repeatableMs;
    done = round;
  }
  await input.switchTo?.(input.sides[input.sides.length - 1] ?? 'after');
  return { samples, rounds: done, overBudget: performance.now() - started > input.budgetMs * 1.1, sideMs };
}

function buildTasks(input: TimingInput, side: Side, into: SideSamples): Task[] {
  const run = driverRunner(input.db, input.maxTimeMS);
  const tasks: Task[] = [];
  for (const { user, context } of input.classes) {
    const routeSamples: RouteSamples = { total: [], conversationsQuery: [], parallelQueries: [] };
    into.routes.set(user.userClass, routeSamples);
    tasks.push({
      side,
      kind: 'route',
      key: `route|${user.userClass}`,
      estimateMs: input.estimates.get(`${side}|route|${user.userClass}`) ?? 100,
      run: async (box) => {
        const taken = await collectSamples<RouteCall>(`${side} route ${user.userClass}`, () => callRoute(run, { userId: user.userId }), box, {
          signal: input.signal,
          onSample: (call) => {
            routeSamples.conversationsQuery.push(call.phases.conversationsQuery);
            routeSamples.parallelQueries.push(call.phases.parallelQueries);
          },
        });
        routeSamples.total.push(...taken);
      },
    });
    for (const pattern of input.patterns) {
      const key = measurementKey(pattern.id, user.userClass);
      const list: number[] = [];
      into.patterns.set(key, list);
      const query = pattern.build(context);
      tasks.push({
        side,
        kind: 'pattern',
        key: `pattern|${key}`,
        estimateMs: input.estimates.get(`${side}|pattern|${key}`) ?? 10,
        run: async (box) => {
          list.push(
            ...(await collectSamples(`${side} ${key}`, () => executeQuery(input.db, pattern.collection, query, { maxTimeMS: input.maxTimeMS }), box, { signal: input.signal })),
          );
        },
      });
    }
  }
  return tasks;
}

/**
 * Expected cost of one call of each task, from the explain of each pattern in each state
 * (server time plus a round trip); a route call is bounded by the sum of its patterns.
 */
export function estimateCosts(
  plans: Partial<Record<Side, ReadonlyMap<string, { explainMs: number | null }>>>,
  classes: readonly ClassContext[],
  patternIds: readonly string[],
): Map<string, number> {
  const estimates = new Map<string, number>();
  for (const side of sides) {
    const sidePlans = plans[side];
    if (!sidePlans) continue;
    for (const { user } of classes) {
      let route = 0;
      for (const id of patternIds) {
        const key = measurementKey(id, user.userClass);
        const cost = (sidePlans.get(key)?.explainMs ?? 5) + 2;
        estimates.set(`${side}|pattern|${key}`, cost);
        route += cost;
      }
      estimates.set(`${side}|route|${user.userClass}`, route);
    }
  }
  return estimates;
}
