import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli, thresholdsWithoutRouteSpeedup } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';
import { recordedAgain } from '../support/history.js';

let dir: string;
let relaxed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-history-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
});

/** One night of the nightly job: bench at small on a fresh database, the history file kept between nights. */
const night = (history: string, extra: string[] = []) =>
  runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      uniqueDbName('nightly'),
      '--scale',
      'tiny',
      '--route',
      'driver',
      // The history keeps work counts, plans and the routes' latency: the writes and the build's reader are not in it, and
      // two gated patterns (the one the skipped index serves, and another) stand for the rest.
      '--no-writes',
      '--no-build-load',
      '--pattern',
      'readCursors',
      '--pattern',
      'memberships',
      '--thresholds',
      relaxed,
      '--history',
      history,
      '--out',
      join(dir, `out-${Math.random().toString(36).slice(2)}`),
      '--json',
      ...extra,
    ],
    { timeoutMs: 300_000 },
  );

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; runId?: string; verdict?: string });

/** Night `n`'s latency against night 1's: a few percent apart (nights are never equal to the microsecond). */
const nightFactor = (n: number) => [1, 1, 1.04, 0.97, 1.02, 0.99][n] ?? 1;

type Check = { check: string; pattern?: string; outcome: string; message: string };
/** A regression check on a route's latency (the alarm or the change points), not on a plan. */
const latencyRegression = (c: Check) => c.check === 'regression' && c.pattern === 'route';

describe('bench --history: the nightly gate, end to end at tiny', () => {
  it('5 nights pass; a 6th with an index left out is a plan regression; after history accept, the next night is judged from the new level', async () => {
    const history = join(dir, 'history.jsonl');
    // Night 1 is benched; nights 2 to 5 are night 1's record again (its run id, date and latency changed), which is what a
    // bench of the same state records. What is proven here is the nightly job end to end: the bench reads the file, judges
    // against it and appends (night 1 on an empty file; the 6th, a regression, against five nights; the 7th, a pass, after
    // an accept); the comparison of many nights is history-baseline's and history-detectors' (unit tests).
    const first = await night(history);
    const result = JSON.parse(first.stdout);
    // The deterministic part passes. Latency is judged too, but inside a test suite the nights share two cores with
    // other test files: a night squeezed by them is slower for real, and the latency detectors may say so; that is not asserted.
    expect((result.gate.failures as Check[]).filter((c) => !latencyRegression(c))).toEqual([]);
    // The exit code is the verdict's: a night squeezed by the other test files may leave a budget undecided (exit 3).
    expect(first.code).toBe({ pass: 0, fail: 1, inconclusive: 3 }[result.gate.verdict as 'pass' | 'fail' | 'inconclusive']);
    expect(await lines(history)).toHaveLength(1);
    expect(result.history.comparableRuns).toBe(0);
    const [recorded] = (await readFile(history, 'utf8')).trimEnd().split('\n');
    await appendFile(
      history,
      [2, 3, 4, 5].map((n) => `${JSON.stringify(recordedAgain(JSON.parse(recorded ?? ''), n, nightFactor(n)))}\n`).join(''),
    );
    expect(await lines(history)).toHaveLength(5);

    const regressed = await night(history, ['--skip-index', 'idx_cursor_user_conv']);
    expect(regressed.code).toBe(1);
    const sixth = JSON.parse(regressed.stdout);
    expect(sixth.history.comparableRuns).toBe(5);
    const regressions = (sixth.gate.failures as Check[]).filter((c) => c.check === 'regression');
    expect(regressions.map((c) => c.pattern)).toContain('readCursors');
    expect(regressions.find((c) => c.pattern === 'readCursors')?.message).toMatch(/idx_cursor_user_conv/);
    const saved = await lines(history);
    expect(saved).toHaveLength(6);
    expect(saved[5]?.verdict).toBe('fail');

    // The series as a table, with the sixth run last.
    const shown = await runCli(['history', 'show', '--history', history]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/route driver \(typical\)/);
    expect(shown.stdout).toContain(sixth.runId);

    // The change is intended: accept it; the 7th night (same set) is judged against the 6th.
    const accepted = await runCli([
      'history',
      'accept',
      sixth.runId,
      '--history',
      history,
      '--note',
      'cursor index moved to another release',
    ]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(new RegExp(`accepted ${sixth.runId}`));
    const seventh = await night(history, ['--skip-index', 'idx_cursor_user_conv']);
    const judged = JSON.parse(seventh.stdout);
    expect(seventh.code).toBe({ pass: 0, fail: 1, inconclusive: 3 }[judged.gate.verdict as 'pass' | 'fail' | 'inconclusive']);
    expect(
      (judged.gate.checks as Check[]).filter((c) => c.check === 'regression' && c.outcome === 'fail' && !latencyRegression(c)),
    ).toEqual([]);
    expect(judged.history.accepted.runId).toBe(sixth.runId);
    expect(judged.history.comparableRuns).toBe(1);
    expect((await lines(history)).map((l) => l.type)).toEqual(['run', 'run', 'run', 'run', 'run', 'run', 'accept', 'run']);
  }, 1_800_000);

  it('a malformed history file: one line, exit 2, before anything runs', async () => {
    const bad = join(dir, 'bad-history.jsonl');
    await writeFile(bad, `${JSON.stringify({ type: 'run', version: 2, runId: 1 })}\n`);
    expectOneLineRefusal(await night(bad), /bad-history\.jsonl: line 1/);
  });

  it('history accept of a run the file does not hold: one line, exit 2, the file unchanged', async () => {
    const file = join(dir, 'empty.jsonl');
    await writeFile(file, '');
    expectOneLineRefusal(
      await runCli(['history', 'accept', 'no-such-run', '--history', file, '--note', 'x']),
      /history accept no-such-run: no run id or commit of the history matches/,
    );
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
