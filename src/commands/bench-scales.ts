import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { ExitCode, verdictExitCode } from '../exit-code.js';
import { writeFileAtomic } from '../files.js';
import { costGrowth, type GrowthReport, type ScaleRun } from '../growth/growth.js';
import { renderGrowthHtml, renderGrowthMarkdown } from '../report/growth.js';
import { prepareOutputs } from '../report/write.js';
import { newRunId } from '../files.js';
import { type RunPlan, runPipeline } from '../run/pipeline.js';
import type { RunResult } from '../result.js';
import type { CommandContext } from './command.js';

export interface GrowthOutcome {
  readonly growth: GrowthReport;
  readonly runs: ReadonlyArray<{ readonly scale: string; readonly outDir: string; readonly verdict: RunResult['gate']['verdict'] }>;
  readonly outDir: string;
  readonly files: readonly string[];
}

/** What `--scales` reads of bench's options (the rest is handed to each scale's run as it is). */
export interface ScalesOptions {
  readonly scales: readonly string[];
  readonly scale: string;
  readonly out?: string | undefined;
  readonly uri?: string | undefined;
  readonly profile?: string | undefined;
  readonly history?: string | undefined;
}

/** `--scales` checked before anything starts: known scales, at least two, and no option it cannot combine with. */
export function checkScales(options: ScalesOptions, context: CommandContext): string[] {
  const known = Object.keys(context.workload.dataset.scales);
  const scales = [...new Set(options.scales)];
  const unknown = scales.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new UsageError(`--scales ${unknown.join(', ')}: not a scale of the workload (${known.join(', ')})`);
  if (scales.length < 2) throw new UsageError('--scales needs at least two scales to say how cost grows (e.g. --scales tiny,small,medium)');
  if (options.profile !== undefined) throw new UsageError('--scales measures the built-in scales; it cannot be combined with --profile');
  if (options.history !== undefined) throw new UsageError('--scales cannot keep a --history: the nightly series is one scale');
  if (options.uri !== undefined) throw new UsageError('--scales seeds each scale in turn on the embedded server; drop --uri');
  return scales.sort((a, b) => known.indexOf(a) - known.indexOf(b));
}

/** The budget the crossing is against: the thresholds' route.afterBudgetMs.p50, if the run had one. */
function budgetOf(result: RunResult): number | null {
  const values = result.thresholds.values as { route?: { afterBudgetMs?: { p50?: number } } } | undefined;
  return values?.route?.afterBudgetMs?.p50 ?? null;
}

/**
 * `bench --scales a,b,c`: a whole bench at each scale in turn (smallest first, each with its
 * reports in <out>/<scale>/), then how each route's cost grows with the data
 * (src/growth/growth.ts), written to growth.json, growth.md and growth.html in <out>.
 */
export async function benchScales<Options extends ScalesOptions>(
  options: Options,
  context: CommandContext,
  planOf: (options: Options, context: CommandContext) => Promise<RunPlan>,
): Promise<GrowthOutcome> {
  const scales = checkScales(options, context);
  const outDir = await prepareOutputs(options.out, newRunId('growth'));
  await mkdir(outDir, { recursive: true });
  const runs: ScaleRun[] = [];
  const done: Array<GrowthOutcome['runs'][number]> = [];
  for (const scale of scales) {
    context.reporter.notice(`--scales: bench at ${scale} (${runs.length + 1} of ${scales.length})`);
    const outcome = await runPipeline(await planOf({ ...options, scale, out: join(outDir, scale) }, context), context);
    runs.push({ scale, result: outcome.result as RunResult });
    done.push({ scale, outDir: outcome.outDir, verdict: outcome.result.gate.verdict });
  }
  const growth = costGrowth(runs, budgetOf(runs[runs.length - 1]?.result as RunResult));
  const files = [join(outDir, 'growth.json'), join(outDir, 'growth.md'), join(outDir, 'growth.html')];
  await writeFileAtomic(files[0] as string, `${JSON.stringify(growth, null, 2)}\n`);
  await writeFileAtomic(files[1] as string, renderGrowthMarkdown(growth));
  await writeFileAtomic(files[2] as string, renderGrowthHtml(growth));
  return { growth, runs: done, outDir, files };
}

/** The worst verdict of the runs: a failed gate at any scale fails, then inconclusive. */
export function growthExitCode(outcome: GrowthOutcome): ExitCode {
  const verdicts = outcome.runs.map((r) => r.verdict);
  return verdicts.includes('fail') ? ExitCode.fail : verdicts.includes('inconclusive') ? ExitCode.inconclusive : verdictExitCode.pass;
}
