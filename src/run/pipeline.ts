import { createHmac, randomBytes } from 'node:crypto';
import type { Document } from 'mongodb';
import type { IndexSetPrice } from '../indexing/price.js';
import type { CommandContext } from '../commands/command.js';
import type { LoadedThresholds } from '../gate/threshold-rules.js';
import type { LoadedHistory } from '../history/store.js';
import type { IndexOutcome } from '../indexing/apply.js';
import type { ResolvedMongod } from '../mongo/binary.js';
import { type Target, type TargetOptions, withTarget } from '../mongo/target.js';
import { type FinalOutputs, writeRunOutputs } from '../report/write.js';
import type { CheckInput, DatasetInfo, Measurement, RunResult } from '../result.js';
import type { ExplainedCommand, RoutePlan } from '../route-engine/measure.js';
import type { ClassContext, SampledUser } from '../users/user-classes.js';
import type { IndexSpec, ProfileData, QueryPattern, Workload } from '../workload.js';
import type { RoutesRun } from './measure-routes.js';
import type { WritePlan, WriteRouteRun } from './measure-writes.js';
import type { BuildLoadPlan } from './build-load.js';
import type { DuringBuild } from '../indexing/price.js';
import type { PreparedWorkload } from './replay.js';
import { dryRunRoutes, type PreparedRoutes } from './route-setup.js';
import type { TimingOutcome } from './timing.js';

/**
 * A run (bench or verify) is a list of named stages over one typed state: each stage reads
 * what earlier stages put in the state and adds its own part. `bench` and `verify` are two
 * plans of it (src/commands/bench.ts, verify.ts): the inputs they check before anything
 * starts, the target they open, and their list of stages. The pipeline opens the target,
 * runs the stages in order (timing each named one), writes the reports and records the history.
 */

/** Everything a run needs that can be checked before it starts: a mistake here is a one-line error with nothing written. */
export interface RunInputs {
  readonly command: 'bench' | 'verify';
  readonly workload: Workload;
  readonly runId: string;
  readonly outDir: string;
  readonly patterns: readonly QueryPattern[];
  readonly thresholds: LoadedThresholds;
  /** The index set judged: bench's (`--indexes` or the migration's set), verify's (the migration's). */
  readonly indexSet: readonly IndexSpec[];
  readonly routes: PreparedRoutes;
  /** A captured workload to replay (`--workload`), as one more route. */
  readonly replay?: PreparedWorkload | undefined;
  readonly routePlan: RoutePlan;
  /** What the routes stage measures: both sides of the set or the current state, and the application's remedies or not. */
  readonly routeOptions: RouteStageOptions;
  /** bench: the dataset the seed stage puts on the target (a cached copy or a fresh seed). */
  readonly seed?: SeedInputs | undefined;
  /** `--ram-gb`: the price judges the indexes against MongoDB's default cache on a server of this memory, not the target's. */
  readonly ramGb?: number | undefined;
  /** bench: how the write routes are measured (absent: not measured, `--no-writes`). */
  readonly writePlan?: WritePlan | undefined;
  /** bench: how the concurrent reader samples a read workload before and while the set is built (absent: not sampled, `--no-build-load`). */
  readonly buildLoadPlan?: BuildLoadPlan | undefined;
  readonly history?: LoadedHistory | undefined;
  /** The run's time cap (performance.now() ms): past it, what is left is skipped and said inconclusive. */
  readonly deadline?: number | undefined;
  /** The budget the text names when the cap stops something (`--budget-seconds`). */
  readonly budgetSeconds: number;
  /** `--redact-ids`: every ObjectId in result.json and the reports replaced by a pseudonym (the same id, the same pseudonym, within the run). */
  readonly redactIds?: boolean | undefined;
}

/** The dataset bench seeds: which one, the baseline's indexes, and the dataset cache's entry for it. */
export interface SeedInputs {
  readonly scale: string;
  readonly seed: number;
  readonly baseline: string;
  readonly baselineSpecs: readonly IndexSpec[];
  readonly fingerprint: string;
  /** The dataset cache's entry for this dataset on an embedded server (named by its mongod), if the cache is on. */
  readonly cacheEntryFor: (mongod: ResolvedMongod) => string | undefined;
  readonly drop: boolean;
  readonly allowRemoteWrites: boolean;
  /** `--profile`: the dataset is fitted to this profile (the workload's dataset already is); the seeded data is compared with it. */
  readonly profile?: { readonly file: string; readonly factor: number; readonly data: ProfileData } | undefined;
}

export interface RouteStageOptions {
  readonly sides: 'before-after' | 'current';
  readonly remedies: boolean;
  /** How the run's index set is named on the command line (`--set six`, or `--indexes file`), and the options to repeat (scale, seed, baseline, schema). */
  readonly gate?: { readonly program: string; readonly setArgs: readonly string[]; readonly repeat: readonly string[] } | undefined;
}

/** The state the stages fill in, in their order. */
export interface RunState {
  readonly inputs: RunInputs;
  readonly target: Target;
  readonly startedAt: Date;
  /** performance.now() when the run started: the reports' total is measured from it. */
  readonly runStarted: number;
  /** Wall time per named stage, ms (result.timings). */
  readonly timings: Record<string, number>;
  dataset?: DatasetInfo;
  /** The index set's outcomes on the target: built (bench) or inspected (verify). */
  indexes?: IndexOutcome[];
  /** The sampled users of each class, with the ids their patterns are built from. */
  classes?: readonly ClassContext[];
  /** The users of each class of the routes that declare their own (`users`), by route id, sampled with the classes. */
  routeUsers?: ReadonlyMap<string, readonly SampledUser[]>;
  plans: { before?: Map<string, Measurement>; after?: Map<string, Measurement> };
  /** The same explains as the commands the patterns sent, by `sameCommandKey` (see explainAll's `commands`). */
  explainedCommands: { before?: Map<string, ExplainedCommand>; after?: Map<string, ExplainedCommand> };
  timing?: TimingOutcome;
  routeRun?: RoutesRun;
  /** The write routes, measured before and after the set (the writes stages), and the written collections' counts around them. */
  writes?: { runs: WriteRouteRun[]; memberships: Document[]; countsBefore: Record<string, number>; countsAfter?: Record<string, number> };
  /** What the set costs and whether each index earns it (the price stage). */
  price?: IndexSetPrice;
  /** bench: what a concurrent reader saw while the set was built (the build stage). */
  duringBuild?: DuringBuild;
  /** Checks made along the way (the state checks of the timing rounds), joined to the gate's. */
  readonly checks: CheckInput[];
  notes: string[];
  /** The result, once concluded (and judged against the history, when there is one). */
  result?: RunResult;
  /** Appends the run to the history file once its reports are written. */
  recordHistory?: () => Promise<void>;
}

export interface Stage {
  /** Its wall time goes to `timings[name]`; a stage without a timing name is not timed on its own. */
  readonly name: string;
  readonly timed: boolean;
  run(state: RunState, context: CommandContext): Promise<void>;
}

export interface RunPlan {
  readonly inputs: RunInputs;
  /** How to open the target (the embedded server's options included). */
  readonly target: Omit<TargetOptions, 'host' | 'reporter' | 'cleanup' | 'signal'>;
  readonly stages: readonly Stage[];
}

export type RunOutcome = FinalOutputs;

/** A stage that fills part of the state. */
export const stage = (name: string, run: Stage['run'], timed = true): Stage => ({ name, timed, run });

/** What a stage needs from an earlier one; a missing part is a bug in the plan, not a user's mistake. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline: ${what} is not in the run state yet (a stage is missing or out of order)`);
  return value;
}

/** Runs a plan: renders its route files' first calls (a refused call is an error before anything starts), opens its target, runs its stages in order, writes the reports, records the history. */
export async function runPipeline(plan: RunPlan, context: CommandContext): Promise<RunOutcome> {
  await dryRunRoutes(plan.inputs.routes);
  const timings: Record<string, number> = {};
  const startedAt = new Date();
  const runStarted = performance.now();
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    context.reporter.notice(`${name}…`);
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round((timings[name] ?? 0) + performance.now() - started);
    }
  };
  return withTarget(
    { ...plan.target, ...context },
    async (target) => {
      const state: RunState = {
        inputs: plan.inputs,
        target,
        startedAt,
        runStarted,
        timings,
        plans: {},
        explainedCommands: {},
        checks: [],
        notes: [],
      };
      for (const s of plan.stages) {
        if (s.timed) await timed(s.name, () => s.run(state, context));
        else await s.run(state, context);
      }
      const redactIds = plan.inputs.redactIds ? idRedactor() : (text: string) => text;
      const written = await writeRunOutputs(need(state.result, 'the result'), plan.inputs.outDir, {
        redact: (text) => redactIds(target.redact(text)),
        runStarted,
      });
      await state.recordHistory?.();
      return written;
    },
    (start) => timed('start', start),
  );
}

/**
 * Replaces every ObjectId (24 hex digits) by `id:` and 10 hex digits of a keyed hash: the same
 * id gives the same pseudonym within a run, so a report still reads (the typical user's page
 * holds these conversations), and the key is random per run, so the pseudonyms cannot be
 * matched against a list of ids.
 */
export function idRedactor(key: Buffer = randomBytes(16)): (text: string) => string {
  return (text) => text.replace(/\b[0-9a-f]{24}\b/g, (id) => `id:${createHmac('sha256', key).update(id).digest('hex').slice(0, 10)}`);
}
