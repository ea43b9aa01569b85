import { type AcceptRecord, applicationOf, type HistoryLine, type RunRecord, type RunSetting } from './record.js';

import { comparabilityFields, type KeyDifference } from '../history-summary.js';

export { type ComparabilityField, comparabilityFields, type KeyDifference } from '../history-summary.js';

/** What a run's series is keyed by: its setting and the application it measured (name and commit). */
type Keyed = Pick<RunRecord, 'setting' | 'application'>;

// Every comparability field is a field of a run's setting.
const _settingFields: ReadonlyArray<keyof RunSetting> = comparabilityFields;

/**
 * The series a run belongs to, as one string; undefined when a field is unknown (the run
 * compares with nothing). The application's name and commit are part of it: another commit
 * starts another series (compared with the one before apart, application.ts), and a
 * version-2 run counts as the application there was then (`applicationOf`).
 */
export function comparabilityKey(record: Keyed): string | undefined {
  const values = comparabilityFields.map((field) => record.setting[field]);
  if (values.some((v) => v === null)) return undefined;
  const application = applicationOf(record);
  return JSON.stringify([application.name, application.commit, ...values]);
}

export function comparable(a: Keyed, b: Keyed): boolean {
  const key = comparabilityKey(a);
  return key !== undefined && key === comparabilityKey(b);
}

/** The fields in which two runs differ (an unknown field counts as differing), `application` first. */
export function keyDifferences(a: Keyed, b: Keyed): KeyDifference[] {
  const [x, y] = [applicationOf(a), applicationOf(b)];
  const application: KeyDifference[] = x.name !== y.name || x.commit !== y.commit ? ['application'] : [];
  return [
    ...application,
    ...comparabilityFields.filter((field) => {
      const x = a.setting[field];
      const y = b.setting[field];
      return x === null || y === null || JSON.stringify(x) !== JSON.stringify(y);
    }),
  ];
}

/** The earlier runs a run is judged against. */
export interface Baseline {
  /** Comparable runs before `current`, at or after the accepted run, in file order (validly measured: every record is). */
  readonly runs: RunRecord[];
  /** The accept that starts the baseline, and the run it names (possibly `current` itself). */
  readonly accepted: { readonly record: AcceptRecord; readonly run: RunRecord } | undefined;
  /** Earlier runs left out as not comparable, counted by the fields that differ. */
  readonly notComparable: number;
  readonly differences: Partial<Record<KeyDifference, number>>;
  /** Comparable runs left out because they are older than the accepted run. */
  readonly beforeAccept: number;
}

/**
 * The baseline of `current` in `lines` (the history file's records): the comparable runs
 * before it (before its own line when it is already recorded), starting at the latest
 * accept that names one of them or `current`. An accept by commit names the first run of
 * that commit in the series; an accept names nothing in a series without that run or commit.
 */
export function baselineFor(lines: readonly HistoryLine[], current: RunRecord): Baseline {
  const at = lines.findIndex((l) => l.type === 'run' && l.runId === current.runId);
  const earlier = at >= 0 ? lines.slice(0, at) : lines;
  const series: RunRecord[] = [];
  const differences: Partial<Record<KeyDifference, number>> = {};
  let notComparable = 0;
  for (const line of earlier) {
    if (line.type !== 'run') continue;
    if (comparable(line, current)) series.push(line);
    else {
      notComparable++;
      for (const field of keyDifferences(line, current)) differences[field] = (differences[field] ?? 0) + 1;
    }
  }
  const withCurrent = [...series, current];
  let start = 0;
  let accepted: Baseline['accepted'];
  for (const line of lines) {
    if (line.type !== 'accept') continue;
    const index = acceptedIndex(line, withCurrent);
    if (index === undefined) continue;
    start = index;
    accepted = { record: line, run: withCurrent[index] as RunRecord };
  }
  return { runs: series.slice(start), accepted, notComparable, differences, beforeAccept: Math.min(start, series.length) };
}

/** Where `accept` starts the baseline in `series` (file order), if it names one of its runs. */
export function acceptedIndex(accept: AcceptRecord, series: readonly RunRecord[]): number | undefined {
  const index =
    accept.runId !== undefined
      ? series.findIndex((r) => r.runId === accept.runId)
      : series.findIndex((r) => r.tool.commit !== null && r.tool.commit === accept.commit);
  return index >= 0 ? index : undefined;
}
