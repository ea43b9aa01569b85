import { describe, expect, it } from 'vitest';
import { applicationChange, applicationChanges, applicationFamily, applicationLabel } from '../../src/history/application.js';
import { comparabilityKey, keyDifferences } from '../../src/history/comparability.js';
import { judgeRun } from '../../src/history/judge.js';
import { applicationOf, type RunRecord } from '../../src/history/record.js';
import { historySeries } from '../../src/history/series.js';
import { parseHistory } from '../../src/history/store.js';
import { nightMeasure, nightRecord, nightSetting } from '../support/history.js';

/** The nightly follows the application: runs are keyed by its name and commit; a new commit is compared with the last run of the previous one. */

const aa = { name: 'meeshy@aa13b652', commit: 'aa13b652' };
const ea = { name: 'meeshy@ea1789df', commit: 'ea1789df' };

/** A night of `app` (version 3 records name theirs); its application's data and index set are its own. */
function appNight(i: number, ms: number, app: { name: string; commit: string }, overrides: Partial<RunRecord> = {}): RunRecord {
  const own = app.commit === aa.commit ? {} : { fingerprint: `ig1-small-1-${app.commit}`, indexSet: `set-${app.commit}` };
  return nightRecord(i, ms, { version: 3, application: app, setting: { ...nightSetting, ...own }, ...overrides });
}

const route = (name: string, userClass: 'typical' | 'heavy', ms: number) => ({
  [`route:${name}|${userClass}`]: { route: name, userClass, gated: true, samplesMs: [ms], median: ms, logMean: Math.log(ms), logSd: 0 },
});

describe('the application of a run', () => {
  it('is its own on a version-3 record, and the runbook commit of meeshy on a version-2 record written before', () => {
    const text = [nightRecord(0, 480), appNight(1, 490, aa)].map((r) => JSON.stringify(r)).join('\n');
    const [old, recent] = parseHistory(`${text}\n`, 'perf-history.jsonl').lines as RunRecord[];
    expect(old?.version).toBe(2);
    expect(old?.application).toBeUndefined();
    expect(applicationOf(old as RunRecord)).toEqual(aa);
    expect(applicationOf(recent as RunRecord)).toEqual(aa);
    // An old history stays one series with the nights after it.
    expect(comparabilityKey(old as RunRecord)).toBe(comparabilityKey(recent as RunRecord));
    expect(judgeRun(appNight(2, 485, aa), [old as RunRecord, recent as RunRecord]).summary.comparableRuns).toBe(2);
  });

  it.each([
    [aa, 'meeshy', 'meeshy@aa13b652'],
    [{ name: 'meeshy@ea1789df', commit: 'ea1789df0123456789abcdef0123456789abcdef' }, 'meeshy', 'meeshy@ea1789df0123'],
    [{ name: 'shop', commit: '1234567' }, 'shop', 'shop@1234567'],
    [{ name: 'shop@v2', commit: '1234567' }, 'shop@v2', 'shop@v2@1234567'],
  ])('%o is the application %s, shown as %s', (app, family, label) => {
    expect(applicationFamily(app)).toBe(family);
    expect(applicationLabel(app)).toBe(label);
  });

  it('keys the series: another commit or another application is another series, named as the difference', () => {
    // A commit that changed only a route's code: the same data, index set and routes, still another series.
    const routeOnly = nightRecord(1, 480, { version: 3, application: { name: 'meeshy@bb13b652', commit: 'bb13b652' } });
    expect(comparabilityKey(appNight(0, 480, aa))).not.toBe(comparabilityKey(routeOnly));
    expect(keyDifferences(appNight(0, 480, aa), routeOnly)).toEqual(['application']);
    expect(keyDifferences(appNight(0, 480, aa), appNight(1, 480, ea))).toEqual(['application', 'fingerprint', 'indexSet']);
  });
});

describe('a run on a new commit of the application', () => {
  // The list at ea1789df is 20 times slower for the typical user; the driver model is gone, a heavy-user route is new.
  const nights = [appNight(0, 1200, aa), appNight(1, 1180, aa)];
  const third = appNight(2, 24_900, ea, {
    measures: { ...route('driver', 'typical', 24_900), ...route('list', 'heavy', 30_000) },
    plans: {},
  });
  const withGone = [
    appNight(0, 1200, aa, { measures: { ...route('driver', 'typical', 1200), ...route('driver', 'heavy', 2000) } }),
    appNight(1, 1180, aa, { measures: { ...route('driver', 'typical', 1180), ...route('driver', 'heavy', 1990) } }),
  ];

  it('two nights on aa13b652, a third on ea1789df: the third names the application change, and fails nothing', () => {
    const judged = judgeRun(third, withGone);
    expect(judged.summary.application).toEqual(ea);
    expect(judged.summary.comparableRuns).toBe(0);
    expect(judged.summary.differences).toEqual({ application: 2, fingerprint: 2, indexSet: 2 });
    const change = judged.summary.applicationChange;
    expect(change).toMatchObject({
      application: 'meeshy',
      from: { ...aa, runId: 'run-1' },
      to: { ...ea, runId: 'run-2' },
      gone: ['route:driver|heavy', 'readCursors|typical'],
      new: ['route:list|heavy'],
      alsoDiffer: ['fingerprint', 'indexSet'],
    });
    expect(change?.compared).toEqual([
      { kind: 'route', measure: nightMeasure, beforeMs: 1180, afterMs: 24_900, ratio: 24_900 / 1180, moved: true },
    ]);
    expect(change?.message).toBe(
      'meeshy moved from aa13b652 to ea1789df (last run of aa13b652: run-1): route driver (typical) TOTAL 1.18 s → 24.9 s (×21.10); ' +
        'compared on the 1 measure(s) both commits have; gone with aa13b652: route driver (heavy), readCursors (typical); ' +
        'new at ea1789df: route list (heavy); its data and the index set changed with it. ' +
        "The application's change, not a regression of the server or of indexgate: ea1789df starts a series of its own.",
    );
    expect(judged.checks.filter((c) => !c.passed)).toEqual([]);
    expect(judged.checks).toContainEqual({ check: 'regression', pattern: 'application', passed: true, message: change?.message });
  });

  it('after a long quiet series: a 20-fold step at the new commit is no regression; its own series starts there', () => {
    const quiet = Array.from({ length: 20 }, (_, i) => appNight(i, 1200 * (1 + 0.01 * Math.sin(i)), aa));
    const moved = appNight(20, 24_900, ea);
    const first = judgeRun(moved, quiet);
    expect(first.checks.filter((c) => !c.passed)).toEqual([]);
    expect(first.summary.applicationChange?.message).toMatch(/^meeshy moved from aa13b652 to ea1789df/);
    // The nights after it are judged in the new commit's series, against its own level; the change is named once.
    const lines = [...quiet, moved];
    for (let i = 21; i < 30; i++) {
      const next = appNight(i, 24_900 * (1 + 0.01 * Math.cos(i)), ea);
      const judged = judgeRun(next, lines);
      expect(judged.summary.comparableRuns).toBe(i - 20);
      expect(judged.summary.applicationChange).toBeNull();
      expect(judged.checks.filter((c) => !c.passed)).toEqual([]);
      lines.push(next);
    }
    // A real regression at the new commit is still found in its series: the single-night alarm.
    expect(
      judgeRun(appNight(30, 40_000, ea), lines)
        .checks.filter((c) => !c.passed)
        .map((c) => c.pattern),
    ).toEqual(['route']);
  });

  it('counts what stayed: measures within ×1.2 with the same plan did not move', () => {
    const same = judgeRun(appNight(2, 1250, ea), nights).summary.applicationChange;
    expect(same?.compared.map((m) => [m.measure, m.moved])).toEqual([
      [nightMeasure, false],
      ['readCursors|typical', false],
    ]);
    expect(same?.message).toContain('nothing moved; compared on the 2 measure(s) both commits have');
    const plan = judgeRun(
      appNight(2, 1250, ea, { plans: { 'readCursors|typical': { indexName: null, docsExamined: 5000, keysExamined: 0, p50: 40 } } }),
      nights,
    ).summary.applicationChange;
    expect(plan?.message).toContain(
      'readCursors (typical) 6 → 5,000 documents examined, idx_cursor_user_conv → no index; compared on the 2 measure(s) both commits have (1 within ×1.2 and the same plan)',
    );
  });

  it('with no measure in common, says so', () => {
    const other = appNight(2, 900, ea, { measures: route('list', 'typical', 900), plans: {} });
    expect(judgeRun(other, nights).summary.applicationChange?.message).toContain('no measure in common; gone with aa13b652');
  });

  it('going back to the older commit is a change too, and is judged with that commit’s own nights', () => {
    const back = appNight(3, 1190, aa);
    const judged = judgeRun(back, [...nights, appNight(2, 24_900, ea)]);
    expect(judged.summary.applicationChange?.message).toMatch(/^meeshy moved from ea1789df to aa13b652 \(last run of ea1789df: run-2\)/);
    expect(judged.summary.comparableRuns).toBe(2);
  });

  it('another application is never compared, nor the same one on another machine, mongod or scale', () => {
    const shop = { name: 'shop', commit: '1234567' };
    expect(judgeRun(appNight(2, 24_900, shop), nights).summary.applicationChange).toBeNull();
    for (const setting of [{ cpuModel: 'AMD EPYC 7763' }, { mongodVersion: '8.0.4' }, { scale: 'medium' }, { baseline: 'prisma' }])
      expect(applicationChange(nights, appNight(2, 24_900, ea, { setting: { ...nightSetting, ...setting } }))).toBeNull();
    // A converted version-1 run (settings unknown) follows nothing.
    expect(applicationChange(nights, appNight(2, 24_900, ea, { setting: { ...nightSetting, cpus: null } }))).toBeNull();
  });

  it('compares a recorded run with the run before its own line', () => {
    const lines = [...nights, third, appNight(3, 24_800, ea)];
    expect(applicationChange(lines, third)?.from.runId).toBe('run-1');
    expect(applicationChange(lines, lines[3] as RunRecord)).toBeNull();
    expect(applicationChanges(lines).map((c) => c.to.runId)).toEqual(['run-2']);
  });
});

describe('history show', () => {
  it('names each row’s application, a table per commit, and marks the first run after another commit', () => {
    const tables = historySeries([appNight(0, 1200, aa), appNight(1, 1180, aa), appNight(2, 24_900, ea), appNight(3, 24_800, ea)]);
    const routes = tables.filter((t) => t.measure === nightMeasure);
    expect(routes.map((t) => [t.application.name, t.rows.map((r) => [r.runId, r.application, r.after])])).toEqual([
      [
        'meeshy@aa13b652',
        [
          ['run-0', 'meeshy@aa13b652', null],
          ['run-1', 'meeshy@aa13b652', null],
        ],
      ],
      [
        'meeshy@ea1789df',
        [
          ['run-2', 'meeshy@ea1789df', 'meeshy@aa13b652'],
          ['run-3', 'meeshy@ea1789df', null],
        ],
      ],
    ]);
  });
});
