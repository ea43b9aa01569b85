import { totalmem } from 'node:os';
import { embeddedCacheGb } from '../mongo/embedded.js';
import { patterns as allPatterns } from '../../bench/patterns.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { type ScaleName, scaleProfiles } from '../../seed/profiles.js';
import { seededCollections } from '../../seed/collections.js';
import { throwIfAborted, UsageError } from '../errors.js';
import { routeModelChecks } from '../gate/route-models.js';
import { applicationRoute, type RouteChoice } from '../../bench/routes/index.js';
import { prepareWorkload, replayChecks } from '../run/workload.js';
import { remedyIndexes } from '../../indexes/remedies.js';
import { defaultRoutePlan } from '../routes/measure.js';
import { measureRoutes, routesFor, type RouteToMeasure } from '../run/routes.js';
import { builtInRouteIds, prepareRoutes } from '../run/route-setup.js';
import { readHistory } from '../history/store.js';
import { loadThresholds } from '../gate/thresholds.js';
import { applyIndexes, type IndexOutcome } from '../indexes/apply.js';
import { setCreatedIndexesHidden } from '../indexes/hide.js';
import { inspectIndexes } from '../indexes/inspect.js';
import { loadIndexSpecs } from '../indexes/load-specs.js';
import { assertRemoteWritesAllowed } from '../mongo/safety.js';
import { planTarget, type Target, withTarget } from '../mongo/target.js';
import type { ResolvedMongod } from '../mongo/binary.js';
import { cacheEntry, datasetCacheDir, findCachedDataset } from '../mongo/dataset-cache.js';
import { prepareDataset } from '../run/dataset.js';
import { datasetFingerprint } from '../seed/fingerprint.js';
import { newRunId } from '../files.js';
import type { Baseline } from '../options.js';
import { concludeRun, explainSide, historyStage } from '../run/pipeline.js';
import type { CheckInput, RunResult } from '../result.js';
import { checkSideState } from '../run/state-check.js';
import { buildRunResult } from '../run/finish.js';
import { prepareOutputs, writeRunOutputs } from '../report/write.js';
import { runNotes } from '../run/notes.js';
import { selectPatterns } from '../run/select.js';
import { stageTimer } from '../run/stages.js';
import { estimateCosts, timeRounds } from '../run/timing.js';
import type { CommandContext } from './context.js';
import { findingsAsOutcomes } from './indexes.js';
import { schemaBaseline } from './seed.js';
import { createHash } from 'node:crypto';

const digestOf = (specs: unknown): string => createHash('sha256').update(JSON.stringify(specs)).digest('hex').slice(0, 8);

export interface BenchCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  scale: ScaleName;
  seed: number;
  baseline: Baseline;
  thresholds?: string | undefined;
  out?: string | undefined;
  patterns?: readonly string[] | undefined;
  budgetSeconds?: number | undefined;
  skipIndexes?: readonly string[] | undefined;
  /** An alternative index set (JSON, like `indexes list --json`); default the runbook's six. */
  indexes?: string | undefined;
  /** With baseline prisma: the indexes the application's schema.prisma declares. */
  prismaSchema?: string | undefined;
  /** Which built-in route to measure and judge (`--route`): the application's (prisma), the driver's, or all. */
  route?: RouteChoice | undefined;
  /** Route files to measure and judge (`--route-file`); without them, the built-in routes. */
  routeFiles?: readonly string[] | undefined;
  /** `--route-param key=value`: overrides of the routes' parameters. */
  routeParams?: readonly string[] | undefined;
  /** maxTimeMS of each route-model command and explain (default 10 s). */
  commandLimitMs?: number | undefined;
  /** Measure remedies for the application's route (default true). */
  remedies?: boolean | undefined;
  /** Append this run to the history file and fail on a significant regression against it. */
  history?: string | undefined;
  /** A captured workload (`indexgate capture`) to replay before and after the set, shape by shape. */
  workload?: string | undefined;
  allowRemoteWrites: boolean;
  drop: boolean;
  /** Reuse (and fill) the cache of seeded datasets; embedded targets only. */
  cache: boolean;
  timeoutMs?: number | undefined;
}

export interface BenchOutcome {
  readonly result: RunResult;
  readonly outDir: string;
  readonly files: readonly string[];
}

/**
 * Default time cap per scale (seconds). Sample counts come from the fixed timing plan, not
 * from the clock: the cap only stops a run that would take far longer than expected, and
 * what it could not measure is then inconclusive.
 */
export const defaultBudgetSeconds: Readonly<Record<ScaleName, number>> = { tiny: 180, small: 300, medium: 900, large: 5400 };
/** Below this, seeding alone does not fit and no sample could be taken. */
export const minimumBudgetSeconds: Readonly<Record<ScaleName, number>> = { tiny: 15, small: 30, medium: 90, large: 900 };

/**
 * `indexgate bench`: seed → explain and time every pattern and the route before → apply
 * the six indexes (timed) → explain and time after (rounds alternate, hiding the six for
 * "before") → gate → reports.
 */
export async function benchCommand(options: BenchCommandOptions, context: CommandContext): Promise<BenchOutcome> {
  const { reporter, signal } = context;
  // Everything the user typed is checked before anything starts.
  const planned = planTarget(options);
  assertRemoteWritesAllowed(planned.uri, planned.dbName, 'bench', options.allowRemoteWrites);
  const selected = selectPatterns(options.patterns);
  const thresholds = await loadThresholds(options.thresholds);
  const indexSpecs = options.indexes ? await loadIndexSpecs(options.indexes) : [...runbookIndexes];
  const history = options.history ? await readHistory(options.history) : undefined;
  const baselineSpecs = await schemaBaseline(options);
  const skip = new Set(options.skipIndexes ?? []);
  const unknownSkip = [...skip].filter((name) => !indexSpecs.some((s) => s.name === name));
  if (unknownSkip.length > 0) throw new UsageError(`--skip-index ${unknownSkip.join(', ')}: not an index of the set (${indexSpecs.map((s) => s.name).join(', ')})`);
  const prepared = await prepareRoutes(options);
  const workload = options.workload ? await prepareWorkload(options.workload, thresholds.values, [...builtInRouteIds(), applicationRoute.rewrite.id, ...prepared.routes.map((r) => r.id)]) : undefined;
  const routes = [...prepared.routes, ...(workload ? [workload.route] : [])];
  const budgetSeconds = options.budgetSeconds ?? defaultBudgetSeconds[options.scale];
  if (budgetSeconds < minimumBudgetSeconds[options.scale]) {
    throw new UsageError(
      `--budget-seconds ${budgetSeconds} is too small to take any sample at scale ${options.scale}: seeding alone needs about ${minimumBudgetSeconds[options.scale]} s; raise it or use a smaller --scale`,
    );
  }

  const runId = newRunId(options.scale);
  const outDir = await prepareOutputs(options.out, runId);
  const startedAt = new Date();
  const runStarted = performance.now();
  const deadline = performance.now() + budgetSeconds * 1000;
  const { timings, stage } = stageTimer(reporter);

  // The dataset cache (embedded targets only): the entry is named once the mongod's version is known.
  const fingerprint = datasetFingerprint(scaleProfiles[options.scale], options.seed);
  const cacheDir = options.uri === undefined && options.cache ? datasetCacheDir(context.host) : undefined;
  // A schema's baseline is its own dataset state: its indexes' digest is part of the cache key.
  const cacheKey = { fingerprint, baseline: baselineSpecs ? `${options.baseline}-schema-${digestOf(baselineSpecs)}` : options.baseline, dbName: planned.dbName };
  const entryFor = (target: Target) => (cacheDir && target.embedded ? cacheEntry(cacheDir, cacheKey, target.embedded.mongod) : undefined);
  const initialData = cacheDir ? (mongod: ResolvedMongod) => findCachedDataset(cacheEntry(cacheDir, cacheKey, mongod)) : undefined;

  return withTarget({ ...options, ...context, initialData, cacheSizeGb: embeddedCacheGb(options.scale, totalmem()) }, async (target) => {
    const seeded = await stage('seed', () => prepareDataset(target, { ...options, baselineSpecs, fingerprint, cacheEntry: entryFor(target), reporter, signal }));
    const db = target.db;
    const { classes, plans: beforePlans } = await stage('before', () => explainSide(db, selected, { signal, reporter }));
    const specs = indexSpecs.filter((s) => !skip.has(s.name));
    const indexes: IndexOutcome[] = await stage('build', async () => {
      const applied = await applyIndexes(db, specs, { signal, onIndex: (o) => reporter.notice(`index ${o.name}: ${o.status}${o.buildMs > 0 ? ` in ${Math.round(o.buildMs)} ms` : ''}`) });
      const skipped = findingsAsOutcomes(await inspectIndexes(db, indexSpecs.filter((s) => skip.has(s.name)), seededCollections)).map((o) => ({
        ...o,
        detail: `left out of apply (--skip-index): ${o.detail}`,
      }));
      return indexSpecs.map((s) => [...applied, ...skipped].find((o) => o.name === s.name) as IndexOutcome);
    });
    const { plans: afterPlans } = await stage('after', () => explainSide(db, selected, { classes, signal }));
    throwIfAborted(signal);

    // The route runs every pattern, measured or not: estimate its cost from all of them.
    const routePlans = selected.length === allPatterns.length ? { before: beforePlans, after: afterPlans } : {};
    const estimates = estimateCosts(routePlans, classes, allPatterns.map((p) => p.id));
    const reserveMs = 3000;
    const timingBudget = Math.max(0, deadline - performance.now() - reserveMs);
    reporter.notice(`timing: ${Math.round(timingBudget / 1000)} s left in the ${budgetSeconds} s budget`);
    const stateChecks: CheckInput[] = [];
    const timing = await timeRounds({
      db,
      patterns: selected,
      classes,
      sides: ['before', 'after'],
      budgetMs: timingBudget,
      estimates,
      switchTo: async (side, round) => {
        await setCreatedIndexesHidden(db, indexes, side === 'before');
        const context = classes[0];
        if (context) stateChecks.push(await checkSideState(db, { side, round, patterns: selected, context, plans: side === 'before' ? beforePlans : afterPlans }));
      },
      signal,
      onRound: (round, rounds, order) => reporter.notice(`timing round ${round}/${rounds} (${order.join(', then ')})`),
    });
    timings.before = Math.round((timings.before ?? 0) + timing.sideMs.before);
    timings.after = Math.round((timings.after ?? 0) + timing.sideMs.after);

    // Every route (the driver model, the application's, route files, a replayed workload), each before and after the set, then the remedies.
    const targets = routesFor(routes, classes, prepared.params);
    const [rewrite] = routesFor([applicationRoute.rewrite], classes, prepared.params).routes;
    const routeRun = await stage('routes', () =>
      measureRoutes({
        db,
        dm: prepared.dm,
        routes: targets.routes,
        indexes,
        indexSet: indexSpecs,
        plan: { ...defaultRoutePlan, maxTimeMS: options.commandLimitMs ?? defaultRoutePlan.maxTimeMS },
        remedies:
          options.remedies !== false && routes.some((r) => r.id === applicationRoute.id)
            ? { route: applicationRoute.id, indexes: remedyIndexes, rewrite: rewrite as RouteToMeasure }
            : undefined,
        memberships: targets.memberships,
        reporter,
        signal,
        deadline,
      }),
    );

    const routeChecks = [
      ...routeRun.routes.flatMap((r) => routeModelChecks(r, thresholds.values)),
      ...(workload ? await replayChecks(db, routeRun.routes, workload.rules, true) : []),
    ];
    const { patterns, gate } = concludeRun({
      selected,
      classes,
      plans: { before: beforePlans, after: afterPlans },
      samples: timing.samples,
      thresholds: thresholds.values,
      indexes,
      judgeSpeedup: true,
      extraChecks: [...stateChecks, ...routeChecks],
    });
    const measured = buildRunResult({
      command: 'bench',
      runId,
      startedAt,
      environment: target.environment,
      dataset: { scale: options.scale, seed: options.seed, baseline: options.baseline, counts: { ...seeded.counts }, fingerprint: seeded.fingerprint, origin: 'indexgate' },
      indexes,
      patterns,
      routes: routeRun.routes,
      ...(routeRun.remedies.length > 0 ? { remedies: routeRun.remedies } : {}),
      gate,
      thresholds,
      timings,
      timing: { plan: timing.plan, capped: timing.capped, rounds: timing.rounds, calls: timing.calls },
      notes: [
        ...runNotes({ environment: target.environment, patterns, routes: routeRun.routes, indexes, capped: timing.capped, rounds: timing.rounds, plannedRounds: timing.plan.rounds }),
        ...(routeRun.capped ? [`Routes: ${routeRun.capped} (--budget-seconds ${budgetSeconds}).`] : []),
      ],
    });
    const { result, record } = historyStage(measured, history ? { loaded: history, routes: { models: routes.map((r) => r.id) } } : undefined, reporter);
    const written = await writeRunOutputs(result, outDir, { redact: target.redact, runStarted });
    await record();
    return { result: written.result, outDir: written.outDir, files: written.files };
  }, (start) => stage('start', start));
}

