import { measurementKey, parseMeasurementKey } from '../keys.js';
import { z } from 'zod';
import { parseConfig, readJsonFile } from '../config-file.js';
import { writeFileAtomic } from '../files.js';
import type { CheckInput, RunResult } from '../result.js';
import { userClasses } from '../users/user-classes.js';
import { exists } from '../system.js';
import { median } from '../timing/stats.js';

/**
 * The nightly regression gate: `bench --history <file>` keeps each run's key figures and
 * compares the new run with the recent comparable ones (same dataset fingerprint, mongod
 * version, topology and Wine or not).
 *
 * Two kinds of regression:
 *  - work (exact): the data is deterministic, so a gated pattern's documents examined and
 *    chosen index only change when its plan changed. Any growth beyond 10% (and 10
 *    documents), or another index, is a regression; one earlier run suffices.
 *  - latency (statistical): each run contributes its route TOTAL p50 after the indexes, per
 *    user class. The new value is compared with the last `window` runs by a robust z-score,
 *    z = (x − median) / (1.4826 · MAD), the Iglewicz–Hoaglin outlier test (flag z > 3.5):
 *    nightly noise is mostly between runs, so the baseline is the spread of run medians, and
 *    median/MAD keep one odd night from moving it. A regression must also be practically
 *    large (≥ 20% slower than the median), so a very steady history does not flag trifles.
 *    Needs `minRuns` comparable runs; runs that failed their gate are left out of baselines.
 */

const entrySchema = z.object({
  runId: z.string(),
  finishedAt: z.string(),
  passed: z.boolean(),
  fingerprint: z.string(),
  mongodVersion: z.string(),
  topology: z.string(),
  underWine: z.boolean(),
  commit: z.string().nullable(),
  route: z.record(z.string(), z.object({ afterP50: z.number(), afterP95: z.number(), speedup: z.number().nullable() })),
  patterns: z.record(z.string(), z.object({ afterP50: z.number().nullable(), docsExamined: z.number(), keysExamined: z.number(), indexName: z.string().nullable() })),
});
const historySchema = z.object({ version: z.literal(1), runs: z.array(entrySchema) }).strict();

export type HistoryEntry = z.infer<typeof entrySchema>;
export type History = z.infer<typeof historySchema>;

export const historyDefaults = { window: 10, minRuns: 3, zThreshold: 3.5, minSlowdown: 1.2, workGrowth: 1.1 } as const;

/** An absent file is an empty history (the first night); a malformed one is a ConfigError. */
export async function loadHistory(file: string): Promise<History> {
  if (!(await exists(file))) return { version: 1, runs: [] };
  const json = await readJsonFile(file, 'it is created on the first run');
  return parseConfig(historySchema, json, file, 'is not an indexgate history (');
}

export function historyEntry(result: RunResult): HistoryEntry {
  return {
    runId: result.runId,
    finishedAt: result.finishedAt,
    passed: result.gate.passed,
    fingerprint: result.dataset.fingerprint,
    mongodVersion: result.environment.mongodVersion,
    topology: result.environment.topology,
    underWine: result.environment.underWine,
    commit: result.tool.commit,
    route: Object.fromEntries(
      result.route.classes.map((r) => [r.userClass, { afterP50: r.after.total, afterP95: r.after.latencyMs.total.p95, speedup: r.speedup?.ratio ?? null }]),
    ),
    patterns: Object.fromEntries(
      result.patterns
        .filter((p) => p.gated)
        .map((p) => [measurementKey(p.id, p.userClass), { afterP50: p.after.latencyMs?.p50 ?? null, docsExamined: p.after.totalDocsExamined, keysExamined: p.after.totalKeysExamined, indexName: p.after.indexName }]),
    ),
  };
}

export function comparable(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.fingerprint === b.fingerprint && a.mongodVersion === b.mongodVersion && a.topology === b.topology && a.underWine === b.underWine;
}

export interface HistoryVerdict {
  readonly comparableRuns: number;
  readonly checks: CheckInput[];
}

/** The regression checks for `current` against the history (older runs first). */
export function judgeAgainstHistory(current: HistoryEntry, history: History, options: Partial<typeof historyDefaults> = {}): HistoryVerdict {
  const o = { ...historyDefaults, ...options };
  const previous = history.runs.filter((r) => comparable(r, current) && r.passed).slice(-o.window);
  const checks: CheckInput[] = [];
  const last = previous[previous.length - 1];
  if (last) {
    for (const [key, now] of Object.entries(current.patterns)) {
      const before = last.patterns[key];
      if (!before) continue;
      const parsed = parseMeasurementKey(key);
      if (!parsed) continue;
      const { pattern, userClass } = parsed;
      const grew = now.docsExamined > before.docsExamined * o.workGrowth && now.docsExamined - before.docsExamined > 10;
      const switched = now.indexName !== before.indexName;
      checks.push({
        check: 'regression',
        pattern,
        userClass,
        passed: !grew && !switched,
        message:
          grew || switched
            ? `${pattern} (${userClass}): plan changed since ${last.runId}: ${now.docsExamined.toLocaleString('en-US')} docs examined (was ${before.docsExamined.toLocaleString('en-US')}), index ${now.indexName ?? 'none'} (was ${before.indexName ?? 'none'})`
            : `${pattern} (${userClass}): same plan as ${last.runId} (${now.docsExamined.toLocaleString('en-US')} docs examined on ${now.indexName ?? 'no index'})`,
      });
    }
  }
  for (const userClass of userClasses) {
    const now = current.route[userClass];
    if (!now) continue;
    const series = previous.map((r) => r.route[userClass]?.afterP50).filter((x): x is number => typeof x === 'number');
    if (series.length < o.minRuns) {
      checks.push({ check: 'regression', pattern: 'route', userClass, passed: true, message: `route (${userClass}): ${series.length} comparable earlier run(s), ${o.minRuns} needed to judge latency` });
      continue;
    }
    const center = median(series);
    const mad = median(series.map((x) => Math.abs(x - center)));
    // A floor on the spread: a perfectly steady history must not make every wobble significant.
    const spread = Math.max(1.4826 * mad, 0.02 * center);
    const z = (now.afterP50 - center) / spread;
    const ratio = now.afterP50 / center;
    const regressed = z > o.zThreshold && ratio >= o.minSlowdown;
    checks.push({
      check: 'regression',
      pattern: 'route',
      userClass,
      passed: !regressed,
      message: `route (${userClass}): TOTAL p50 ${now.afterP50.toFixed(1)} ms vs median ${center.toFixed(1)} ms of ${series.length} runs (×${ratio.toFixed(2)}, robust z ${z.toFixed(1)}; a regression needs z > ${o.zThreshold} and ×${o.minSlowdown})`,
    });
  }
  return { comparableRuns: previous.length, checks };
}

export async function appendHistory(file: string, history: History, entry: HistoryEntry): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, runs: [...history.runs, entry] }, null, 2)}\n`);
}
