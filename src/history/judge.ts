import { parseMeasurementKey } from '../keys.js';
import type { CheckInput } from '../checks.js';
import { median } from '../timing/stats.js';
import { applicationChange } from './application.js';
import { type FoundChange, eDivisive } from './changepoints.js';
import { type Baseline, baselineFor } from './comparability.js';
import {
  type ChangePoint,
  type HistoryOptions,
  type HistorySummary,
  historyDefaults,
  type MeasureTrend,
  type NightAlarm,
  type RunRef,
  type TrendPoint,
} from '../history-summary.js';

export {
  type ChangePoint,
  type HistoryOptions,
  type HistorySummary,
  historyDefaults,
  type MeasureTrend,
  type NightAlarm,
  type RunRef,
  type TrendPoint,
} from '../history-summary.js';
import { applicationOf, type HistoryLine, type MeasureStats, type RunRecord } from './record.js';

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
 *
 * A run on another commit of the application than the run before it is in a series of its
 * own (comparability.ts): the detectors find no earlier run there, and the change is named
 * by one passing check that compares the two commits (application.ts).
 */
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
  const accepted = baseline.accepted
    ? { ...refOf(baseline.accepted.run), at: baseline.accepted.record.at, note: baseline.accepted.record.note }
    : null;
  // Another commit of the application than the run before: named as the cause of what moved, never failed (the
  // detectors above judge the commit's own series, which starts here).
  const moved = applicationChange(lines, current, o);
  if (moved) checks.push({ check: 'regression', pattern: 'application', passed: true, message: moved.message });
  const { name, commit } = applicationOf(current);
  return {
    checks,
    summary: {
      application: { name, commit },
      applicationChange: moved,
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
function measureTrend(
  key: string,
  stats: MeasureStats,
  current: RunRecord,
  baseline: Pick<Baseline, 'runs'>,
  o: HistoryOptions,
): MeasureTrend {
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
  return {
    valueMs: value,
    baselineMedianMs: center,
    baselineRuns: series.length,
    ratio,
    z,
    raised: z > o.zThreshold && ratio >= o.minSlowdown,
  };
}

function where(trend: MeasureTrend): { tag: Pick<CheckInput, 'pattern' | 'route' | 'userClass'>; name: string } {
  return { tag: { pattern: 'route', route: trend.route, userClass: trend.userClass }, name: `route ${trend.route} (${trend.userClass})` };
}

function alarmCheck(trend: MeasureTrend, o: HistoryOptions): CheckInput {
  const { tag, name } = where(trend);
  const a = trend.alarm;
  if (!a) {
    return {
      check: 'regression',
      ...tag,
      passed: true,
      message: `${name}: ${trend.points.length - 1} comparable earlier run(s), ${o.minRuns} needed to judge latency`,
    };
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
    return {
      check: 'regression',
      ...tag,
      passed: true,
      message: `${name}: ${runs} comparable run(s), ${2 * o.minSegment} needed to look for change points`,
    };
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
  return 'tool' in run
    ? { runId: run.runId, commit: run.tool.commit, finishedAt: run.finishedAt }
    : { runId: run.runId, commit: run.commit, finishedAt: run.finishedAt };
}

function runName(run: RunRef): string {
  return run.commit ? `${run.runId} (commit ${run.commit.slice(0, 12)})` : run.runId;
}
