import type { RunRecord, RunSetting } from '../../src/history/record.js';

/** The measure the simulated series follow: the driver route's TOTAL p50 for the typical user. */
export const nightMeasure = 'route:driver|typical';

/** One comparability setting for every simulated night (tests change one key at a time). */
export const nightSetting: RunSetting = {
  fingerprint: 'ig1-small-1-0123456789ab',
  scale: 'small',
  baseline: 'bare',
  indexSet: 'a1b2c3d4e5f6',
  routes: ['driver', 'prisma'],
  mongodVersion: '7.0.15',
  topology: 'standalone',
  underWine: false,
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
  cpus: 2,
};

/** A night's commit: night i's, 40 hex characters. */
export const nightCommit = (i: number) => `${i.toString(16).padStart(7, '0')}${'c'.repeat(33)}`;

/** One night of a simulated series: its TOTAL p50 (`ms`) and one gated pattern's plan. */
export function nightRecord(i: number, ms: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    type: 'run',
    version: 2,
    runId: `run-${i}`,
    finishedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    verdict: 'pass',
    tool: { version: '0.1.0', commit: nightCommit(i) },
    setting: nightSetting,
    machine: { memoryGb: 8, node: 'v20.19.0' },
    measures: {
      [nightMeasure]: { route: 'driver', userClass: 'typical', gated: true, samplesMs: [ms], median: ms, logMean: Math.log(ms), logSd: 0 },
    },
    plans: { 'readCursors|typical': { indexName: 'idx_cursor_user_conv', docsExamined: 6, keysExamined: 7, p50: 1.5 } },
    unmeasured: [],
    ...overrides,
  };
}

/**
 * Night `n` as a bench of the same state records it: `record` (a real night's) under another run id, `n − 1` days later,
 * its route latency `factor` apart (nights are never equal to the microsecond).
 */
export function recordedAgain(record: RunRecord, n: number, factor = 1): RunRecord {
  const measures = Object.fromEntries(
    Object.entries(record.measures).map(([key, m]) => [
      key,
      {
        ...m,
        samplesMs: m.samplesMs.map((ms) => ms * factor),
        median: m.median * factor,
        logMean: m.logMean === null ? null : m.logMean + Math.log(factor),
      },
    ]),
  );
  const finishedAt = new Date(Date.parse(record.finishedAt) + (n - 1) * 86_400_000).toISOString();
  return { ...record, runId: `${record.runId}-night-${n}`, finishedAt, measures };
}
