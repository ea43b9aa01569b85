import type { ReadPreferenceMode } from 'mongodb';
import { UsageError } from '../errors.js';
import { verdictExitCode } from '../exit-code.js';
import { countExpectations, type ExpectedCounts, loadExpectedCounts } from '../gate/expected-counts.js';
import { loadThresholds } from '../gate/threshold-rules.js';
import { requireApplicationCollections } from '../mongo/required-collections.js';
import { planTarget } from '../mongo/target.js';
import { renderRunSummary } from '../report/summary.js';
import { prepareOutputs } from '../report/write.js';
import { defaultRoutePlan } from '../route-engine/measure.js';
import { newRunId } from '../files.js';
import { type RunPlan, runPipeline, stage } from '../run/pipeline.js';
import { prepareWorkload } from '../run/replay.js';
import { prepareRoutes } from '../run/route-setup.js';
import { selectPatterns } from '../run/select.js';
import { concludeStage, priceStage, explainStage, inspectStage, routesStage, timePatternsStage } from '../run/stages.js';
import { migrationSet, patternCollections } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import { defaultVerifyBudgetSeconds, defaultVerifyMaxTimeMS, type verifyCommand } from './verify-options.js';

export interface VerifyOptions {
  uri?: string | undefined;
  db?: string | undefined;
  thresholds?: string | undefined;
  expectCounts?: string | undefined;
  out?: string | undefined;
  pattern?: string[] | undefined;
  budgetSeconds?: number | undefined;
  ramGb?: number | undefined;
  readPreference?: ReadPreferenceMode | undefined;
  /** Server-side limit per query, so that a missing index cannot make verify run for hours. */
  maxTimeMs?: number | undefined;
  workload?: string | undefined;
  route?: string | undefined;
  routeFile?: string[] | undefined;
  routeParam?: string[] | undefined;
  prismaSchema?: string | undefined;
  redactIds?: true | undefined;
  timeoutMs: number;
}

/**
 * `indexgate verify` as a plan of the run pipeline: the staging gate, strictly read-only.
 * The set's indexes present by key, the plan of every pattern for users sampled from the
 * target's own data, the routes timed against the budget, document counts against
 * --expect-counts. Nothing is written to the database: no document, index, collection or marker.
 */
export async function verifyPlan(options: VerifyOptions, context: CommandContext): Promise<RunPlan> {
  const { workload } = context;
  if (options.uri === undefined) throw new UsageError('verify needs --uri (and --db): it checks an existing database, read-only');
  planTarget(options);
  const patterns = selectPatterns(workload.patterns.list, options.pattern);
  const thresholds = await loadThresholds(
    options.thresholds ?? workload.thresholdsFile,
    workload.patterns.list.map((p) => p.id),
  );
  const expected: ExpectedCounts | undefined = options.expectCounts
    ? await loadExpectedCounts(options.expectCounts, workload.dataset.collections)
    : undefined;
  const routes = await prepareRoutes(workload, options, workload.routes.verifyDefault);
  const write = routes.files.find((r) => r.writes === true);
  if (write)
    throw new UsageError(
      `--route-file ${write.file}: a write route (writes: true); verify is read-only: bench measures write routes on its own target`,
    );
  const replay = options.workload
    ? await prepareWorkload(
        options.workload,
        thresholds.values,
        routes.routes.map((r) => r.id),
      )
    : undefined;
  const budgetSeconds = options.budgetSeconds ?? defaultVerifyBudgetSeconds;
  const maxTimeMS = options.maxTimeMs ?? defaultVerifyMaxTimeMS;
  const runId = newRunId('verify');
  const outDir = await prepareOutputs(options.out, runId);
  return {
    inputs: {
      command: 'verify',
      workload,
      runId,
      outDir,
      patterns,
      thresholds,
      indexSet: migrationSet(workload.indexes),
      routes,
      replay,
      routePlan: { ...defaultRoutePlan, maxTimeMS: options.maxTimeMs ?? defaultRoutePlan.maxTimeMS },
      routeOptions: { sides: 'current', remedies: false },
      budgetSeconds,
      ramGb: options.ramGb,
      redactIds: options.redactIds === true,
    },
    target: { uri: options.uri, db: options.db, timeoutMs: options.timeoutMs, readPreference: options.readPreference },
    stages: [
      stage(
        'check',
        (state) => requireApplicationCollections(state.target.db, workload.dataset.collections, patternCollections(workload)),
        false,
      ),
      inspectStage(),
      explainStage('explain', 'after', { maxTimeMS }),
      timePatternsStage(['after'], { budgetMs: budgetSeconds * 1000, maxTimeMS }),
      // The routes (the driver model by default, route files, a captured workload) on the current state: nothing hidden (verify writes nothing).
      routesStage(),
      priceStage({ readOnly: true }),
      concludeStage({
        judgeSpeedup: false,
        ...(expected ? { counts: (actual: Readonly<Record<string, number>>) => countExpectations(expected, actual) } : {}),
      }),
    ],
  };
}

export const verifyImplementation = implementCommand<typeof verifyCommand>()({
  run: async ({ options }, context) => runPipeline(await verifyPlan(options, context), context),
  render: (outcome, options) => ({
    stdout: options.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files, { verbose: options.verbose === true }),
    exitCode: verdictExitCode[outcome.result.gate.verdict],
  }),
});
