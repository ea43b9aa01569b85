import type { RouteAudience, Verdict } from './checks.js';

/**
 * What the history judge reports with a run (result.json's `history`), and the settings
 * that make two runs comparable: types and defaults only, so that the result can name them
 * without depending on the judge.
 */

/**
 * Which runs may judge which: two runs are compared only when every field of their
 * `setting` is equal and known. A `bare` run never judges a `prisma` run, nor a run on
 * another machine, mongod, dataset, index set or route selection (Bencher keys every series
 * by testbed × measure in the same way). Tool version and commit are not keys: finding the
 * commit that changed the figures is the point of the series; an intended change is
 * accepted (`history accept`), which moves the baseline instead.
 */
export const comparabilityFields = [
  'fingerprint',
  'scale',
  'baseline',
  'indexSet',
  'routes',
  'mongodVersion',
  'topology',
  'underWine',
  'platform',
  'arch',
  'cpuModel',
  'cpus',
] as const;
export type ComparabilityField = (typeof comparabilityFields)[number];

/**
 * What else keys a series: the application measured (its name and commit). Runs of another
 * application never compare; a run on another commit of the same application starts its own
 * series and is compared with the previous commit's last run apart (`ApplicationChange`).
 */
export type KeyDifference = ComparabilityField | 'application';

/** The application a run measured: its name (`meeshy@aa13b652`, a folder's app.json name) and the commit it stands for. */
export interface ApplicationRef {
  readonly name: string;
  readonly commit: string;
}

/** One measure of the two commits' runs: a route's TOTAL p50 (ms) or a gated pattern's plan after the set. */
export type ApplicationMeasure =
  | {
      readonly kind: 'route';
      readonly measure: string;
      readonly beforeMs: number;
      readonly afterMs: number;
      readonly ratio: number;
      /** The ratio is beyond ×minSlowdown either way. */
      readonly moved: boolean;
    }
  | {
      readonly kind: 'plan';
      readonly measure: string;
      readonly before: { readonly indexName: string | null; readonly docsExamined: number };
      readonly after: { readonly indexName: string | null; readonly docsExamined: number };
      /** Another index, or documents examined beyond ×workGrowth (and workSlack) either way. */
      readonly moved: boolean;
    };

/**
 * A run on another commit of the same application than the run before it in the same
 * setting (machine, mongod, scale, baseline): compared with that run (the previous commit's
 * last) on the measures both have. What moved is the application's change, not a
 * regression: the new commit starts its own series, and the gate does not fail on it.
 */
export interface ApplicationChange {
  /** The application's name without its commit (`meeshy`). */
  readonly application: string;
  readonly from: ApplicationRef & { readonly runId: string; readonly finishedAt: string };
  /** This run's application, and its id. */
  readonly to: ApplicationRef & { readonly runId: string };
  /** The measures both runs have (route TOTALs, then plans), in key order. */
  readonly compared: ApplicationMeasure[];
  /** Measures only the previous commit's run had, and only this run has. */
  readonly gone: string[];
  readonly new: string[];
  /** What else the two runs differ in with the application: its data (fingerprint), the index set, the routes judged. */
  readonly alsoDiffer: Array<'fingerprint' | 'indexSet' | 'routes'>;
  /** The sentence the gate and `history show` print. */
  readonly message: string;
}

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
  readonly differences: Partial<Record<KeyDifference, number>>;
  readonly beforeAccept: number;
  readonly accepted: (RunRef & { readonly at: string; readonly note: string }) | null;
  readonly options: HistoryOptions;
  readonly measures: MeasureTrend[];
  /** The application this run measured (its series' key with the setting). */
  readonly application: ApplicationRef;
  /** Set when the run before it in the same setting measured another commit of the application. */
  readonly applicationChange: ApplicationChange | null;
}
