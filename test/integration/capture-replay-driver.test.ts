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
import { gzipSync } from 'node:zlib';
import { capture, plansOf, sentBy, shapeIdentities, withSlowLog, type Plan } from '../support/capture.js';

/**
 * Capture and replay end to end on the run's mongod, the driver route: the profiler (and, apart,
 * the slow-query log) records one call of the route; `capture` turns it into a workload whose
 * shapes are the route's commands one for one; `bench --workload` on a fresh copy of the dataset
 * reports the plans the built-in patterns get, before and after the six. (The Prisma route's
 * capture is capture-replay-prisma.test.ts.)
 */

describe('capture and replay: the driver route', () => {
  it("the driver route at tiny: profiler and log capture its commands one for one, and bench --workload reports the patterns' plans before and after", async () => {
    const { db } = await seededDb('capdriver', 'tiny', defaultSeed);
    const [user] = await sampleUsers(db, builtInWorkload.users, ['typical']);
    if (!user) throw new Error('no user');
    const profiled = await withProfiler(db, () => callFor(db, builtIn('driver'), user.userId));
    const expected = sentBy(profiled).identities;

    const fromProfile = await capture(['--uri', testUri(), '--db', db.databaseName, '--name', 'driver-captured']);
    expect(shapeIdentities(fromProfile)).toEqual(expected);
    // One call of the route: each pattern once, lastMessage as one aggregate for the page.
    expect(fromProfile.shapes.reduce((n, s) => n + s.count, 0)).toBe(expected.size);
    expect(fromProfile.shapes.every((s) => s.params.length === 1 && s.recorded.planSummary !== null)).toBe(true);

    const lines = await withSlowLog(db, () => callFor(db, builtIn('driver'), user.userId));
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-log-'));
    await writeFile(join(dir, 'mongod.log.gz'), gzipSync(`${lines.join('\n')}\n`));
    const fromLog = await capture(['--log', join(dir, 'mongod.log.gz'), '--db', db.databaseName, '--name', 'driver-log']);
    expect(shapeIdentities(fromLog)).toEqual(expected);
    expect(fromLog.shapes.map((s) => s.id).sort()).toEqual(fromProfile.shapes.map((s) => s.id).sort());

    // Replay on a fresh copy (same scale and seed: the same ids), the six hidden for "before".
    const workloadFile = join(dir, 'workload.json');
    await writeFile(workloadFile, JSON.stringify(fromProfile));
    const out = await mkdtemp(join(tmpdir(), 'indexgate-replay-'));
    const run = await runCli(
      [
        'bench',
        '--uri',
        testUri(),
        '--db',
        uniqueDbName('replaydrv'),
        '--scale',
        'tiny',
        '--route',
        'driver',
        '--no-writes',
        '--no-build-load',
        '--workload',
        workloadFile,
        '--out',
        out,
      ],
      { timeoutMs: 600_000 },
    );
    expect([0, 1, 3]).toContain(run.code);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as RunResult;
    const replay = result.routes.find((r) => r.id === 'driver-captured');
    expect(replay?.userClass).toBe('captured');
    expect(replay?.commands).toHaveLength(fromProfile.shapes.length);
    const typical = result.patterns.filter((p) => p.userClass === 'typical' && p.id !== 'conversationsPageByType');
    for (const side of ['before', 'after'] as const) {
      const builtIn = plansOf(
        typical.map((p) => ({ before: p.before as Plan, after: p.after })),
        side,
      );
      expect(plansOf(replay?.commands ?? [], side)).toEqual(builtIn);
    }
    for (const c of replay?.commands ?? []) {
      expect(c.captured?.count).toBe(1);
      expect(c.captured?.weightedMs.after).toBeGreaterThan(0);
    }
    expect(result.gate.checks.filter((c) => c.route === 'driver-captured' && c.check === 'plan')).toHaveLength(fromProfile.shapes.length);
  }, 900_000);
});
