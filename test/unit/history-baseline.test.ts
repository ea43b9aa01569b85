import { describe, expect, it } from 'vitest';
import { acceptRecord } from '../../src/history/accept.js';
import {
  type ComparabilityField,
  comparable,
  comparabilityFields,
  comparabilityKey,
  keyDifferences,
} from '../../src/history/comparability.js';
import { type HistoryJudgement, judgeRun } from '../../src/history/judge.js';
import type { AcceptRecord, HistoryLine, RunRecord, RunSetting } from '../../src/history/record.js';
import { historySeries } from '../../src/history/series.js';
import { UsageError } from '../../src/errors.js';
import { nightCommit, nightMeasure, nightRecord, nightSetting } from '../support/history.js';
import { mulberry32, normal } from '../support/random.js';

/** Which earlier runs judge a run: the comparable ones (every key equal), from the latest accept on. */

const measure = nightMeasure;
const night = nightRecord;
const setting = nightSetting;
const commitOf = nightCommit;

const accept = (target: { runId: string } | { commit: string }, note = 'intended'): AcceptRecord => ({
  type: 'accept',
  version: 2,
  ...target,
  at: '2026-03-01T00:00:00.000Z',
  note,
});
const failed = (j: HistoryJudgement) => j.checks.filter((c) => !c.passed);

/** Each field of the key, changed to another value a real run could have. */
const otherValue: { [K in ComparabilityField]: RunSetting[K] } = {
  fingerprint: 'ig1-small-2-ba9876543210',
  scale: 'medium',
  baseline: 'prisma',
  indexSet: 'ffffffffffff',
  routes: ['prisma'],
  mongodVersion: '8.0.4',
  topology: 'replicaSet',
  underWine: true,
  platform: 'win32',
  arch: 'arm64',
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cpus: 4,
};

describe('comparability', () => {
  it('has a test value for every key', () => {
    expect(Object.keys(otherValue).sort()).toEqual([...comparabilityFields].sort());
  });

  it.each(comparabilityFields)('never compares two runs that differ only in %s', (field) => {
    const other = (i: number, ms: number, plan = 6) =>
      night(i, ms, {
        setting: { ...setting, [field]: otherValue[field] },
        plans: { 'readCursors|typical': { indexName: null, docsExamined: plan, keysExamined: 0, p50: 90 } },
      });
    expect(comparable(night(0, 480), other(1, 480))).toBe(false);
    expect(keyDifferences(night(0, 480), other(1, 480))).toEqual([field]);
    expect(comparabilityKey(night(0, 480))).not.toBe(comparabilityKey(other(1, 480)));
    // Twenty runs of the other series, twice as fast and on another plan: they judge nothing.
    const history = Array.from({ length: 20 }, (_, i) => other(i, 240, 2727));
    const judged = judgeRun(night(20, 480), history);
    expect(judged.summary).toMatchObject({ comparableRuns: 0, notComparable: 20, differences: { [field]: 20 } });
    expect(failed(judged)).toEqual([]);
    expect(judged.checks.find((c) => c.pattern === 'readCursors')).toBeUndefined();
    expect(judged.summary.measures[0]?.points).toHaveLength(1);
    // Mixed with ten comparable runs, only those ten count.
    const mixed = history.flatMap((r, i) => (i < 10 ? [r, night(100 + i, 480)] : [r]));
    expect(judgeRun(night(20, 480), mixed).summary.comparableRuns).toBe(10);
  });

  it('compares runs that differ in what is not a key: commit, tool version, memory, Node, verdict', () => {
    const a = night(0, 480);
    const b = night(1, 480, {
      tool: { version: '0.2.0', commit: 'f'.repeat(40) },
      machine: { memoryGb: 16, node: 'v22.0.0' },
      verdict: 'fail',
    });
    expect(comparable(a, b)).toBe(true);
  });

  it('never compares a run whose key is unknown (converted from a version-1 history), not even with another such run', () => {
    const old = (i: number) => night(i, 480, { setting: { ...setting, baseline: null, indexSet: null, routes: null }, migratedFrom: 1 });
    expect(comparabilityKey(old(0))).toBeUndefined();
    expect(comparable(old(0), old(1))).toBe(false);
    expect(comparable(old(0), night(1, 480))).toBe(false);
    expect(judgeRun(night(5, 480), [old(0), old(1), old(2)]).summary.comparableRuns).toBe(0);
  });
});

describe('accept', () => {
  const draw = normal(mulberry32(11));
  const noise = () => Math.exp(0.03 * draw());
  // 15 nights at 480 ms, a 10% step at night 15 (to 528), a second 10% step at night 50 (to 581).
  const runs = Array.from({ length: 70 }, (_, i) => night(i, (i >= 50 ? 581 : i >= 15 ? 528 : 480) * noise()));

  /** Every night judged against the lines before it; `accepts` are appended after the night they follow. */
  function nightly(accepts: ReadonlyMap<number, AcceptRecord>): HistoryJudgement[] {
    const lines: HistoryLine[] = [];
    return runs.map((run, i) => {
      const judged = judgeRun(run, lines);
      lines.push(run);
      const a = accepts.get(i);
      if (a) lines.push(a);
      return judged;
    });
  }

  it('moves the baseline: after accepting run 25, the step before it raises no alarm, and later runs are judged from the new level', () => {
    const without = nightly(new Map());
    expect(failed(without[24] as HistoryJudgement)).toHaveLength(1);
    expect(failed(without[40] as HistoryJudgement)).toHaveLength(1);

    const judged = nightly(new Map([[25, accept({ runId: 'run-25' })]]));
    expect(judged.slice(15, 25).some((j) => failed(j).length > 0)).toBe(true);
    // From the night after the accept to the second step: quiet.
    expect(judged.slice(26, 50).flatMap(failed)).toEqual([]);
    const after = judged[30] as HistoryJudgement;
    expect(after.summary).toMatchObject({ accepted: { runId: 'run-25', note: 'intended' }, beforeAccept: 25, comparableRuns: 5 });
    expect(after.summary.measures[0]?.points[0]?.runId).toBe('run-25');
    // The second step is found, and measured from 528 ms (×1.10), not from 480 (×1.21). It is
    // named within a night: in this series night 49 drew high enough to look like the new level.
    const found = judged.findIndex((j, i) => i >= 50 && failed(j).length > 0);
    expect(found).toBeGreaterThanOrEqual(50);
    expect(found).toBeLessThanOrEqual(55);
    const regression = (judged[found] as HistoryJudgement).summary.measures[0]?.regression;
    expect(['run-49', 'run-50', 'run-51']).toContain(regression?.after.runId);
    expect(regression?.level).toBeGreaterThan(1.05);
    expect(regression?.level).toBeLessThan(1.16);
    expect(judged[69]?.summary.measures[0]?.alarm?.baselineMedianMs).toBeGreaterThan(560);
  });

  it('by commit starts at the first run of that commit; the latest accept wins', () => {
    const lines: HistoryLine[] = [...runs.slice(0, 40), accept({ commit: commitOf(20) }), accept({ runId: 'run-30' }, 'later')];
    const judged = judgeRun(runs[40] as RunRecord, lines);
    expect(judged.summary).toMatchObject({ accepted: { runId: 'run-30', note: 'later' }, comparableRuns: 10 });
    const byCommit = judgeRun(runs[40] as RunRecord, lines.slice(0, 41));
    expect(byCommit.summary).toMatchObject({ accepted: { runId: 'run-20', commit: commitOf(20) }, comparableRuns: 20 });
  });

  it('of a run in another series leaves this series alone; an accept of the run being judged leaves it no baseline', () => {
    const prisma = night(99, 480, { setting: { ...setting, baseline: 'prisma' } });
    const lines: HistoryLine[] = [...runs.slice(0, 20), prisma, accept({ runId: 'run-99' })];
    expect(judgeRun(runs[20] as RunRecord, lines).summary).toMatchObject({ accepted: null, comparableRuns: 20 });
    const ahead = judgeRun(runs[20] as RunRecord, [...runs.slice(0, 20), accept({ commit: commitOf(20) })]);
    expect(ahead.summary).toMatchObject({ accepted: { runId: 'run-20' }, comparableRuns: 0 });
    expect(failed(ahead)).toEqual([]);
  });

  it('is made from a run id or a (possibly abbreviated) commit, and refuses what names nothing', () => {
    const at = new Date('2026-03-01T00:00:00Z');
    expect(acceptRecord(runs, 'run-7', 'new index set', at)).toEqual({
      type: 'accept',
      version: 2,
      runId: 'run-7',
      at: '2026-03-01T00:00:00.000Z',
      note: 'new index set',
    });
    expect(acceptRecord(runs, commitOf(7).slice(0, 9), '', at)).toMatchObject({ commit: commitOf(7) });
    expect(() => acceptRecord(runs, 'run-700', '', at)).toThrow(UsageError);
    expect(() => acceptRecord(runs, 'run-700', '', at)).toThrow(/no run id or commit of the history matches; the latest runs: run-67/);
    expect(() => acceptRecord(runs, '000000', '', at)).toThrow(/no run id or commit/);
    const twins = [
      night(1, 480, { tool: { version: null, commit: 'abcdef01'.padEnd(40, '1') } }),
      night(2, 480, { tool: { version: null, commit: 'abcdef01'.padEnd(40, '2') } }),
    ];
    expect(() => acceptRecord(twins, 'abcdef01', '', at)).toThrow(/names 2 commits/);
  });
});

describe('history show', () => {
  it('prints each series with its values, verdicts, accepted run and change points', () => {
    const draw = normal(mulberry32(12));
    const runs = Array.from({ length: 40 }, (_, i) =>
      night(i, (i >= 15 ? 528 : 480) * Math.exp(0.03 * draw()), i === 17 ? { verdict: 'fail' } : {}),
    );
    const other = night(100, 300, { setting: { ...setting, baseline: 'prisma' } });
    const tables = historySeries([...runs.slice(0, 30), other, accept({ runId: 'run-30' }), ...runs.slice(30)]);
    expect(tables.map((t) => [t.setting.baseline, t.measure, t.rows.length])).toEqual([
      ['bare', measure, 40],
      ['prisma', measure, 1],
    ]);
    const rows = (tables[0] as (typeof tables)[number]).rows;
    expect(rows[17]).toMatchObject({ runId: 'run-17', verdict: 'fail', commit: commitOf(17), accepted: false });
    expect(rows.filter((r) => r.accepted).map((r) => r.runId)).toEqual(['run-30']);
    expect(rows.flatMap((r) => (r.changePoint ? [[r.runId, r.changePoint.direction]] : []))).toEqual([['run-15', 'slower']]);
    expect(rows[15]?.changePoint?.size).toBeGreaterThan(1.05);
    expect(rows[39]?.value).toBeCloseTo(runs[39]?.measures[measure]?.median as number, 9);
    expect(historySeries(runs, { last: 5 })[0]?.rows.map((r) => r.runId)).toEqual(['run-35', 'run-36', 'run-37', 'run-38', 'run-39']);
  });
});
