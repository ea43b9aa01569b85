import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { workload as builtInWorkload } from '../support/workload.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { shapeOfCommand } from '../../src/capture/shape.js';
import type { WorkloadFile } from '../../src/capture/workload-file.js';
import { defaultSeed } from '../../src/commands/options.js';
import type { RunResult } from '../../src/result.js';
import type { RouteCall } from '../../src/route-engine/call.js';
import type { CommandShape } from '../../src/route-engine/recorder.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, callFor } from '../support/routes.js';
import { runCli } from '../support/cli.js';
import { testUri, uniqueDbName, withProfiler } from '../support/mongo.js';
import { seededDb } from '../support/seeded.js';

/**
 * Capture and replay end to end on the run's mongod: the profiler (and, apart, the slow-query
 * log) records one call of a route; `capture` turns it into a workload whose shapes are the
 * route's commands one for one; `bench --workload` on a fresh copy of the dataset reports the
 * plans the built-in route gets, before and after the six.
 */

/** A command document as the driver sends a route's shape (the fields the shape keeps). */
function asCommand(collection: string, shape: CommandShape): Document {
  if (shape.kind === 'aggregate') return { aggregate: collection, pipeline: shape.pipeline };
  if (shape.kind === 'find') return { find: collection, filter: shape.filter };
  return shape.command;
}

/** What identifies a shape across the driver's field order: collection, command, and the normalised filter or pipeline. */
const identity = (s: { collection: string; command: string; shape: Document }) =>
  JSON.stringify([s.collection, s.command, s.shape.pipeline ?? s.shape.filter ?? s.shape.query ?? null]);

/** The shapes a route's call sent, and how many commands. */
function sentBy(call: RouteCall): { identities: Set<string>; commands: number } {
  const identities = new Set<string>();
  let commands = 0;
  for (const run of call.commands) {
    for (const shape of run.shapes) {
      commands++;
      identities.add(identity(shapeOfCommand(asCommand(run.collection, shape))));
    }
  }
  return { identities, commands };
}

/**
 * The slow-query log of this database only: a profile filter (MongoDB 4.4.2+) decides what is
 * profiled and logged, per database, so the other tests' operations stay out of the log.
 * The lines are read back with getLog (the server's own log text, its last 1024 entries).
 */
async function withSlowLog(db: Db, work: () => Promise<unknown>): Promise<string[]> {
  // Only the lines of the window: a command of this database that ran slow before it (sampling the users, on a busy machine) is logged too.
  const from = Date.now();
  await db.command({ profile: 0, filter: { millis: { $gte: 0 } } });
  try {
    await work();
  } finally {
    await db.command({ profile: 0, filter: 'unset' });
  }
  const { log } = await db.admin().command({ getLog: 'global' });
  return (log as string[]).filter(
    (line) => line.includes(`"ns":"${db.databaseName}.`) && Date.parse((JSON.parse(line) as { t: { $date: string } }).t.$date) >= from,
  );
}

async function capture(args: string[]): Promise<WorkloadFile> {
  const dir = await mkdtemp(join(tmpdir(), 'indexgate-capture-'));
  const out = join(dir, 'workload.json');
  const run = await runCli(['capture', ...args, '--out', out]);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/read shapes/);
  return JSON.parse(await readFile(out, 'utf8')) as WorkloadFile;
}

const shapeIdentities = (w: WorkloadFile) => new Set(w.shapes.map(identity));

type Plan = { stages: string[]; indexesUsed: string[] };
/** The plans of a side: stages and indexes (a pattern's collection is its subject, not always where its command runs). */
const plansOf = (commands: readonly { before?: Plan; after: Plan }[], side: 'before' | 'after') =>
  new Set(commands.map((c) => JSON.stringify([(c[side] as Plan).stages, [...(c[side] as Plan).indexesUsed].sort()])));

describe('capture and replay', () => {
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
