import type { IndexOutcome } from './indexing/apply.js';
import type { Environment } from './mongo/environment.js';
import type { Measurement } from './plan/analyze.js';
import type { Phases } from './timing/stats.js';

export type { Measurement } from './plan/analyze.js';
export type { Phases } from './timing/stats.js';
import type { ReadCommand } from './capture/shape.js';
import type { HistorySummary } from './history-summary.js';
import type { GateResult, RouteAudience } from './checks.js';
import type { UserClass } from './users/user-classes.js';
import type { IndexSetPrice } from './indexing/price.js';
import type { ProfileFit } from './workload.js';
import type { RouteUsers } from './route.js';

export {
  checkKinds,
  checkOutcomes,
  type CheckInput,
  type CheckKind,
  type CheckOutcome,
  type GateCheck,
  type GateFailure,
  type GateResult,
  type RouteAudience,
  type Verdict,
  verdicts,
} from './checks.js';
import type { TimedCall, TimingPlan } from './timing/plan.js';
import type { Speedup, SpeedupEstimate } from './timing/stats.js';

/**
 * The result JSON (`<out>/result.json`, and `--json` on stdout): the contract's fields
 * with their contract names, plus what the reports need. Bump `resultSchemaVersion` when
 * a named field changes meaning; adding fields does not.
 */
export const resultSchemaVersion = 3;

export interface PatternResult {
  id: string;
  title: string;
  collection: string;
  gated: boolean;
  userClass: UserClass;
  intendedIndexes: string[];
  /** Why the six do not serve it, when they do not. */
  note?: string;
  before?: Measurement;
  after: Measurement;
  /** Only where an interval was measured. */
  speedup?: Speedup;
  /** Where it was not: the point estimate and why there is no interval. */
  speedupEstimate?: SpeedupEstimate;
}

/** One command of a route model on one side: its plan and work, and what came back to the client. */
export interface CommandMeasurement extends Measurement {
  returnedDocs: number;
  /** BSON bytes returned to the client: the cost no plan shows when the client keeps only some. */
  returnedBytes: number;
  /** For a count: the number it counted (its work is judged against it, not against the one document it returns). */
  counted?: number;
  /** What the client kept after its in-memory work, and the time that work took. */
  clientSide?: { keptDocs: number; ms: number };
  /** Its plan and work are the explain a query pattern made of the same command on the same state (e.g. `pattern lastMessage (heavy)`). */
  measuredAs?: string;
  /**
   * The command reached its limit (maxTimeMS): `stages` are the planner's, and the work
   * counts are projected from a probe (the first documents into its $lookup), not measured.
   */
  overLimit?: {
    limitMs: number;
    /** Not sent for this class: its join is known over the limit on this state whoever asks (why). */
    inferred?: string;
    /**
     * It did not finish because the server refused it for the data it met (a result over 16 MB, a $lookup or sort over its
     * memory limit): the server's code and message. The application's call fails there too.
     */
    failed?: string;
    probe?: ProbeWork;
  };
}

/** A $lookup's work measured on its first outer documents (the probe), projected to all of them. */
export interface ProbeWork {
  outerDocs: number;
  docsExamined: number;
  keysExamined: number;
  collectionScans: number;
  totalOuterDocs: number;
  projectedDocsExamined: number;
  /** The probe's execution time scaled to every outer document (ms): how long the $lookup alone would take. */
  projectedMs?: number;
  /** The probe's own execution time (ms); when it let every outer document in (`totalOuterDocs` ≤ `outerDocs`), the $lookup's. */
  probeMs?: number;
}

export interface RouteCommandResult {
  step: string;
  /** The application's call, as written in its code. */
  call: string;
  collection: string;
  command: ReadCommand;
  /** The filter or pipeline as sent, real values (after the six); a replayed shape's commands as sent. */
  shape: unknown;
  /** File and function of the source the shape was read from. */
  source: string;
  before?: CommandMeasurement;
  after: CommandMeasurement;
  /** After the six (the contract's fields): documents and BSON bytes returned, and the client's work. */
  returnedDocs: number;
  returnedBytes: number;
  clientSide?: { describe: string; keptDocs: number; ms: number };
  /** A replayed shape: what the capture recorded, and the time per execution and weighted by the recorded count on each side. */
  captured?: CapturedCommand;
}

/** A replayed shape beside its recording: per execution (p50 of the timed calls over the parameter sets) and × the recorded count. */
export interface CapturedCommand {
  count: number;
  recorded: { p50Ms: number; totalMs: number; planSummary: string | null };
  params: number;
  /** null where the side has no timed call (over the limit). */
  perExecutionMs: { before?: number | null; after: number | null };
  /** Per execution × count: the time the recorded traffic would take on each side (ms). */
  weightedMs: { before?: number | null; after: number | null };
  /** Time of one execution in each timed call after the set (the call's time over its parameter sets), ms. */
  afterSamplesMs: number[];
  /** The shape's own speedup, where both sides were timed (the route models' method, shapes as its groups). */
  speedup?: Speedup;
  speedupEstimate?: SpeedupEstimate;
}

/** One route for one user class (`routes[]`): a built-in route or a route file, the driver model included. */
export interface RouteResult {
  id: string;
  title: string;
  /** Where the route's code comes from (the application's file and commit). */
  source?: string;
  /** The route file it was loaded from (built-in routes: their module under bench/routes/). */
  file: string;
  userClass: RouteAudience;
  /**
   * The sampled user (absent for a replayed workload): its id, and the load it was ranked by (its
   * active memberships under the workload's rule, its related records under the route's `users`).
   */
  user?: { id: string; memberships: number };
  /** The route's own users declaration, as its file gives it (absent: the workload's users). */
  users?: RouteUsers;
  /** The route's parameters as it ran (defaults, then --route-param). */
  params: Record<string, string | number | boolean | null>;
  /** `gated`: judged by the gate; `remedy`: a rewrite measured as a remedy, reported, not judged. */
  role: 'gated' | 'remedy';
  /** Phases (p50 of the timed calls); when `overLimit` says so for a side, a lower bound. */
  before?: Phases;
  after: Phases;
  speedup?: Speedup;
  speedupEstimate?: SpeedupEstimate;
  /** A command reached the limit on that side: the route did not finish within it. */
  overLimit: { before: boolean; after: boolean; limitMs: number };
  /** The step whose limit ended a side's calls (the commands after it were not sent), per side. */
  stopped?: { before?: string; after?: string };
  /** A command the server refused for the data it met ended that side's calls (`commands[].overLimit.failed`): the call fails, per side. */
  failed?: { before?: string; after?: string };
  /** indexgate's own time per call (rendering, result shaping, stand-ins), p50 ms: never counted in the phases. */
  overheadMs?: { before?: number; after: number };
  commands: RouteCommandResult[];
  /** Indexes of the set (the six) some command of this route used after they were built, and those none used. */
  indexesUsed: string[];
  indexesUnused: string[];
}

/** A measured remedy for a route that stays slow after the six (`remedies[]`). */
export interface RemedyResult {
  route: string;
  kind: 'index' | 'rewrite';
  title: string;
  /** An index spec as `indexes list --json` prints it, or the call to write. */
  spec: unknown;
  /** The typical user's effect (the contract's `effect`): the route after the six (before), with the remedy too (after). */
  effect: RemedyEffect;
  /** The effect for every user class measured. */
  classes: RemedyEffect[];
  /** Classes not measured, and why: a class over the limit with the remedy already shows it does not bring every class under the budget. */
  notMeasured?: { classes: string[]; reason: string };
  /** The command line that gates this remedy as the migration to ship: its index set (the run's and the remedy's) and its route. */
  gateCommand?: string;
}

export interface RemedyEffect {
  userClass: RouteAudience;
  before: Phases;
  after: Phases;
  speedup?: Speedup;
  speedupEstimate?: SpeedupEstimate;
  overLimit: { before: boolean; after: boolean };
}

export interface DatasetInfo {
  scale: string | null;
  seed: number | null;
  baseline: string | null;
  counts: Record<string, number>;
  fingerprint: string;
  /** "indexgate" when indexgate seeded it (bench), else "target" (verify on someone's data). */
  origin: 'indexgate' | 'target';
  /** `bench --profile`: the profile the data was fitted to, and each of its figures beside the seeded data's. */
  profile?: { file: string; factor: number; fit: ProfileFit[] };
}

export interface RunResult {
  schemaVersion: number;
  command: 'bench' | 'verify';
  runId: string;
  startedAt: string;
  finishedAt: string;
  tool: { name: 'indexgate'; version: string; commit: string | null };
  /** The application measured (`--app`): its name, the commit it stands for and that commit's date. The history keys runs by name and commit. */
  application?: { name: string; commit: string; date: string };
  environment: Environment;
  dataset: DatasetInfo;
  indexes: IndexOutcome[];
  patterns: PatternResult[];
  /** Every route measured, one entry per route and user class (the driver model, the application's, route files, a replayed workload). */
  routes: RouteResult[];
  /** The id of the application's own route in `routes[]` (the workload names it): the one the sign-off answer is about. */
  applicationRoute?: string;
  /** Remedies measured for the application's route, with their effect. */
  remedies?: RemedyResult[];
  gate: GateResult;
  thresholds: { source: string; values: unknown };
  /** Wall time of each stage, ms (start, seed, before, build, after, report). */
  timings: Record<string, number>;
  /** What the index set costs (sizes on disk, beside the data and the WiredTiger cache) and, per index, what used it, what makes it redundant, a verdict. */
  price?: IndexSetPrice;
  /** Where the routes stage spent its time, per route and side and per remedy (ms): timed calls, capture, waits on over-limit calls, explains, probes. */
  routeTimings?: RouteTimeBreakdown[];
  /** bench: what the set costs the application's writes (its write routes, before and after the set, every write undone). */
  writes?: WritesResult;
  /** Things a reader must know to judge the figures (Wine floor, unserved patterns, budget). */
  notes: string[];
  /** With `--history`: the series this run was judged against (src/history/judge.ts). */
  history?: HistorySummary & { file: string };
  /** The timing plan and every timed call in call order, with (round, side, position). */
  timing?: { plan: TimingPlan; capped: boolean; rounds: number; calls: TimedCall[] };
}

/** The write routes measured on both sides of the set, and the proof that the data is what it was. */
export interface WritesResult {
  routes: WriteRouteResult[];
  /** Every write undone and checked (no inserted document left, every changed one byte for byte as before), and the counts of the written collections equal before and after. */
  restored: boolean;
  countsBefore: Record<string, number>;
  countsAfter: Record<string, number>;
  /** `writes.maxSlowdown` of the thresholds, when set. */
  maxSlowdown?: number;
}

export interface WriteSideResult {
  /** Each timed call's whole time (its reads, writes and the client's work), ms. */
  samplesMs: number[];
  /** null: no call finished within the limit on this side (`overLimit`). */
  medianMs: number | null;
  /** Index keys written per call, per collection (the profiler's keysInserted and keysDeleted, mean over the counted calls). */
  keys: { collection: string; inserted: number; deleted: number }[];
  /**
   * A call reached the limit on this side (its step, the limit in ms): the route was not called again on this side, so its
   * samples are the calls before it; `counted`: it was the call that counts keys, so `keys` are unknown (empty).
   */
  overLimit?: { step: string; limitMs: number; counted: boolean };
}

export interface WriteRouteResult {
  id: string;
  title: string;
  file: string;
  source?: string;
  /** What one call sends, in order, with each step's median time per side (ms). */
  steps: { step: string; kind: 'read' | 'insert' | 'update'; collection: string; beforeMs?: number; afterMs?: number }[];
  before?: WriteSideResult;
  after?: WriteSideResult;
  /** The index keys the set adds per call (after − before), per collection: a work count, the same on any machine; empty when a side's keys are unknown (`keysUnknown`). */
  extraKeys: { collection: string; inserted: number; deleted: number }[];
  /** Why the keys the set adds are not known: a side's counted call reached its limit. */
  keysUnknown?: string;
  /** After ÷ before of the call's time (geometric-mean ratio) with its interval; `insufficient` when the samples cannot bound it. */
  slowdown?:
    | { state: 'measured'; ratio: number; ciLow: number; ciHigh: number; confidence: number; method: string }
    | { state: 'insufficient'; ratio?: number; reason: string };
}

/**
 * Where a route's wall time goes (ms), accumulated as it is measured: the calls whose times
 * are samples, the first call (the capture), calls that ended on a command over the limit
 * (waiting for the limit), the explains of its commands, and the plan and probe of commands
 * over the limit. What a faster run must cut, measured before it is cut.
 */
export interface TimeSpent {
  timedCalls: number;
  capture: number;
  overLimitCalls: number;
  explains: number;
  probes: number;
}

/** Where one part of the routes stage spent its wall time (ms): a route on one side, or a remedy. */
export interface RouteTimeBreakdown {
  route: string;
  part: 'before' | 'after' | 'current' | 'remedy indexes' | 'remedy rewrite';
  /** The remedy's index builds (part `remedy indexes`). */
  buildMs?: number;
  spent: TimeSpent;
  totalMs: number;
}
