import { describe, expect, it } from 'vitest';
import { type HistoryJudgement, judgeRun } from '../../src/history/judge.js';
import type { HistoryLine, RunRecord } from '../../src/history/record.js';
import { nightMeasure, nightRecord } from '../support/history.js';
import { mulberry32, normal } from '../support/random.js';

/**
 * Night-to-night log-sd of route TOTAL p50. Measured on this machine (2 cores, mongod 7.0.15
 * under Wine), 8 back-to-back `bench --scale small --route driver --history` runs: 0.030
 * (typical), 0.025 (heavy), 0.027 (heaviest). Real nights on shared CI runners vary more;
 * the detectors' false-alarm rate is simulated at this figure.
 */
export const NIGHTLY_LOG_SD = 0.03;

const measure = nightMeasure;
const night = nightRecord;

/** Nights whose true level is `level(i)` ms, with log-normal night-to-night noise. */
function simulate(nights: number, level: (i: number) => number, seed: number, sd = NIGHTLY_LOG_SD): RunRecord[] {
  const draw = normal(mulberry32(seed));
  return Array.from({ length: nights }, (_, i) => night(i, level(i) * Math.exp(sd * draw())));
}

/** Every night judged as the gate judges it: against the runs recorded before it. */
function nightly(runs: readonly RunRecord[]): HistoryJudgement[] {
  const lines: HistoryLine[] = [];
  return runs.map((run) => {
    const judged = judgeRun(run, lines);
    lines.push(run);
    return judged;
  });
}

const failed = (j: HistoryJudgement) => j.checks.filter((c) => !c.passed);
const trendOf = (j: HistoryJudgement) => j.summary.measures.find((m) => m.measure === measure);
/** The first night whose change-point check failed. */
const firstAlarm = (judged: readonly HistoryJudgement[]) => judged.findIndex((j) => trendOf(j)?.regression);

describe('the change-point pass', () => {
  it('finds a 10% step after 15 normal nights within 5 nights, naming the first run of the new level', () => {
    const judged = nightly(simulate(30, (i) => (i >= 15 ? 528 : 480), 1));
    const found = firstAlarm(judged);
    expect(found).toBeGreaterThanOrEqual(15);
    expect(found).toBeLessThanOrEqual(19);
    const regression = trendOf(judged[found] as HistoryJudgement)?.regression;
    expect(regression).toMatchObject({ direction: 'slower', after: { runId: 'run-15' }, before: { runId: 'run-14' } });
    expect(regression?.size).toBeGreaterThan(1.05);
    expect(regression?.confidence).toBeGreaterThanOrEqual(0.99);
    const check = failed(judged[found] as HistoryJudgement);
    expect(check).toHaveLength(1);
    expect(check[0]).toMatchObject({ check: 'regression', pattern: 'route', userClass: 'typical' });
    expect(check[0]?.message).toMatch(
      /^route driver \(typical\): slower since run-15 \(commit 000000fccccc\): TOTAL p50 level ×1\.\d\d .*last run before: run-14/,
    );
    // The first nights at the new level may be borderline; from the fifth on, it fails every night until fixed or accepted.
    expect(judged.slice(19).every((j) => failed(j).length === 1)).toBe(true);
  });

  it('finds the step in 40 seeded series: within 5 nights in 9 of 10, always within 8, naming its first run in most', () => {
    const nights: number[] = [];
    const named: string[] = [];
    for (let seed = 100; seed < 140; seed++) {
      const judged = nightly(simulate(24, (i) => (i >= 15 ? 528 : 480), seed));
      const found = firstAlarm(judged);
      nights.push(found - 15);
      named.push(found >= 0 ? (trendOf(judged[found] as HistoryJudgement)?.regression?.after.runId ?? '') : 'none');
    }
    expect(
      nights.every((n) => n >= 0 && n <= 8),
      nights.join(','),
    ).toBe(true);
    expect(nights.filter((n) => n <= 5).length, nights.join(',')).toBeGreaterThanOrEqual(36);
    expect(named.filter((n) => n === 'run-15').length, named.join(',')).toBeGreaterThanOrEqual(32);
  });

  it('finds a 2% daily creep over 20 nights after 15 steady ones', () => {
    const judged = nightly(simulate(35, (i) => 480 * 1.02 ** Math.max(0, i - 14), 2));
    const found = firstAlarm(judged);
    expect(found).toBeGreaterThanOrEqual(15);
    expect(found).toBeLessThan(35);
    const regression = trendOf(judged[found] as HistoryJudgement)?.regression;
    expect(Number(regression?.after.runId.slice(4))).toBeGreaterThanOrEqual(15);
    expect(regression?.level).toBeGreaterThanOrEqual(1.05);
    // By the end the level is ×1.49: still failing.
    expect(failed(judged[34] as HistoryJudgement)).toHaveLength(1);
  });

  it('raises no alarm, from either detector, on any of 200 nights of noise (and is fast: one window of 60 each night)', () => {
    const started = performance.now();
    for (const seed of [1, 2, 3, 4, 5]) {
      const judged = nightly(simulate(200, () => 480, seed));
      const alarms = judged.flatMap((j, i) => failed(j).map((c) => `night ${i}: ${c.message}`));
      expect(alarms, `seed ${seed}`).toEqual([]);
      // The windows did fill: the last nights look at 60 runs.
      expect(trendOf(judged[199] as HistoryJudgement)?.points).toHaveLength(60);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('reports a speed-up, and a slowdown under 5%, without failing', () => {
    const faster = nightly(simulate(30, (i) => (i >= 15 ? 400 : 480), 6));
    expect(faster.every((j) => failed(j).length === 0)).toBe(true);
    const last = trendOf(faster[29] as HistoryJudgement);
    expect(last?.changePoints).toMatchObject([{ direction: 'faster', after: { runId: 'run-15' } }]);
    expect((faster[29] as HistoryJudgement).checks.find((c) => /change/.test(c.message))?.message).toMatch(
      /^route driver \(typical\): 30 comparable runs, no slowdown of ×1\.05 or more; last change ×0\.8\d \(faster\) since run-15 \(commit 000000fccccc\), confidence 0\.99\d$/,
    );

    // A very steady series makes a 3% step significant; it is still under the practical minimum.
    const small = nightly(simulate(30, (i) => (i >= 15 ? 494 : 480), 7, 0.004));
    expect(trendOf(small[29] as HistoryJudgement)?.changePoints).toMatchObject([{ direction: 'slower', after: { runId: 'run-15' } }]);
    expect(small.every((j) => failed(j).length === 0)).toBe(true);
  });

  it('clears once a fix restores the old level', () => {
    const judged = nightly(simulate(45, (i) => (i >= 15 && i < 30 ? 540 : 480), 8));
    expect(firstAlarm(judged)).toBeLessThanOrEqual(19);
    expect(failed(judged[44] as HistoryJudgement)).toEqual([]);
    expect(trendOf(judged[44] as HistoryJudgement)?.changePoints.map((c) => [c.direction, c.after.runId])).toEqual([
      ['slower', 'run-15'],
      ['faster', 'run-30'],
    ]);
  });
});

describe('the single-night alarm', () => {
  const steady = (n: number) => Array.from({ length: n }, (_, i) => night(i, 480));

  it('flags a night 2x slower than the recent median', () => {
    const judged = judgeRun(night(10, 960), steady(10));
    const alarm = judged.checks.find((c) => c.message.includes('robust z'));
    expect(alarm?.passed).toBe(false);
    expect(alarm?.message).toMatch(
      /^route driver \(typical\): TOTAL p50 960\.0 ms vs median 480\.0 ms of 10 runs \(×2\.00, robust z 50\.0/,
    );
  });

  it('does not flag a significant but small slowdown (under 20%)', () => {
    const alarm = (ms: number) => judgeRun(night(10, ms), steady(10)).checks.find((c) => c.message.includes('robust z'));
    expect(alarm(540)?.passed).toBe(true);
    expect(alarm(600)?.passed).toBe(false);
  });

  it('needs a few comparable runs; runs that failed their gate are baselines too', () => {
    const few = judgeRun(night(2, 2000), steady(2));
    expect(few.checks.find((c) => c.message.includes('needed to judge latency'))).toMatchObject({
      passed: true,
      message: expect.stringMatching(/2 comparable earlier run\(s\), 3 needed/),
    });
    const mixed = [night(0, 480), night(1, 480, { verdict: 'fail' }), night(2, 480, { verdict: 'inconclusive' })];
    const judged = judgeRun(night(3, 480), mixed);
    expect(judged.summary.comparableRuns).toBe(3);
    expect(judged.summary.measures[0]?.alarm?.baselineRuns).toBe(3);
  });

  it('is left to the trend for non-gated measures: only gated ones get checks', () => {
    const ungated = (i: number, ms: number) =>
      night(i, ms, { measures: { [measure]: { ...(night(i, ms).measures[measure] as RunRecord['measures'][string]), gated: false } } });
    const judged = judgeRun(
      ungated(10, 960),
      Array.from({ length: 10 }, (_, i) => ungated(i, 480)),
    );
    expect(judged.checks.filter((c) => c.pattern === 'route')).toEqual([]);
    expect(judged.summary.measures[0]?.alarm?.raised).toBe(true);
  });
});

describe('exact plan regressions', () => {
  it('names a gated pattern whose plan changed since the last comparable run, whatever the latency', () => {
    const grown = night(10, 480, { plans: { 'readCursors|typical': { indexName: null, docsExamined: 2727, keysExamined: 0, p50: 90 } } });
    const history = Array.from({ length: 10 }, (_, i) => night(i, 480, i === 9 ? { verdict: 'fail' } : {}));
    const check = judgeRun(grown, history).checks.find((c) => c.pattern === 'readCursors');
    expect(check).toMatchObject({ check: 'regression', passed: false, userClass: 'typical' });
    expect(check?.message).toBe(
      'readCursors (typical): plan changed since run-9: 2,727 docs examined (was 6), index none (was idx_cursor_user_conv)',
    );
    const same = judgeRun(night(10, 480), history).checks.find((c) => c.pattern === 'readCursors');
    expect(same).toMatchObject({
      passed: true,
      message: 'readCursors (typical): same plan as run-9 (6 docs examined on idx_cursor_user_conv)',
    });
  });

  it('flags another index even with the same work, and ignores growth under 10 documents', () => {
    const history = [night(0, 480)];
    const other = night(1, 480, {
      plans: { 'readCursors|typical': { indexName: 'idx_other', docsExamined: 6, keysExamined: 7, p50: 1.5 } },
    });
    expect(judgeRun(other, history).checks.find((c) => c.pattern === 'readCursors')?.passed).toBe(false);
    const trifle = night(1, 480, {
      plans: { 'readCursors|typical': { indexName: 'idx_cursor_user_conv', docsExamined: 14, keysExamined: 15, p50: 1.5 } },
    });
    expect(judgeRun(trifle, history).checks.find((c) => c.pattern === 'readCursors')?.passed).toBe(true);
  });
});

describe('a fix', () => {
  it('the first night back at the old level is not failed for the slow nights before it', () => {
    const runs = simulate(31, (i) => (i >= 15 && i < 30 ? 110 : 100), 7);
    const judged = nightly(runs);
    expect(trendOf(judged[29] as HistoryJudgement)?.regression).not.toBeNull();
    expect(trendOf(judged[30] as HistoryJudgement)?.regression).toBeNull();
  });
});
