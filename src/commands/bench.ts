import { createHash } from 'node:crypto';
import { totalmem } from 'node:os';
import { cacheEntry, datasetCacheDir, findCachedDataset } from '../dataset/cache.js';
import { datasetFingerprint } from '../dataset/fingerprint.js';
import { UsageError } from '../errors.js';
import { verdictExitCode } from '../exit-code.js';
import { loadThresholds } from '../gate/threshold-rules.js';
import { readHistory } from '../history/store.js';
import { loadIndexSpecs } from '../indexing/load-specs.js';
import type { ResolvedMongod } from '../mongo/binary.js';
import { embeddedCacheGb } from '../mongo/embedded.js';
import { assertRemoteWritesAllowed } from '../mongo/safety.js';
import { planTarget } from '../mongo/target.js';
import { renderRunSummary } from '../report/summary.js';
import { prepareOutputs } from '../report/write.js';
import { commandLimitFor, defaultRoutePlan } from '../route-engine/measure.js';
import { newRunId } from '../files.js';
import { type RunPlan, runPipeline } from '../run/pipeline.js';
import { prepareWorkload } from '../run/replay.js';
import { prepareRoutes } from '../run/route-setup.js';
import { selectPatterns } from '../run/select.js';
import {
  buildStage,
  concludeStage,
  neededStage,
  priceStage,
  explainStage,
  historyStage,
  routesStage,
  seedStage,
  timePatternsStage,
  writesStage,
} from '../run/stages.js';
import { defaultWritePlan } from '../run/measure-writes.js';
import { defaultBuildLoadPlan } from '../run/build-load.js';
import { migrationSet } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { benchCommand } from './bench-options.js';
import { defaultSeed } from './options.js';
import { profiledWorkload, type SeedOptions } from './seed.js';
import { benchScales, growthExitCode } from './bench-scales.js';
import { renderGrowthSummary } from '../report/growth.js';
import { baselineIndexes } from '../indexing/prisma-schema.js';

const digestOf = (specs: unknown): string => createHash('sha256').update(JSON.stringify(specs)).digest('hex').slice(0, 8);

export interface BenchOptions extends SeedOptions {
  thresholds?: string | undefined;
  out?: string | undefined;
  pattern?: string[] | undefined;
  budgetSeconds?: number | undefined;
  ramGb?: number | undefined;
  route?: string | undefined;
  routeFile?: string[] | undefined;
  routeParam?: string[] | undefined;
  commandLimitMs?: number | undefined;
  remedies: boolean;
  writes: boolean;
  buildLoad: boolean;
  history?: string | undefined;
  workload?: string | undefined;
  indexes?: string | undefined;
  skipIndex?: string[] | undefined;
  cache: boolean;
}

/**
 * `indexgate bench` as a plan of the run pipeline: everything the user typed checked before
 * anything starts, then seed → before (users, explain) → build → after → time the patterns
 * (rounds alternate, the set hidden for "before") → routes and remedies → conclude → history.
 * The write routes run before the set is built and after (a hidden index is still written to).
 */
export async function benchPlan(options: BenchOptions, context: CommandContext): Promise<RunPlan> {
  const planned = planTarget(options);
  assertRemoteWritesAllowed(planned.uri, planned.dbName, 'bench', options.allowRemoteWrites === true);
  // --profile: the workload's dataset fitted to it, under one scale of its own.
  const profiled = await profiledWorkload(options, context);
  const workload = profiled?.workload ?? context.workload;
  const scaleName = profiled?.scale ?? options.scale;
  const scale = workload.dataset.scales[scaleName];
  if (!scale)
    throw new UsageError(`--scale ${scaleName}: not a scale of the workload (${Object.keys(workload.dataset.scales).join(', ')})`);
  const patterns = selectPatterns(workload.patterns.list, options.pattern);
  const thresholds = await loadThresholds(
    options.thresholds ?? workload.thresholdsFile,
    workload.patterns.list.map((p) => p.id),
  );
  if (options.indexes === undefined && workload.indexes.sets[workload.indexes.migration] === undefined)
    throw new UsageError(`${workload.name} has no built-in index set: pass --indexes <file> (JSON, shaped like \`indexes list --json\`)`);
  const indexSet = options.indexes
    ? await loadIndexSpecs(options.indexes, workload.dataset.collections)
    : [...migrationSet(workload.indexes)];
  const history = options.history ? await readHistory(options.history) : undefined;
  const baselineSpecs = await baselineIndexes(workload, options, 'bench');
  const skip = new Set(options.skipIndex ?? []);
  const unknownSkip = [...skip].filter((name) => !indexSet.some((s) => s.name === name));
  if (unknownSkip.length > 0)
    throw new UsageError(`--skip-index ${unknownSkip.join(', ')}: not an index of the set (${indexSet.map((s) => s.name).join(', ')})`);
  const routes = await prepareRoutes(workload, options);
  if (routes.routes.length === 0)
    throw new UsageError(`${workload.name} has no built-in routes: pass --route-file <file> (a route written for its schema)`);
  const reserved = [
    ...workload.routes.builtIn.map((r) => r.id),
    ...(workload.routes.application ? [workload.routes.application.rewrite.id] : []),
    ...routes.routes.map((r) => r.id),
  ];
  const replay = options.workload ? await prepareWorkload(options.workload, thresholds.values, reserved) : undefined;
  const budgetSeconds = options.budgetSeconds ?? scale.budgetSeconds;
  if (budgetSeconds < scale.minimumBudgetSeconds) {
    throw new UsageError(
      `--budget-seconds ${budgetSeconds} is too small to take any sample at scale ${scaleName}: seeding alone needs about ${scale.minimumBudgetSeconds} s; raise it or use a smaller --scale`,
    );
  }
  const runId = newRunId(scaleName);
  const outDir = await prepareOutputs(options.out, runId);

  // The dataset cache (embedded targets only): the entry is named once the mongod's version is known.
  const fingerprint = datasetFingerprint(workload.dataset, scaleName, options.seed);
  const cacheDir = options.uri === undefined && options.cache ? datasetCacheDir(context.host) : undefined;
  // A schema's baseline is its own dataset state: its indexes' digest is part of the cache key.
  const fromSchema = options.prismaSchema !== undefined && options.baseline === workload.indexes.schemaBaseline;
  const cacheKey = {
    fingerprint,
    baseline: fromSchema ? `${options.baseline}-schema-${digestOf(baselineSpecs)}` : options.baseline,
    dbName: planned.dbName,
  };
  const entryFor = (mongod: ResolvedMongod) => (cacheDir ? cacheEntry(cacheDir, cacheKey, mongod) : undefined);
  const initialData = cacheDir ? (mongod: ResolvedMongod) => findCachedDataset(cacheEntry(cacheDir, cacheKey, mongod)) : undefined;

  return {
    inputs: {
      command: 'bench',
      workload,
      runId,
      outDir,
      patterns,
      thresholds,
      indexSet,
      routes,
      replay,
      routePlan: { ...defaultRoutePlan, maxTimeMS: options.commandLimitMs ?? commandLimitFor(thresholds.values.route.afterBudgetMs) },
      routeOptions: {
        sides: 'before-after',
        remedies: options.remedies,
        gate: {
          program: context.program,
          setArgs: options.indexes ? ['--indexes', options.indexes] : ['--set', workload.indexes.migration],
          repeat: repeated(options, workload),
        },
      },
      ...(options.writes ? { writePlan: defaultWritePlan } : {}),
      ...(options.buildLoad ? { buildLoadPlan: defaultBuildLoadPlan } : {}),
      seed: {
        scale: scaleName,
        ...(profiled ? { profile: { file: profiled.file, factor: profiled.factor, data: profiled.profile } } : {}),
        seed: options.seed,
        baseline: options.baseline,
        baselineSpecs,
        fingerprint,
        cacheEntryFor: entryFor,
        drop: options.drop === true,
        allowRemoteWrites: options.allowRemoteWrites === true,
      },
      history,
      deadline: performance.now() + budgetSeconds * 1000,
      budgetSeconds,
      ramGb: options.ramGb,
    },
    target: {
      uri: options.uri,
      db: options.db,
      timeoutMs: options.timeoutMs,
      initialData,
      cacheSizeGb: embeddedCacheGb(scale, totalmem()),
    },
    stages: [
      seedStage(),
      explainStage('before', 'before'),
      writesStage('before'),
      buildStage(skip),
      writesStage('after'),
      explainStage('after', 'after'),
      timePatternsStage(['before', 'after']),
      routesStage(),
      priceStage(),
      neededStage(),
      concludeStage({ judgeSpeedup: true }),
      historyStage(),
    ],
  };
}

/** The options a gating command repeats so that it judges the same data: scale, seed, baseline and schema when not the defaults. */
function repeated(options: BenchOptions, workload: CommandContext['workload']): string[] {
  return [
    ...(options.profile !== undefined
      ? ['--profile', options.profile, ...(options.scaleFactor !== undefined ? ['--scale-factor', String(options.scaleFactor)] : [])]
      : options.scale !== 'medium'
        ? ['--scale', options.scale]
        : []),
    ...(options.seed !== defaultSeed ? ['--seed', String(options.seed)] : []),
    ...(options.baseline !== Object.keys(workload.indexes.baselines)[0] ? ['--baseline', options.baseline] : []),
    ...(options.prismaSchema !== undefined ? ['--prisma-schema', options.prismaSchema] : []),
  ];
}

export const benchImplementation = implementCommand<typeof benchCommand>()({
  run: async ({ options }, context) =>
    options.scales || options.scaleFactors
      ? {
          kind: 'growth' as const,
          growth: await benchScales(options, context, benchPlan, (scaleFactor) => profiledWorkload({ ...options, scaleFactor }, context)),
        }
      : { kind: 'run' as const, run: await runPipeline(await benchPlan(options, context), context) },
  render: (outcome, options) => {
    if (outcome.kind === 'growth')
      return {
        stdout: options.json
          ? json(outcome.growth.growth)
          : [
              ...outcome.growth.runs.map((r) => `${r.scale}: ${r.verdict.toUpperCase()} (reports in ${r.outDir})`),
              '',
              renderGrowthSummary(outcome.growth.growth, outcome.growth.files),
            ].join('\n'),
        exitCode: growthExitCode(outcome.growth),
      };
    const { run } = outcome;
    return {
      stdout: options.json ? json(run.result) : renderRunSummary(run.result, run.files, { verbose: options.verbose === true }),
      exitCode: verdictExitCode[run.result.gate.verdict],
    };
  },
});
