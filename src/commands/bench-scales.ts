import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { ExitCode, verdictExitCode } from '../exit-code.js';
import { costGrowth, type GrowthReport, type ScaleRun } from '../growth/growth.js';
import { renderGrowthHtml, renderGrowthMarkdown } from '../report/growth.js';
import { prepareOutputs } from '../report/write.js';
import { newRunId, writeFileAtomic } from '../files.js';
import { type RunPlan, runPipeline } from '../run/pipeline.js';
import type { RunResult } from '../result.js';
import type { ProfiledWorkload } from '../dataset/profile-file.js';
import type { CommandContext } from './command.js';

export interface GrowthOutcome {
  readonly growth: GrowthReport;
  readonly runs: ReadonlyArray<{ readonly scale: string; readonly outDir: string; readonly verdict: RunResult['gate']['verdict'] }>;
  readonly outDir: string;
  readonly files: readonly string[];
}

/** What `--scales` and `--scale-factors` read of bench's options (the rest is handed to each run as it is). */
export interface ScalesOptions {
  readonly scales?: readonly string[] | undefined;
  readonly scaleFactors?: readonly number[] | undefined;
  readonly scale: string;
  readonly scaleFactor?: number | undefined;
  readonly out?: string | undefined;
  readonly uri?: string | undefined;
  readonly profile?: string | undefined;
  readonly history?: string | undefined;
  readonly fitted?: ProfiledWorkload | undefined;
}

/** One size of a growth run: its label (the scale, or ×factor) and what it sets in bench's options. */
export interface GrowthSize {
  readonly label: string;
  readonly set: { readonly scale: string } | { readonly scaleFactor: number; readonly fitted: ProfiledWorkload | undefined };
}

/**
 * The sizes of a growth run, checked before anything starts: `--scales` (known scales, at
 * least two, smallest first; not with --profile) or `--scale-factors` (with --profile, at
 * least two, each checked against the machine now rather than after the smaller runs, the
 * profile read once for all of them), and
 * no option a growth run cannot take.
 */
export async function growthSizes(
  options: ScalesOptions,
  context: CommandContext,
  checkFactor: (factor: number) => Promise<ProfiledWorkload | undefined>,
): Promise<GrowthSize[]> {
  if (options.history !== undefined)
    throw new UsageError('--scales and --scale-factors cannot keep a --history: the nightly series is one size');
  if (options.uri !== undefined)
    throw new UsageError('--scales and --scale-factors seed each size in turn on the embedded server; drop --uri');
  if (options.scaleFactors !== undefined) {
    if (options.scales !== undefined)
      throw new UsageError('--scales and --scale-factors: choose one (built-in scales, or factors of a --profile)');
    if (options.profile === undefined)
      throw new UsageError('--scale-factors needs --profile: they are factors of a profile (built-in sizes: --scales)');
    if (options.scaleFactor !== undefined) throw new UsageError('--scale-factor and --scale-factors: choose one');
    const factors = [...new Set(options.scaleFactors)].sort((a, b) => a - b);
    if (factors.length < 2)
      throw new UsageError('--scale-factors needs at least two factors to say how cost grows (e.g. --scale-factors 0.1,0.3,1)');
    // Each factor checked against the machine now, and the profile read once: every size fits the same file.
    const sizes: GrowthSize[] = [];
    for (const f of factors) sizes.push({ label: `x${f}`, set: { scaleFactor: f, fitted: await checkFactor(f) } });
    return sizes;
  }
  const known = Object.keys(context.workload.dataset.scales);
  const scales = [...new Set(options.scales ?? [])];
  const unknown = scales.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new UsageError(`--scales ${unknown.join(', ')}: not a scale of the workload (${known.join(', ')})`);
  if (scales.length < 2) throw new UsageError('--scales needs at least two scales to say how cost grows (e.g. --scales tiny,small,medium)');
  if (options.profile !== undefined)
    throw new UsageError('--scales measures the built-in scales; with --profile, give --scale-factors (e.g. 0.1,0.3,1)');
  return scales.sort((a, b) => known.indexOf(a) - known.indexOf(b)).map((scale) => ({ label: scale, set: { scale } }));
}

/** The budget the crossing is against: the thresholds' route.afterBudgetMs.p50, if the run had one. */
function budgetOf(result: RunResult): number | null {
  const values = result.thresholds.values as { route?: { afterBudgetMs?: { p50?: number } } } | undefined;
  return values?.route?.afterBudgetMs?.p50 ?? null;
}

/**
 * `bench --scales a,b,c` or `bench --profile p --scale-factors f1,f2`: a whole bench at each
 * size in turn (smallest first, each with its reports in <out>/<size>/), then how each route's
 * cost grows with the data (src/growth/growth.ts), written to growth.json, growth.md and
 * growth.html in <out>.
 */
export async function benchScales<Options extends ScalesOptions>(
  options: Options,
  context: CommandContext,
  planOf: (options: Options, context: CommandContext) => Promise<RunPlan>,
  checkFactor: (factor: number) => Promise<ProfiledWorkload | undefined>,
): Promise<GrowthOutcome> {
  const sizes = await growthSizes(options, context, checkFactor);
  const outDir = await prepareOutputs(options.out, newRunId('growth'));
  await mkdir(outDir, { recursive: true });
  const runs: ScaleRun[] = [];
  const done: Array<GrowthOutcome['runs'][number]> = [];
  for (const size of sizes) {
    context.reporter.notice(`growth: bench at ${size.label} (${runs.length + 1} of ${sizes.length})`);
    const outcome = await runPipeline(await planOf({ ...options, ...size.set, out: join(outDir, size.label) }, context), context);
    runs.push({ scale: size.label, result: outcome.result as RunResult });
    done.push({ scale: size.label, outDir: outcome.outDir, verdict: outcome.result.gate.verdict });
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
