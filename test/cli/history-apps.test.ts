import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/history/record.js';
import { runCli, thresholdsWithoutRouteSpeedup } from '../support/cli.js';
import { oneRead } from '../support/dataset-cache.js';
import { recordedAgain } from '../support/history.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let dir: string;
let relaxed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-history-apps-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
  await writeFile(join(dir, 'one-read.mjs'), oneRead);
});

/**
 * One night of meeshy@aa13b652 (the default application): tiny, a route of one read, one gated pattern. What is tested is
 * how the history keys and compares runs, not the list's own latency (the other bench tests').
 */
const night = (history: string) =>
  runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      uniqueDbName('apps'),
      '--scale',
      'tiny',
      '--route-file',
      join(dir, 'one-read.mjs'),
      '--no-writes',
      '--no-build-load',
      '--pattern',
      'readCursors',
      '--thresholds',
      relaxed,
      '--history',
      history,
      '--out',
      join(dir, `out-${Math.random().toString(36).slice(2)}`),
      '--json',
    ],
    { timeoutMs: 300_000 },
  );

const records = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as RunRecord);

/**
 * Night 1's record as a night of meeshy@ea1789df would record it: its own data and index set, the list 20 times slower,
 * and none of aa13b652's patterns (ea1789df has none). A bench of ea1789df at tiny takes 90 s and its list reaches the
 * command limit there (nothing measured to record); this is what its record holds, with the setting of a real night.
 */
function atEa1789df(record: RunRecord): RunRecord {
  const again = recordedAgain(record, 3, 20);
  return {
    ...again,
    application: { name: 'meeshy@ea1789df', commit: 'ea1789df' },
    setting: { ...again.setting, fingerprint: 'ig1-tiny-ea1789df', indexSet: 'ea1789dfrunbk' },
    plans: {},
  };
}

type Check = { check: string; pattern?: string; outcome: string; message: string };

describe('bench --history follows the application', () => {
  it('two nights on aa13b652, a third on ea1789df: the third names the application change; back on aa13b652, the bench names it and judges with its own nights', async () => {
    const history = join(dir, 'history.jsonl');
    const first = await night(history);
    const result = JSON.parse(first.stdout);
    expect(first.code).toBe({ pass: 0, fail: 1, inconclusive: 3 }[result.gate.verdict as 'pass' | 'fail' | 'inconclusive']);
    expect(result.application).toEqual({ name: 'meeshy@aa13b652', commit: 'aa13b652', date: '2026-01-26' });
    const [recorded] = await records(history);
    expect(recorded).toMatchObject({ version: 3, application: { name: 'meeshy@aa13b652', commit: 'aa13b652' } });
    const one = recorded as RunRecord;
    const third = atEa1789df(one);
    await appendFile(history, `${JSON.stringify(recordedAgain(one, 2, 1.03))}\n${JSON.stringify(third)}\n`);

    // history show: one table per commit, the application column, and the change named with what moved.
    const shown = await runCli(['history', 'show', '--history', history]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/│ run +│ finished +│ application +│ indexgate commit +│/);
    expect(shown.stdout).toMatch(new RegExp(`${third.runId}.*meeshy@ea1789df.*◆ after meeshy@aa13b652`));
    // Every route measure night 1 recorded (a class squeezed by the other test files may be unmeasured) moved ×20 / ×1.03.
    const named = new RegExp(
      `- ${third.runId}: meeshy moved from aa13b652 to ea1789df \\(last run of aa13b652: ${one.runId}-night-2\\): route one-read \\((typical|heavy|heaviest)\\) TOTAL [^;]+ → [^;]+ \\(×19\\.42\\);.* compared on the ${Object.keys(one.measures).length} measure\\(s\\) both commits have; gone with aa13b652: readCursors \\(typical, heavy, heaviest\\); its data and the index set changed with it\\. The application's change, not a regression of the server or of indexgate`,
    );
    expect(shown.stdout).toMatch(named);
    const json = JSON.parse((await runCli(['history', 'show', '--history', history, '--json'])).stdout);
    expect(json.applicationChanges.map((c: { to: { runId: string } }) => c.to.runId)).toEqual([third.runId]);

    // A fourth night, back on aa13b652: the bench names the change, fails nothing for it, and judges with aa13b652's two nights.
    const back = await night(history);
    const fourth = JSON.parse(back.stdout);
    expect(back.code).toBe({ pass: 0, fail: 1, inconclusive: 3 }[fourth.gate.verdict as 'pass' | 'fail' | 'inconclusive']);
    expect(fourth.history.comparableRuns).toBe(2);
    expect(fourth.history.differences).toMatchObject({ application: 1 });
    expect(fourth.history.applicationChange.message).toMatch(/^meeshy moved from ea1789df to aa13b652 /);
    const checks = fourth.gate.checks as Check[];
    expect(checks.find((c) => c.pattern === 'application')).toMatchObject({ check: 'regression', outcome: 'pass' });
    expect(fourth.notes).toContainEqual(`History: ${fourth.history.applicationChange.message}`);
    expect(back.stderr).toContain('history: meeshy moved from ea1789df to aa13b652');
    expect((await records(history)).map((r) => r.application?.commit)).toEqual(['aa13b652', 'aa13b652', 'ea1789df', 'aa13b652']);
  }, 300_000);
});
