import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSeed } from '../../src/commands/options.js';
import type { RunResult } from '../../src/result.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, callFor } from '../support/routes.js';
import { runCli } from '../support/cli.js';
import { testUri, uniqueDbName, withProfiler } from '../support/mongo.js';
import { seededDb } from '../support/seeded.js';
import { workload as builtInWorkload } from '../support/workload.js';
import { capture, plansOf, sentBy, shapeIdentities } from '../support/capture.js';

/**
 * Capture and replay end to end on the run's mongod, the application's route as Prisma sends it:
 * the profiler records one call; `capture` turns it into a workload whose shapes are the route's
 * commands one for one (aggregates with `$expr`, a fan-out as one shape); `bench --workload` on a
 * fresh copy reports the route's plans, before and after the six. (The driver route's capture is
 * capture-replay-driver.test.ts.)
 */

describe('capture and replay: the application route', () => {
  it("the prisma route at tiny: the profile holds its commands one for one (aggregates with $expr, fan-out counts as one shape), and bench --workload reports the route's plans", async () => {
    // The schema's own indexes (baseline prisma) serve the route's joins, so that each of its commands finishes in well under a
    // second at tiny on both sides; on the bare baseline its joins scan a collection per conversation (10-30 s a command under
    // Wine), which this test, about capture and replay, does not need.
    const { db } = await seededDb('capprisma', 'tiny', defaultSeed, 'prisma');
    const [user] = await sampleUsers(db, builtInWorkload.users, ['typical']);
    if (!user) throw new Error('no user');
    const call = await withProfiler(db, () => callFor(db, builtIn('prisma'), user.userId));
    expect(call.overLimit).toBe(false);
    const sent = sentBy(call);
    const workload = await capture(['--uri', testUri(), '--db', db.databaseName, '--name', 'prisma-captured']);
    expect(shapeIdentities(workload)).toEqual(sent.identities);
    expect(workload.shapes.reduce((n, s) => n + s.count, 0)).toBe(sent.commands);
    // Prisma's `in` ($or of $eq over $literal values) is one shape whatever the list's length.
    expect(JSON.stringify(workload.shapes.map((s) => s.shape))).toContain('"?list"');

    const dir = await mkdtemp(join(tmpdir(), 'indexgate-replay-'));
    const workloadFile = join(dir, 'workload.json');
    await writeFile(workloadFile, JSON.stringify(workload));
    // A generous limit: a route stopped by a busy machine sends fewer commands on that side, and the plans could not be compared.
    const run = await runCli(
      [
        'bench',
        '--uri',
        testUri(),
        '--db',
        uniqueDbName('replayprisma'),
        '--scale',
        'tiny',
        '--baseline',
        'prisma',
        '--route',
        'prisma',
        '--no-remedies',
        '--no-writes',
        '--no-build-load',
        '--command-limit-ms',
        '120000',
        '--workload',
        workloadFile,
        '--out',
        dir,
      ],
      { timeoutMs: 600_000 },
    );
    expect([0, 1, 3]).toContain(run.code);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
    const replay = result.routes.find((r) => r.id === 'prisma-captured');
    const application = result.routes.find((r) => r.id === 'prisma' && r.userClass === 'typical');
    for (const side of ['before', 'after'] as const) {
      expect(plansOf(replay?.commands ?? [], side)).toEqual(plansOf(application?.commands ?? [], side));
    }
    expect(run.stdout).toMatch(/prisma-captured/);
  }, 900_000);
});
