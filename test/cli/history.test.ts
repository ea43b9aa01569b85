import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli, thresholdsWithoutRouteSpeedup } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let dir: string;
let relaxed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-history-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
});

const bench = (history: string, extra: string[] = []) =>
  runCli(['bench', '--uri', testUri(), '--db', uniqueDbName('nightly'), '--scale', 'tiny', '--budget-seconds', '120', '--route', 'driver', '--thresholds', relaxed, '--history', history, '--out', join(dir, `out-${Math.random().toString(36).slice(2)}`), '--json', ...extra], { timeoutMs: 170_000 });

describe('bench --history: the nightly gate', () => {
  it('repeated normal runs pass and are appended; a run with an index left out is flagged as a regression', async () => {
    const history = join(dir, 'history.json');
    for (let night = 1; night <= 3; night++) {
      const run = await bench(history);
      const result = JSON.parse(run.stdout);
      expect(result.gate.failures, `night ${night}`).toEqual([]);
      expect(run.code).toBe(0);
      expect(JSON.parse(await readFile(history, 'utf8')).runs).toHaveLength(night);
    }
    const regressed = await bench(history, ['--skip-index', 'idx_cursor_user_conv']);
    expect(regressed.code).toBe(1);
    const failures = JSON.parse(regressed.stdout).gate.failures;
    expect(failures).toContainEqual(
      expect.objectContaining({ check: 'regression', pattern: 'readCursors', message: expect.stringMatching(/plan changed since .*docs examined \(was \d+\), index none \(was idx_cursor_user_conv\)/) }),
    );
    const saved = JSON.parse(await readFile(history, 'utf8')).runs;
    expect(saved).toHaveLength(4);
    expect(saved[3].passed).toBe(false);
  });

  it('a malformed history file: one line, exit 2, before anything runs', async () => {
    const bad = join(dir, 'bad-history.json');
    await writeFile(bad, JSON.stringify({ version: 1, runs: [{ runId: 1 }] }));
    expectOneLineRefusal(await bench(bad), /bad-history\.json: is not an indexgate history \(runs\.0\.runId: /);
  });
});
