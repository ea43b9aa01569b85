import type { Db } from 'mongodb';
import type { QueryPattern } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { executeQuery } from './pattern-query.js';
import { isOverLimit } from '../mongo/over-limit.js';
import type { UserClass } from '../users/user-classes.js';
import { timeCalls } from '../timing/sample.js';
import type { ClassContext } from './contexts.js';
import { measurementKey } from './explain-patterns.js';
import { defaultTimingPlan, type Side, sides, type TimedCall, type TimingPlan } from '../timing/plan.js';

export { sides, type Side } from '../timing/plan.js';

export interface SideSamples {
  /** measurementKey(pattern, class) → latency samples (ms), in call order. */
  patterns: Map<string, number[]>;
}

export interface TimingInput {
  db: Db;
  patterns: readonly QueryPattern[];
  classes: readonly ClassContext[];
  sides: readonly Side[];
  plan?: TimingPlan;
  /** Wall-time cap for all timing, ms: past it no new call starts. */
  budgetMs: number;
  /** Expected cost of one call, ms: `${side}|pattern|${measurementKey}` (see estimateCosts). */
  estimates: ReadonlyMap<string, number>;
  /** Puts the target in a side's state (bench: hide/unhide the created indexes). */
  switchTo?: (side: Side, round: number) => Promise<void>;
  /** Server-side limit per query (verify: a missing index must not hang the run). */
  maxTimeMS?: number | undefined;
  signal?: AbortSignal | undefined;
  onRound?: (round: number, rounds: number, order: readonly Side[]) => void;
}

export interface TimingOutcome {
  samples: Record<Side, SideSamples>;
  /** Every timed call in call order, with (round, side, position). */
  calls: TimedCall[];
  plan: TimingPlan;
  /** Rounds completed in full. */
  rounds: number;
  /** True when the budget stopped the plan before it was complete. */
  capped: boolean;
  /** Wall time spent on each side, ms. */
  sideMs: Record<Side, number>;
}

interface Task {
  side: Side;
  kind: 'pattern';
  id: string;
  userClass: UserClass;
  estimateMs: number;
  /** Timed calls this round (0: not timed at all). */
  samples: number;
  run: (samples: number, warmup: number) => Promise<number[]>;
}

/** Calls cheaper than this get a warm-up call first (the plan cache was just cleared). */
const cheapMs = 50;

/** The order of the sides in a round: ABBA, so that drift and warm-up fall on both sides alike. */
export function sideOrder(available: readonly Side[], round: number): Side[] {
  return round % 2 === 1 ? [...available] : [...available].reverse();
}

/**
 * Times every pattern for every user class by a fixed plan, in rounds that alternate the
 * order of the sides (before, after | after, before | …). A cheap pattern gets one untimed
 * warm-up call in the first round (the plan cache was just cleared); patterns dearer than
 * `plan.dearMs` are not executed again (their explain is their one sample). Routes are timed
 * by the route stage (src/run/measure-routes.ts), every route the same way.
 */
export async function timeRounds(input: TimingInput): Promise<TimingOutcome> {
  const plan = input.plan ?? defaultTimingPlan;
  const samples = Object.fromEntries(sides.map((s) => [s, { patterns: new Map() }])) as Record<Side, SideSamples>;
  const tasks = input.sides.flatMap((side) => buildTasks(input, plan, side, samples[side]));
  const started = performance.now();
  const sideMs: Record<Side, number> = { before: 0, after: 0 };
  const calls: TimedCall[] = [];
  let done = 0;
  let capped = false;
  let current: Side | undefined;
  const overBudget = () => performance.now() - started > input.budgetMs;

  rounds: for (let round = 1; round <= plan.rounds; round++) {
    const order = sideOrder(input.sides, round);
    input.onRound?.(round, plan.rounds, order);
    for (const side of order) {
      throwIfAborted(input.signal);
      const sideStarted = performance.now();
      if (side !== current) {
        await input.switchTo?.(side, round);
        current = side;
      }
      let position = 0;
      for (const task of tasks.filter((t) => t.side === side && t.samples > 0)) {
        throwIfAborted(input.signal);
        if (overBudget()) {
          capped = true;
          sideMs[side] += performance.now() - sideStarted;
          break rounds;
        }
        const taken = await task.run(task.samples, task.estimateMs < cheapMs && round === 1 ? 1 : 0);
        for (const ms of taken)
          calls.push({
            seq: calls.length + 1,
            round,
            side,
            position: position++,
            kind: task.kind,
            id: task.id,
            userClass: task.userClass,
            ms: roundMs(ms),
          });
      }
      sideMs[side] += performance.now() - sideStarted;
    }
    done = round;
  }
  const last = input.sides[input.sides.length - 1];
  if (last && current !== last) await input.switchTo?.(last, done + 1);
  return { samples, calls, plan, rounds: done, capped, sideMs };
}

function buildTasks(input: TimingInput, plan: TimingPlan, side: Side, into: SideSamples): Task[] {
  const tasks: Task[] = [];
  for (const { user, context } of input.classes) {
    for (const pattern of input.patterns) {
      const key = measurementKey(pattern.id, user.userClass);
      const list: number[] = [];
      into.patterns.set(key, list);
      const query = pattern.build(context);
      const estimateMs = input.estimates.get(`${side}|pattern|${key}`) ?? 10;
      const task: Task = {
        side,
        kind: 'pattern',
        id: pattern.id,
        userClass: user.userClass,
        estimateMs,
        samples: estimateMs >= plan.dearMs ? 0 : plan.patternSamplesPerRound,
        run: async (samples, warmup) => {
          const taken = await timeCalls(
            () => executeQuery(input.db, pattern.collection, query, { maxTimeMS: input.maxTimeMS }),
            { samples, warmup },
            input.signal,
          ).catch((error: unknown) => {
            // Over the limit this time (its explain finished under it): no sample, and not called again.
            if (!isOverLimit(error)) throw error;
            task.samples = 0;
            return [];
          });
          const ms = taken.map((t) => t.ms);
          list.push(...ms);
          return ms;
        },
      };
      tasks.push(task);
    }
  }
  return tasks;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Expected cost of one call of each pattern, from its explain in each state (server time plus a round trip). */
export function estimateCosts(
  plans: Partial<Record<Side, ReadonlyMap<string, { explainMs: number | null; overLimitMs?: number }>>>,
  classes: readonly ClassContext[],
  patternIds: readonly string[],
): Map<string, number> {
  const estimates = new Map<string, number>();
  for (const side of sides) {
    const sidePlans = plans[side];
    if (!sidePlans) continue;
    for (const { user } of classes) {
      for (const id of patternIds) {
        const key = measurementKey(id, user.userClass);
        const m = sidePlans.get(key);
        // A pattern over the limit is not executed again: its explain said all there is.
        estimates.set(`${side}|pattern|${key}`, m?.overLimitMs !== undefined ? Infinity : (m?.explainMs ?? 5) + 2);
      }
    }
  }
  return estimates;
}
