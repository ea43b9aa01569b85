import type { ReadPreferenceMode } from 'mongodb';
import { runbookIndexes } from '../../indexes/runbook.js';
import { seededCollections } from '../../seed/collections.js';
import { UsageError } from '../errors.js';
import { countExpectations, type ExpectedCounts, loadExpectedCounts } from '../gate/expected-counts.js';
import { loadThresholds } from '../gate/thresholds.js';
import { inspectIndexes } from '../indexes/inspect.js';
import { requireApplicationCollections } from '../mongo/collections.js';
import { readMarker } from '../mongo/safety.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { countDocuments, targetFingerprint } from '../mongo/target-fingerprint.js';
import { newRunId } from '../files.js';
import type { RunResult } from '../result.js';
import { concludeRun, explainSide } from '../run/pipeline.js';
import { buildRunResult } from '../run/finish.js';
import { prepareOutputs, writeRunOutputs } from '../report/write.js';
import { runNotes } from '../run/notes.js';
import { selectPatterns } from '../run/select.js';
import { stageTimer } from '../run/stages.js';
import { estimateCosts, timeRounds } from '../run/timing.js';
import type { CommandContext } from './context.js';
import { prepareWorkload, replayChecks } from '../run/workload.js';
import { defaultRoutePlan } from '../routes/measure.js';
import { measureRoutes, routesFor } from '../run/routes.js';
import { prepareRoutes } from '../run/route-setup.js';
import { routeModelChecks } from '../gate/route-models.js';
import type { RouteChoice } from '../../bench/routes/index.js';
import { findingsAsOutcomes } from './indexes.js';
import { patterns as allPatterns } from '../../bench/patterns.js';

export interface VerifyCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  thresholds?: string | undefined;
  expectCounts?: string | undefined;
  out?: string | undefined;
  patterns?: readonly string[] | undefined;
  budgetSeconds?: number | undefined;
  readPreference?: ReadPreferenceMode | undefined;
  timeoutMs?: number | undefined;
  /** Server-side limit per query, so that a missing index cannot make verify run for hours. */
  maxTimeMS?: number | undefined;
  /** A captured workload (`indexgate capture`) to replay on the target's current state, shape by shape. */
  workload?: string | undefined;
  /** Built-in routes to run on the target (`--route`; default the driver model). */
  route?: RouteChoice | undefined;
  /** Route files to run on the target (`--route-file`), read-only. */
  routeFiles?: readonly string[] | undefined;
  routeParams?: readonly string[] | undefined;
  prismaSchema?: string | undefined;
}

export interface VerifyOutcome {
  readonly result: RunResult;
  readonly outDir: string;
  readonly files: readonly string[];
}

export const defaultVerifyBudgetSeconds = 60;
export const defaultVerifyMaxTimeMS = 300_000;

/**
 * `indexgate verify`: the staging gate, strictly read-only. Indexes present by key, the
 * plan of every pattern for users sampled from the target's own data, the route timed
 * against the latency budget, document counts (against --expect-counts). Nothing is
 * written to the database: no document, index, collection or marker.
 */
export async function verifyCommand(options: VerifyCommandOptions, context: CommandContext): Promise<VerifyOutcome> {
  if (options.uri === undefined) throw new UsageError('verify needs --uri (and --db): it checks an existing database, read-only');
  planTarget(options);
  const selected = selectPatterns(options.patterns);
  const thresholds = await loadThresholds(options.thresholds);
  const expected: ExpectedCounts | undefined = options.expectCounts ? await loadExpectedCounts(options.expectCounts) : undefined;
  const prepared = await prepareRoutes({ ...options, route: options.route ?? ((options.routeFiles ?? []).length > 0 ? undefined : 'driver') });
  const workload = options.workload ? await prepareWorkload(options.workload, thresholds.values, prepared.routes.map((r) => r.id)) : undefined;
  const routes = [...prepared.routes, ...(workload ? [workload.route] : [])];
  const budgetMs = (options.budgetSeconds ?? defaultVerifyBudgetSeconds) * 1000;
  const maxTimeMS = options.maxTimeMS ?? defaultVerifyMaxTimeMS;
  const runId = newRunId('verify');
  const outDir = await prepareOutputs(options.out, runId);
  const startedAt = new Date();
  const runStarted = performance.now();
  const { timings, stage } = stageTimer(context.reporter);

  return withTarget({ ...options, ...context }, async (target) => {
    const db = target.db;
    await requireApplicationCollections(db);
    const { counts, fingerprint, marker, indexes } = await stage('inspect', async () => {
      const c = await countDocuments(db);
      return {
        counts: c,
        marker: await readMarker(db),
        fingerprint: await targetFingerprint(db, c),
        indexes: findingsAsOutcomes(await inspectIndexes(db, runbookIndexes, seededCollections)),
      };
    });
    const { classes, plans } = await stage('explain', () => explainSide(db, selected, { signal: context.signal, maxTimeMS }));
    const estimates = estimateCosts(selected.length === allPatterns.length ? { after: plans } : {}, classes, allPatterns.map((p) => p.id));
    const timing = await stage('time', () =>
      timeRounds({ db, patterns: selected, classes, sides: ['after'], budgetMs, estimates, maxTimeMS, signal: context.signal }),
    );
    // The routes (the driver model by default, route files, a captured workload) on the current state: nothing hidden (verify writes nothing).
    const targets = routesFor(routes, classes, prepared.params);
    const routeRun = await stage('routes', () =>
      measureRoutes({
        db,
        dm: prepared.dm,
        routes: targets.routes,
        indexSet: runbookIndexes,
        plan: { ...defaultRoutePlan, maxTimeMS: options.maxTimeMS ?? defaultRoutePlan.maxTimeMS },
        memberships: targets.memberships,
        reporter: context.reporter,
        signal: context.signal,
      }),
    );
    const { patterns, gate } = concludeRun({
      selected,
      classes,
      plans: { after: plans },
      samples: { after: timing.samples.after },
      thresholds: thresholds.values,
      indexes,
      counts: expected ? countExpectations(expected, counts) : [],
      judgeSpeedup: false,
      extraChecks: [...routeRun.routes.flatMap((r) => routeModelChecks(r, thresholds.values)), ...(workload ? await replayChecks(db, routeRun.routes, workload.rules, false) : [])],
    });
    const result = buildRunResult({
      command: 'verify',
      runId,
      startedAt,
      environment: target.environment,
      dataset: marker
        ? { scale: marker.scale, seed: marker.seed, baseline: marker.baseline, counts, fingerprint: marker.fingerprint, origin: 'indexgate' }
        : { scale: null, seed: null, baseline: null, counts, fingerprint, origin: 'target' },
      indexes,
      patterns,
      routes: routeRun.routes,
      gate,
      thresholds,
      timings,
      timing: { plan: timing.plan, capped: timing.capped, rounds: timing.rounds, calls: timing.calls },
      notes: runNotes({ command: 'verify', environment: target.environment, patterns, routes: routeRun.routes, capped: timing.capped, rounds: timing.rounds, plannedRounds: timing.plan.rounds }),
    });
    const written = await writeRunOutputs(result, outDir, { redact: target.redact, runStarted });
    return { result: written.result, outDir: written.outDir, files: written.files };
  }, (start) => stage('start', start));
}
