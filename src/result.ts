import type { IndexOutcome } from './indexes/apply.js';
import type { Environment } from './mongo/environment.js';
import type { LookupSummary, PlanNode, ShardPlan } from './plan/analyze.js';
import type { UserClass } from './users/user-classes.js';
import type { ReadCommand } from './capture/shape.js';
import type { HistorySummary } from './history/judge.js';
import type { TimedCall, TimingPlan } from './timing/plan.js';
import type { LatencyStats, Speedup, SpeedupEstimate } from './timing/stats.js';

/**
 * The result JSON (`<out>/result.json`, and `--json` on stdout): the contract's fields
 * with their contract names, plus what the reports need. Bump `resultSchemaVersion` when
 * a named field changes meaning; adding fields does not.
 */
export const resultSchemaVersion = 3;

/** One pattern's plan and cost in one state (before or after the six indexes). */
export interface Measurement {
  /** Winning plan, root first, e.g. ["LIMIT","FETCH","IXSCAN"]. */
  stages: string[];
  indexName: string | null;
  totalKeysExamined: number;
  totalDocsExamined: number;
  nReturned: number;
  /** Absent in `explain` output (plans only). */
  latencyMs?: LatencyStats;
  engine: 'classic' | 'sbe';
  collscan: boolean;
  blockingSort: boolean;
  sortedDocs: number | null;
  covered: boolean;
  indexesUsed: string[];
  /** Key pattern of `indexName` on the server (how equivalence by key is judged). */
  indexKey: Record<string, number> | null;
  /** Server-side execution time reported by explain (ms). */
  explainMs: number | null;
  lookups?: LookupSummary[];
  shards?: ShardPlan[];
  /** The winning plan as a tree (aggregation stages above the query layer's plan). */
  tree?: PlanNode;
}

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

/**
 * Milliseconds (p50) of a route's calls: TOTAL and each phase the route names (as the
 * application logs them: `conversationsQuery`, `parallelQueries` for the conversation list),
 * with full statistics.
 */
export interface Phases {
  total: number;
  /** p50 of each named phase, in the order the route ran them. */
  phases: Record<string, number>;
  /** The conversation list's phases, where the route names them (the contract's fields). */
  conversationsQuery?: number;
  parallelQueries?: number;
  /** Statistics of TOTAL (`total`) and of each named phase. */
  latencyMs: Record<string, LatencyStats> & { total: LatencyStats };
  /** TOTAL of every timed call, ms, in call order (the budget check's sample). */
  totalSamplesMs: number[];
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
  /**
   * The command reached its limit (maxTimeMS): `stages` are the planner's, and the work
   * counts are projected from a probe (the first documents into its $lookup), not measured.
   */
  overLimit?: { limitMs: number; probe?: { outerDocs: number; docsExamined: number; keysExamined: number; collectionScans: number; totalOuterDocs: number; projectedDocsExamined: number } };
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

/** Who a route is measured for: a user class, or (a replayed workload) the captured parameters. */
export type RouteAudience = UserClass | 'captured';

/** One route for one user class (`routes[]`): a built-in route or a route file, the driver model included. */
export interface RouteResult {
  id: string;
  title: string;
  /** Where the route's code comes from (the application's file and commit). */
  source?: string;
  /** The route file it was loaded from (built-in routes: their module under bench/routes/). */
  file: string;
  userClass: RouteAudience;
  /** The sampled user (absent for a replayed workload): its id, and its active memberships. */
  user?: { id: string; memberships: number };
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
  /** The effect for every user class. */
  classes: RemedyEffect[];
}

export interface RemedyEffect {
  userClass: RouteAudience;
  before: Phases;
  after: Phases;
  speedup?: Speedup;
  speedupEstimate?: SpeedupEstimate;
  overLimit: { before: boolean; after: boolean };
}

export const checkKinds = ['index', 'plan', 'state', 'speedup', 'budget', 'limit', 'counts', 'regression'] as const;
export type CheckKind = (typeof checkKinds)[number];

/** What one check concluded: `inconclusive` when the samples the run could take cannot decide it. */
export const checkOutcomes = ['pass', 'fail', 'inconclusive'] as const;
export type CheckOutcome = (typeof checkOutcomes)[number];

export interface GateCheck {
  check: CheckKind;
  /** pass, fail, or inconclusive (the data cannot decide; never turned into pass or fail). */
  outcome: CheckOutcome;
  pattern?: string;
  /** The route model a check is about (`routes[].id`), and its command's step. */
  route?: string;
  step?: string;
  index?: string;
  userClass?: RouteAudience;
  collection?: string;
  passed: boolean;
  message: string;
}

/** A check as the rules write it: `outcome` defaults to pass or fail from `passed`. */
export type CheckInput = Omit<GateCheck, 'outcome'> & { outcome?: CheckOutcome };

export interface GateFailure {
  check: CheckKind;
  pattern?: string;
  route?: string;
  step?: string;
  index?: string;
  userClass?: RouteAudience;
  message: string;
}

/** The gate's verdict and its exit code: pass 0, fail 1, inconclusive 3 (any fail wins over inconclusive). */
export type Verdict = CheckOutcome;

export interface GateResult {
  verdict: Verdict;
  /** verdict === "pass". */
  passed: boolean;
  failures: GateFailure[];
  /** Checks the samples could not decide (the reason is in the message). */
  inconclusive: GateFailure[];
  /** Every check made, passed or not (JUnit has one test case per check). */
  checks: GateCheck[];
}

export interface DatasetInfo {
  scale: string | null;
  seed: number | null;
  baseline: string | null;
  counts: Record<string, number>;
  fingerprint: string;
  /** "indexgate" when indexgate seeded it (bench), else "target" (verify on someone's data). */
  origin: 'indexgate' | 'target';
}

export interface RunResult {
  schemaVersion: number;
  command: 'bench' | 'verify';
  runId: string;
  startedAt: string;
  finishedAt: string;
  tool: { name: 'indexgate'; version: string; commit: string | null };
  environment: Environment;
  dataset: DatasetInfo;
  indexes: IndexOutcome[];
  patterns: PatternResult[];
  /** Every route measured, one entry per route and user class (the driver model, the application's, route files, a replayed workload). */
  routes: RouteResult[];
  /** Remedies measured for the application's route, with their effect. */
  remedies?: RemedyResult[];
  gate: GateResult;
  thresholds: { source: string; values: unknown };
  /** Wall time of each stage, ms (start, seed, before, build, after, report). */
  timings: Record<string, number>;
  /** Things a reader must know to judge the figures (Wine floor, unserved patterns, budget). */
  notes: string[];
  /** With `--history`: the series this run was judged against (src/history/judge.ts). */
  history?: HistorySummary & { file: string };
  /** The timing plan and every timed call in call order, with (round, side, position). */
  timing?: { plan: TimingPlan; capped: boolean; rounds: number; calls: TimedCall[] };
}
