import { parseMeasurementKey } from '../keys.js';
import type { CheckInput, RouteAudience, Verdict } from '../result.js';
import { median } from '../timing/stats.js';
import { type FoundChange, eDivisive } from './changepoints.js';
import { type Baseline, type ComparabilityField, baselineFor } from './comparability.js';
import { type HistoryLine, type MeasureStats, type RunRecord } from './record.js';

/**
 * The nightly gate: a run judged against its baseline (the comparable runs since the last
 * accept, see comparability.ts) by three detectors.
 *
 *  - Plan regressions, exactly: the data is deterministic, so a gated pattern's documents
 *    examined and chosen index only change when its plan changed. Growth beyond `workGrowth`
 *    (and `workSlack` documents), or another index, against the last comparable run fails.
 *  - The single-night alarm: the route TOTAL p50 of each gated measure against the last
 *    `window` comparable runs by a robust z-score, z = (x − median) / (1.4826 · MAD) (the
 *    Iglewicz–Hoaglin outlier test, z > `zThreshold`), and at least `minSlowdown` slower than
 *    the median. Nightly noise is mostly between runs, so the spread is that of run medians;
 *    median and MAD keep one odd night from moving it; a floor of 2% on the spread keeps a
 *    very steady history from flagging trifles. Every validly measured run is a baseline,
 *    whatever its verdict: leaving out failed nights biased the baseline fast.
 *  - Change points (changepoints.ts) over the last `changePointWindow` comparable runs,
 *    on ln(p50): it finds what the alarm cannot, a persistent 5–15% step or a slow creep.
 *    The current run sits in the last segment; the run regressed when, for some change point
 *    to a slower level, the current segment's median is at least `minChange` times the
 *    median of the segment just before that change point (so a creep cut into several small
 *    steps still counts in total, and a fix that restores the old level clears it). A
 *    regression stays failing night after night until it is fixed or accepted. Speed-ups,
 *    and slowdowns under `minChange`, are reported, never failed.
 */
export const historyDefaults = {
  // Single-night alarm (unchanged from the first history gate).
  window: 10,
  minRuns: 3,
  zThreshold: 3.5,
  minSlowdown: 1.2,
  // Plan regressions.
  workGrowth: 1.1,
  workSlack: 10,
  /**
   * Change points over the last 60 comparable runs (two months of nights): segments of 15+
   * runs estimate a 5% shift well against a night-to-night log-sd of 0.03, older behaviour
   * (another runner generation) does not weigh on today's verdict, and one window costs
   * milliseconds.
   *
   * The other parameters were chosen by simulation, each night judged as the gate judges it
   * (as test/unit/history-detectors.test.ts does, over 50 noise series and 200 step series;
   * log-normal noise, log-sd 0.03):
   *
   *   alpha, R       noise: 200-night series   10% step after 15 nights:   run named
   *                  with any false alarm      found ≤ 5 nights after it   exactly
   *   0.05, 199      7 of 50                   199 of 200                  84%
   *   0.01, 499      1 of 50                   190 of 200 (all ≤ 8)        88%
   *
   * The test runs every night on overlapping windows, so the level of a one-off analysis
   * (`ecp`'s 0.05) fails a quiet series every few hundred nights; a gate that cries wolf is
   * ignored, and a real 10% step is still found within 2–4 nights in 9 cases of 10. A 2%
   * daily creep is found after 4–6 of its nights (all within 8).
   */
  changePointWindow: 60,
  alpha: 0.01,
  /** (R + 1) · alpha = 5: the Monte-Carlo test may see 4 shuffles at least as extreme and still reject, so it loses little power (199 would allow 1). */
  permutations: 499,
  /** A step is nameable once 3 runs are on the new level; with 2, two odd nights make a level. */
  minSegment: 3,
  /**
   * The first segment of a window is a reference only when it spans 6 runs: at the start
   * of a series (or an accept) 3–5 runs are not yet a level, and at the start of a window
   * cut from a longer series they are the tail of an older level, judged when it changed.
   */
  minReference: 6,
  /** Slowdowns under 5% are reported, not failed: the practical minimum of the nightly gate. */
  minChange: 1.05,
  /** Seed of the permutation test's shuffles: any fixed number; it makes verdicts reproducible. */
  seed: 1,
} as const;

export type HistoryOptions = { -readonly [K in keyof typeof historyDefaults]: number };

export interface RunRef {
  readonly runId: string;
  readonly commit: string | null;
  readonly finishedAt: string;
}

/** One run of a measure's series: its p50 TOTAL after the indexes. */
export interface TrendPoint extends RunRef {
  readonly medianMs: number;
  /** The run's recorded verdict; null for the run being judged. */
  readonly verdict: Verdict | null;
}

export interface ChangePoint {
  /** Index in `points` of the first run of the new level. */
  readonly index: number;
  /** The last run before the change and the first run after it. */
  readonly before: RunRef;
  readonly after: RunRef;
  /** Median of the segment after / median of the segment before (ms). */
  readonly size: number;
  /** 1 − the permutation p-value. */
  readonly confidence: number;
  readonly direction: 'slower' | 'faster';
}

/** The single-night alarm's figures for one measure. */
export interface NightAlarm {
  readonly valueMs: number;
  readonly baselineMedianMs: number;
  readonly baselineRuns: number;
  readonly ratio: number;
  readonly z: number;
  readonly raised: boolean;
}

/** What a trend chart draws for one measure: the series and its change points. */
export interface MeasureTrend {
  readonly measure: string;
  readonly route: string;
  readonly userClass: RouteAudience;
  readonly gated: boolean;
  /** The change-point window: comparable runs since the accept, the current run last. */
  readonly points: TrendPoint[];
  readonly changePoints: ChangePoint[];
  /** The change point the current level is a regression from (median of the current segment / median before it ≥ minChange). */
  readonly regression: (ChangePoint & { readonly level: number }) | null;
  /** Null with fewer than `minRuns` comparable earlier runs. */
  readonly alarm: NightAlarm | null;
}

export interface HistorySummary {
  readonly comparableRuns: number;
  readonly notComparable: number;
  readonly differences: Partial<Record<ComparabilityField, number>>;
  readonly beforeAccept: number;
  readonly accepted: (RunRef & { readonly at: string; readonly note: string }) | null;
  readonly options: HistoryOptions;
  readonly measures: MeasureTrend[];
}

export interface HistoryJudgement {
  /** One `regression` check per gated pattern (plan), and two per gated measure (night alarm, change points). */
  readonly checks: CheckInput[];
  readonly summary: HistorySummary;
}

/** Judges `current` against the history's records (`lines`, file order). Pure. */
export function judgeRun(current: RunRecord, lines: readonly HistoryLine[], options: Partial<HistoryOptions> = {}): HistoryJudgement {
  const o: HistoryOptions = { ...historyDefaults, ...options };
  const baseline = baselineFor(lines, current);
  const checks: CheckInput[] = [...planChecks(current, baseline, o)];
  const measures: MeasureTrend[] = [];
  for (const [key, stats] of Object.entries(current.measures)) {
    const trend = measureTrend(key, stats, current, baseline, o);
    measures.push(trend);
    if (stats.gated) checks.push(alarmCheck(trend, o), trendCheck(trend, o));
  }
  const accepted = baseline.accepted ? { ...refOf(baseline.accepted.run), at: baseline.accepted.record.at, note: baseline.accepted.record.note } : null;
  return {
    checks,
    summary: {
      comparableRuns: baseline.runs.length,
      notComparable: baseline.notComparable,
      differences: baseline.differences,
      beforeAccept: baseline.beforeAccept,
      accepted,
      options: o,
      measures,
    },
  };
}

/** The trend of one measure of `current`: its window, change points, regression and alarm. */
function measureTrend(key: string, stats: MeasureStats, current: RunRecord, baseline: Pick<Baseline, 'runs'>, o: HistoryOptions): MeasureTrend {
  const earlier = baseline.runs.flatMap((r) => {
    const m = r.measures[key];
    return m ? [pointOf(r, m)] : [];
  });
  const points = [...earlier.slice(-(o.changePointWindow - 1)), { ...refOf(current), medianMs: stats.median, verdict: null }];
  const found = eDivisive(
    points.map((p) => Math.log(p.medianMs)),
    o,
  );
  const changePoints = describeChanges(points, found);
  return {
    measure: key,
    route: stats.route,
    userClass: stats.userClass,
    gated: stats.gated,
    points,
    changePoints,
    regression: regressionOf(points, changePoints, o),
    alarm: nightAlarm(stats.median, earlier.slice(-o.window), o),
  };
}

/** Each change point with the runs on each side and the ratio of the adjacent segments' medians. */
export function describeChanges(points: readonly TrendPoint[], found: readonly FoundChange[]): ChangePoint[] {
  const bounds = [0, ...found.map((f) => f.index), points.length];
  return found.map((f, j) => {
    const before = median(points.slice(bounds[j], f.index).map((p) => p.medianMs));
    const after = median(points.slice(f.index, bounds[j + 2]).map((p) => p.medianMs));
    const size = after / before;
    return {
      index: f.index,
      before: refOf(points[f.index - 1] as TrendPoint),
      after: refOf(points[f.index] as TrendPoint),
      size,
      confidence: 1 - f.pValue,
      direction: size > 1 ? 'slower' : 'faster',
    };
  });
}

function regressionOf(points: readonly TrendPoint[], changes: readonly ChangePoint[], o: HistoryOptions): MeasureTrend['regression'] {
  const last = changes[changes.length - 1];
  if (!last) return null;
  const level = median(points.slice(last.index).map((p) => p.medianMs));
  const tonight = (points[points.length - 1] as TrendPoint).medianMs;
  for (let j = 0; j < changes.length; j++) {
    const change = changes[j] as ChangePoint;
    if (change.direction !== 'slower') continue;
    const from = j === 0 ? 0 : (changes[j - 1] as ChangePoint).index;
    if (from === 0 && change.index < o.minReference) continue;
    const reference = median(points.slice(from, change.index).map((p) => p.medianMs));
    // Tonight itself must be on the slower level too: the first night of a fix (back at the
    // old level, too short to be a segment of its own) is not failed for its predecessors.
    if (level / reference >= o.minChange && tonight / reference >= o.minChange) return { ...change, level: level / reference };
  }
  return null;
}

function nightAlarm(value: number, previous: readonly TrendPoint[], o: HistoryOptions): NightAlarm | null {
  if (previous.length < o.minRuns) return null;
  const series = previous.map((p) => p.medianMs);
  const center = median(series);
  const mad = median(series.map((x) => Math.abs(x - center)));
  // A floor on the spread: a perfectly steady history must not make every wobble significant.
  const spread = Math.max(1.4826 * mad, 0.02 * center);
  const z = (value - center) / spread;
  const ratio = value / center;
  return { valueMs: value, baselineMedianMs: center, baselineRuns: series.length, ratio, z, raised: z > o.zThreshold && ratio >= o.minSlowdown };
}

function where(trend: MeasureTrend): { tag: Pick<CheckInput, 'pattern' | 'route' | 'userClass'>; name: string } {
  return { tag: { pattern: 'route', route: trend.route, userClass: trend.userClass }, name: `route ${trend.route} (${trend.userClass})` };
}

function alarmCheck(trend: MeasureTrend, o: HistoryOptions): CheckInput {
  const { tag, name } = where(trend);
  const a = trend.alarm;
  if (!a) {
    return { check: 'regression', ...tag, passed: true, message: `${name}: ${trend.points.length - 1} comparable earlier run(s), ${o.minRuns} needed to judge latency` };
  }
  return {
    check: 'regression',
    ...tag,
    passed: !a.raised,
    message: `${name}: TOTAL p50 ${a.valueMs.toFixed(1)} ms vs median ${a.baselineMedianMs.toFixed(1)} ms of ${a.baselineRuns} runs (×${a.ratio.toFixed(2)}, robust z ${a.z.toFixed(1)}; a regression needs z > ${o.zThreshold} and ×${o.minSlowdown})`,
  };
}

function trendCheck(trend: MeasureTrend, o: HistoryOptions): CheckInput {
  const { tag, name } = where(trend);
  const runs = trend.points.length;
  const r = trend.regression;
  if (r) {
    return {
      check: 'regression',
      ...tag,
      passed: false,
      message: `${name}: slower since ${runName(r.after)}: TOTAL p50 level ×${r.level.toFixed(2)} (change point ×${r.size.toFixed(2)}, confidence ${r.confidence.toFixed(3)}; last run before: ${runName(r.before)}); accept it with \`indexgate history accept ${r.after.runId}\` if intended`,
    };
  }
  if (runs < 2 * o.minSegment) {
    return { check: 'regression', ...tag, passed: true, message: `${name}: ${runs} comparable run(s), ${2 * o.minSegment} needed to look for change points` };
  }
  const last = trend.changePoints[trend.changePoints.length - 1];
  const seen = last
    ? `no slowdown of ×${o.minChange} or more; last change ×${last.size.toFixed(2)} (${last.direction}) since ${runName(last.after)}, confidence ${last.confidence.toFixed(3)}`
    : 'no change point';
  return { check: 'regression', ...tag, passed: true, message: `${name}: ${runs} comparable runs, ${seen}` };
}

/** A gated pattern's plan against the last comparable run: another index, or more documents examined, is a regression. */
function planChecks(current: RunRecord, baseline: Pick<Baseline, 'runs'>, o: HistoryOptions): CheckInput[] {
  const last = baseline.runs[baseline.runs.length - 1];
  if (!last) return [];
  const checks: CheckInput[] = [];
  for (const [key, now] of Object.entries(current.plans)) {
    const before = last.plans[key];
    const parsed = parseMeasurementKey(key);
    if (!before || !parsed) continue;
    const { pattern, userClass } = parsed;
    const grew = now.docsExamined > before.docsExamined * o.workGrowth && now.docsExamined - before.docsExamined > o.workSlack;
    const switched = now.indexName !== before.indexName;
    const docs = (n: number) => n.toLocaleString('en-US');
    checks.push({
      check: 'regression',
      pattern,
      userClass,
      passed: !grew && !switched,
      message:
        grew || switched
          ? `${pattern} (${userClass}): plan changed since ${last.runId}: ${docs(now.docsExamined)} docs examined (was ${docs(before.docsExamined)}), index ${now.indexName ?? 'none'} (was ${before.indexName ?? 'none'})`
          : `${pattern} (${userClass}): same plan as ${last.runId} (${docs(now.docsExamined)} docs examined on ${now.indexName ?? 'no index'})`,
    });
  }
  return checks;
}

function pointOf(run: RunRecord, stats: MeasureStats): TrendPoint {
  return { ...refOf(run), medianMs: stats.median, verdict: run.verdict };
}

function refOf(run: RunRef | RunRecord): RunRef {
  return 'tool' in run ? { runId: run.runId, commit: run.tool.commit, finishedAt: run.finishedAt } : { runId: run.runId, commit: run.commit, finishedAt: run.finishedAt };
}

function runName(run: RunRef): string {
  return run.commit ? `${run.runId} (commit ${run.commit.slice(0, 12)})` : run.runId;
}
