import { tmpdir } from 'node:os';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import type { EmbeddedServer } from '../../src/mongo/embedded.js';
import { startOwnServer } from '../support/servers.js';
import { silentReporter } from '../../src/progress.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { seedInput, workload as builtInWorkload } from '../support/workload.js';
import { runCli } from '../support/cli.js';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtIn, callFor } from '../support/routes.js';
import type { RunResult } from '../../src/result.js';
import { sampleUsers } from '../../src/users/user-classes.js';

// Server-wide counters need a server no other test writes to: this file starts its own.
let server: EmbeddedServer;
let client: MongoClient;
const dbName = 'staging';

beforeAll(async () => {
  server = await startOwnServer();
  client = await MongoClient.connect(server.uri);
  const db = client.db(dbName);
  await seedDatabase({ db, ...seedInput('tiny', 9, 'prisma'), reporter: silentReporter });
  await applyIndexes(db, runbookIndexes);
}, 300_000);

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

async function snapshot(): Promise<Document> {
  const admin = client.db('admin');
  const status = await admin.command({ serverStatus: 1, wiredTiger: 0 });
  const db = client.db(dbName);
  const indexes: Record<string, Document[]> = {};
  const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
  for (const c of collections) indexes[c] = await db.collection(c).listIndexes().toArray();
  const hash = await db.command({ dbHash: 1 });
  return {
    writes: { insert: status.opcounters.insert, update: status.opcounters.update, delete: status.opcounters.delete },
    collections,
    indexes,
    dbHash: hash.md5,
    perCollection: hash.collections,
  };
}

describe('verify is strictly read-only', () => {
  it("a full verify run leaves the server's write counters, every index list and the dbHash unchanged", async () => {
    const before = await snapshot();
    const run = await runCli([
      'verify',
      '--uri',
      server.uri,
      '--db',
      dbName,
      '--budget-seconds',
      '15',
      '--out',
      `${tmpdir()}/verify-ro-${process.pid}`,
    ]);
    expect([0, 1, 3]).toContain(run.code); // read-only is the point here, whatever the verdict
    expect(run.stdout).toMatch(/^VERDICT: /m);
    const after = await snapshot();
    expect(after.writes).toEqual(before.writes);
    expect(after.collections).toEqual(before.collections);
    expect(after.indexes).toEqual(before.indexes);
    expect(after.perCollection).toEqual(before.perCollection);
    expect(after.dbHash).toBe(before.dbHash);
    // The price's needed check hides indexes (collMod): verify says it did not make it.
    expect(run.stdout).toMatch(/needed not checked: read-only/);
  });

  it('verify --workload replays a captured workload on the current state and still writes nothing', async () => {
    const db = client.db(dbName);
    const [user] = await sampleUsers(db, builtInWorkload.users, ['typical']);
    if (!user) throw new Error('no user');
    // The operator's part: the profiler on for the exercise, then off (indexgate never turns it on).
    await db.command({ profile: 2 });
    await callFor(db, builtIn('driver'), user.userId);
    await db.command({ profile: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-verify-workload-'));
    const workload = join(dir, 'workload.json');
    const captured = await runCli(['capture', '--uri', server.uri, '--db', dbName, '--out', workload]);
    expect(captured.code).toBe(0);

    const before = await snapshot();
    const run = await runCli([
      'verify',
      '--uri',
      server.uri,
      '--db',
      dbName,
      '--budget-seconds',
      '15',
      '--workload',
      workload,
      '--out',
      join(dir, 'out'),
    ]);
    expect([0, 1, 3]).toContain(run.code);
    const after = await snapshot();
    expect(after.writes).toEqual(before.writes);
    expect(after.indexes).toEqual(before.indexes);
    expect(after.dbHash).toBe(before.dbHash);

    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    const replay = result.routes.find((r) => r.id === 'captured');
    expect(replay?.userClass).toBe('captured');
    expect(replay?.before).toBeUndefined();
    // The six are in place: every shape of the driver route runs on an index, and is judged.
    expect(replay?.commands.length).toBeGreaterThanOrEqual(7);
    const planChecks = result.gate.checks.filter((c) => c.route === 'captured' && c.check === 'plan');
    expect(planChecks).toHaveLength(replay?.commands.length ?? -1);
    expect(run.stdout).toMatch(/Captured workload captured: shapes by the time of their recorded traffic/);
  });
});
