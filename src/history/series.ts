import type { RouteAudience, Verdict } from '../checks.js';
import type { ApplicationRef } from '../history-summary.js';
import { applicationChanges, applicationLabel } from './application.js';
import { eDivisive } from './changepoints.js';
import { acceptedIndex, comparabilityKey } from './comparability.js';
import { describeChanges, historyDefaults, type HistoryOptions, type TrendPoint } from './judge.js';
import { applicationOf, type HistoryLine, type RunRecord, type RunSetting } from './record.js';

/**
 * `history show`: each series of the history (one per comparability key × measure) as
 * rows a table prints, newest last. Change points are found as the gate finds them:
 * within each stretch between accepts, over the rows shown (the last `changePointWindow`
 * runs by default, the gate's window).
 */

export interface SeriesRow {
  readonly runId: string;
  readonly finishedAt: string;
  readonly commit: string | null;
  /** The application measured, `name@commit` (`meeshy@aa13b652`). */
  readonly application: string;
  /** The run before it in the same setting measured another commit of the application (`name@commit`): this series starts after it. */
  readonly after: string | null;
  /** p50 TOTAL after the indexes, ms; null when the run did not measure it validly. */
  readonly value: number | null;
  readonly verdict: Verdict;
  /** An accept names this run: the baseline starts here. */
  readonly accepted: boolean;
  /** This run is the first of a new level. */
  readonly changePoint: { readonly direction: 'slower' | 'faster'; readonly size: number; readonly confidence: number } | null;
}

export interface SeriesTable {
  /** The comparability key; undefined for runs with unknown keys (converted version-1 runs: no change points). */
  readonly key: string | undefined;
  /** The setting of the series' latest run (what a heading names). */
  readonly setting: RunSetting;
  /** The application of the series' latest run (a series holds one application at one commit). */
  readonly application: ApplicationRef;
  readonly measure: string;
  readonly route: string;
  readonly userClass: RouteAudience;
  readonly gated: boolean;
  readonly rows: SeriesRow[];
}

export interface SeriesOptions extends Partial<HistoryOptions> {
  /** Rows per series, newest kept (default: the change-point window). */
  readonly last?: number;
}

/** Every series of the history, in order of first appearance. */
export function historySeries(lines: readonly HistoryLine[], options: SeriesOptions = {}): SeriesTable[] {
  const o: HistoryOptions = { ...historyDefaults, ...options };
  const last = options.last ?? o.changePointWindow;
  const after = new Map(applicationChanges(lines, o).map((c) => [c.to.runId, applicationLabel(c.from)]));
  const groups = new Map<string, RunRecord[]>();
  for (const line of lines) {
    if (line.type !== 'run') continue;
    const key = comparabilityKey(line) ?? '';
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  const tables: SeriesTable[] = [];
  for (const [key, runs] of groups) {
    const accepted = new Set<number>();
    for (const line of lines) {
      if (line.type !== 'accept' || key === '') continue;
      const index = acceptedIndex(line, runs);
      if (index !== undefined) accepted.add(index);
    }
    const shown = runs.slice(-last);
    const offset = runs.length - shown.length;
    const latest = runs[runs.length - 1] as RunRecord;
    for (const measure of measuresOf(runs)) {
      const stats = latest.measures[measure] ?? runs.findLast((r) => r.measures[measure])?.measures[measure];
      if (!stats) continue;
      const rows: SeriesRow[] = shown.map((r, i) => ({
        runId: r.runId,
        finishedAt: r.finishedAt,
        commit: r.tool.commit,
        application: applicationLabel(applicationOf(r)),
        after: after.get(r.runId) ?? null,
        value: r.measures[measure]?.median ?? null,
        verdict: r.verdict,
        accepted: accepted.has(offset + i),
        changePoint: null,
      }));
      if (key !== '') markChanges(rows, o);
      tables.push({
        key: key === '' ? undefined : key,
        setting: latest.setting,
        application: applicationOf(latest),
        measure,
        route: stats.route,
        userClass: stats.userClass,
        gated: stats.gated,
        rows,
      });
    }
  }
  return tables;
}

function measuresOf(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.measures)))];
}

/** Change points within each stretch between accepted runs, over the rows with a value. */
function markChanges(rows: SeriesRow[], o: HistoryOptions): void {
  const starts = [0, ...rows.flatMap((r, i) => (r.accepted && i > 0 ? [i] : [])), rows.length];
  for (let s = 0; s + 1 < starts.length; s++) {
    const at: number[] = [];
    const points: TrendPoint[] = [];
    for (let i = starts[s] as number; i < (starts[s + 1] as number); i++) {
      const row = rows[i] as SeriesRow;
      if (row.value === null) continue;
      at.push(i);
      points.push({ runId: row.runId, commit: row.commit, finishedAt: row.finishedAt, medianMs: row.value, verdict: row.verdict });
    }
    const found = eDivisive(
      points.map((p) => Math.log(p.medianMs)),
      o,
    );
    for (const change of describeChanges(points, found)) {
      const i = at[change.index] as number;
      rows[i] = {
        ...(rows[i] as SeriesRow),
        changePoint: { direction: change.direction, size: change.size, confidence: change.confidence },
      };
    }
  }
}
