import { createHash } from 'node:crypto';
import { z } from 'zod';
import { measurementKey } from '../keys.js';
import { failureKey } from '../gate/evaluate.js';
import { type Phases, type RouteAudience, type RunResult, verdicts } from '../result.js';
import { userClasses } from '../users/user-classes.js';

/**
 * One line of the history file (JSON Lines, `bench --history <file>`): a `run` record for
 * each run that measured validly, whatever its verdict, or an `accept` record that moves
 * the baseline on purpose (`history accept`). Lines are only ever appended.
 *
 * A run record carries everything that decides whether two runs may be compared (its
 * `setting`, see comparability.ts) and the statistics of each measure, so that a later
 * detector can be run again over the whole series without the result JSON.
 */

/** The driver model's route id in measure keys. */
export const driverRoute = 'driver';

/** The key of a route measure: the route's TOTAL after the indexes for one user class, e.g. "route:prisma|typical". */
export type MeasureKey = `route:${string}|${RouteAudience}`;
export const measureKey = (route: string, audience: RouteAudience): MeasureKey => `route:${route}|${audience}`;

/** Who a route was measured for: a user class, or a replayed workload's captured parameters. */
const audienceSchema = z.enum([...userClasses, 'captured'] as const satisfies readonly RouteAudience[]);

/**
 * What must be equal for two runs to be compared. `null` means unknown (a run converted
 * from a version-1 history): such a run is never comparable with anything.
 */
const settingSchema = z.object({
  /** The dataset (scale, seed and generator version: equal fingerprints mean equal data). */
  fingerprint: z.string(),
  scale: z.string().nullable(),
  /** The indexes the data starts from: `bare` or `prisma`. */
  baseline: z.string().nullable(),
  /** Hash of the index set asked for (see `indexSetHash`). */
  indexSet: z.string().nullable(),
  /** The routes judged (`--route`), sorted: "driver" and route model ids. */
  routes: z.array(z.string()).nullable(),
  mongodVersion: z.string(),
  topology: z.string(),
  underWine: z.boolean(),
  /** Machine identity, from the result's environment.machine. */
  platform: z.string().nullable(),
  arch: z.string().nullable(),
  cpuModel: z.string().nullable(),
  cpus: z.number().int().nullable(),
});

/** One route measure of one run: the TOTAL of every timed call after the indexes. */
const measureSchema = z.object({
  route: z.string(),
  userClass: audienceSchema,
  /** Judged by the gate (the route was selected), or only recorded. */
  gated: z.boolean(),
  /** TOTAL of each timed call, ms, in call order (empty for a converted version-1 run). */
  samplesMs: z.array(z.number()),
  /** p50 of the samples, ms (the figure the reports show): the value the detectors follow. */
  median: z.number().positive(),
  /** Mean and sample standard deviation of ln(ms); null where the samples are unknown. */
  logMean: z.number().nullable(),
  logSd: z.number().nullable(),
});

/** A gated pattern's plan after the indexes: exact, because the data is deterministic. */
const planSchema = z.object({
  indexName: z.string().nullable(),
  docsExamined: z.number(),
  keysExamined: z.number(),
  p50: z.number().nullable(),
});

/**
 * The application a run measured (`--app`): its name and the commit it stands for. Version 3
 * of the run record added it; a version-2 record (written before applications existed) has
 * none and is read as `legacyApplication`, the one application there was.
 */
const applicationSchema = z.object({ name: z.string().min(1), commit: z.string().min(1) });

/**
 * The application of every run recorded before runs named theirs (version 2): the built-in
 * one, at the runbook's commit, which was then the only application indexgate measured.
 */
export const legacyApplication: z.infer<typeof applicationSchema> = { name: 'meeshy@aa13b652', commit: 'aa13b652' };

/** The run record version this indexgate writes; it reads 2 (no `application`) and 3. */
export const runRecordVersion = 3;

export const runRecordSchema = z.object({
  type: z.literal('run'),
  /** 3 since runs name their application; an older indexgate refuses a version-3 line rather than compare two applications. */
  version: z.union([z.literal(2), z.literal(3)]),
  runId: z.string().min(1),
  /** The application measured (version 3); absent on version 2: `legacyApplication` (see `applicationOf`). */
  application: applicationSchema.optional(),
  finishedAt: z.string(),
  verdict: z.enum(verdicts),
  /** The keys of the run's failed checks (`failureKey`): what an accept of this run accepts. */
  failures: z.array(z.string()).optional(),
  tool: z.object({ version: z.string().nullable(), commit: z.string().nullable() }),
  setting: settingSchema,
  /** Recorded, not compared: a Node upgrade or more memory is a change to judge, not another series. */
  machine: z.object({ memoryGb: z.number().nullable(), node: z.string().nullable() }),
  measures: z.record(z.string(), measureSchema),
  plans: z.record(z.string(), planSchema),
  /** Measures the run could not measure validly, and why (left out of `measures`). */
  unmeasured: z.array(z.string()),
  /** Set on runs converted from a version-1 history file. */
  migratedFrom: z.literal(1).optional(),
});

/**
 * The baseline moves here: later runs are compared only with runs at or after the run
 * named (by its id, or the first run of a commit), within the same comparability key.
 */
export const acceptRecordSchema = z
  .object({
    type: z.literal('accept'),
    version: z.literal(2),
    runId: z.string().min(1).optional(),
    commit: z.string().min(1).optional(),
    at: z.string(),
    note: z.string(),
  })
  .strict()
  .refine((a) => (a.runId === undefined) !== (a.commit === undefined), { message: 'an accept names either a runId or a commit' });

export type RunSetting = z.infer<typeof settingSchema>;
export type RecordedApplication = z.infer<typeof applicationSchema>;
export type MeasureStats = z.infer<typeof measureSchema>;
export type PlanSummary = z.infer<typeof planSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
export type AcceptRecord = z.infer<typeof acceptRecordSchema>;
export type HistoryLine = RunRecord | AcceptRecord;

/** The application a run measured: its own, or for a version-2 record the one there was then. */
export const applicationOf = (record: Pick<RunRecord, 'application'>): RecordedApplication => record.application ?? legacyApplication;

/** What a run record needs that the result JSON does not hold. */
export interface RecordContext {
  /** The routes the run judged (`bench --route`, `--route-file`, a workload): their ids. */
  readonly routes: { readonly models: readonly string[] };
}

/**
 * The run record of a result. Its `verdict` is the result's: build it from the measured
 * result to judge it, then record it with the final verdict
 * (`{ ...record, verdict: judged.gate.verdict }`).
 */
export function historyRecord(result: RunResult, context: RecordContext): RunRecord {
  const measures: Record<string, MeasureStats> = {};
  const unmeasured: string[] = [];
  const add = (route: string, userClass: RouteAudience, gated: boolean, phases: Phases, overLimit: boolean) => {
    const key = measureKey(route, userClass);
    const problem = overLimit ? 'a command reached its time limit after the indexes' : invalidSamples(phases);
    if (problem) unmeasured.push(`${key}: ${problem}`);
    else measures[key] = measureStats(route, userClass, gated, phases);
  };
  for (const r of result.routes)
    add(r.id, r.userClass, r.role === 'gated' && context.routes.models.includes(r.id), r.after, r.overLimit.after);
  const m = result.environment.machine;
  return {
    type: 'run',
    version: runRecordVersion,
    runId: result.runId,
    application: result.application ? { name: result.application.name, commit: result.application.commit } : legacyApplication,
    finishedAt: result.finishedAt,
    verdict: result.gate.verdict,
    failures: [...new Set(result.gate.checks.filter((c) => c.outcome === 'fail' || c.outcome === 'accepted').map(failureKey))].sort(),
    tool: { version: result.tool.version, commit: result.tool.commit },
    setting: {
      fingerprint: result.dataset.fingerprint,
      scale: result.dataset.scale,
      baseline: result.dataset.baseline,
      indexSet: indexSetHash(result.indexes),
      routes: [...context.routes.models].sort(),
      mongodVersion: result.environment.mongodVersion,
      topology: result.environment.topology,
      underWine: result.environment.underWine,
      platform: m.platform,
      arch: m.arch,
      cpuModel: m.cpuModel,
      cpus: m.cpus,
    },
    machine: { memoryGb: m.memoryGb, node: m.node },
    measures,
    plans: Object.fromEntries(
      result.patterns
        .filter((p) => p.gated)
        .map((p) => [
          measurementKey(p.id, p.userClass),
          {
            indexName: p.after.indexName,
            docsExamined: p.after.totalDocsExamined,
            keysExamined: p.after.totalKeysExamined,
            p50: p.after.latencyMs?.p50 ?? null,
          },
        ]),
    ),
    unmeasured,
  };
}

/** A record worth keeping: it measured something validly. */
export function recordable(record: RunRecord): boolean {
  return Object.keys(record.measures).length > 0 || Object.keys(record.plans).length > 0;
}

/**
 * Hash of the index set the run was asked to apply: every entry of the result's `indexes`
 * (name, collection, key, in key order), whatever its status. An index left out of apply
 * (`--skip-index`) or missing is the same experiment gone wrong, which the plan
 * regressions must show, not another series; another `--indexes` file is another series.
 */
export function indexSetHash(indexes: RunResult['indexes']): string {
  const canonical = indexes
    .map((i) => ({ collection: i.collection, name: i.name, key: Object.entries(i.key) }))
    .sort((a, b) => (a.collection === b.collection ? compare(a.name, b.name) : compare(a.collection, b.collection)));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalidSamples(phases: Phases): string | undefined {
  const samples = phases.totalSamplesMs;
  if (samples.length === 0) return 'no timed call';
  if (!(phases.total > 0) || samples.some((x) => !Number.isFinite(x) || x < 0)) return 'latencies not positive';
  return undefined;
}

function measureStats(route: string, userClass: RouteAudience, gated: boolean, phases: Phases): MeasureStats {
  // A call under the timer's resolution counts as 1 µs, so that its logarithm exists.
  const logs = phases.totalSamplesMs.map((x) => Math.log(Math.max(x, 0.001)));
  const logMean = logs.reduce((s, x) => s + x, 0) / logs.length;
  const logSd = logs.length > 1 ? Math.sqrt(logs.reduce((s, x) => s + (x - logMean) ** 2, 0) / (logs.length - 1)) : 0;
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    route,
    userClass,
    gated,
    samplesMs: [...phases.totalSamplesMs],
    median: phases.total,
    logMean: round(logMean),
    logSd: round(logSd),
  };
}
