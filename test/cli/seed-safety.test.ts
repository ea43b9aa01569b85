import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let client: MongoClient;
beforeAll(async () => {
  client = await MongoClient.connect(testUri());
});
afterAll(() => client.close());

async function snapshot(db: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { name } of await client.db(db).listCollections().toArray()) out[name] = await client.db(db).collection(name).countDocuments();
  return out;
}

const uriFor = (db: string) => `${testUri().replace('/?', `/${db}?`)}`;

describe('seed writes only where it may', () => {
  it('refuses a non-empty database indexgate did not seed, and writes nothing', async () => {
    const db = uniqueDbName('foreign');
    await client
      .db(db)
      .collection('invoices')
      .insertMany([{ n: 1 }, { n: 2 }]);
    const before = await snapshot(db);
    const run = await runCli(['seed', '--uri', testUri(), '--db', db, '--scale', 'tiny']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refusing to write to database ".*": it holds collections indexgate did not create \(invoices\)/);
    expect(await snapshot(db)).toEqual(before);
  });

  it('seeds an empty database, then refuses to reseed it without --drop, and replaces it with --drop', async () => {
    const db = uniqueDbName('own');
    const first = await runCli(['seed', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--seed', '5', '--json']);
    expect(first.code).toBe(0);
    const seeded = JSON.parse(first.stdout);
    expect(seeded.result.counts.Message).toBeGreaterThan(1000);
    const counts = await snapshot(db);

    const again = await runCli(['seed', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--seed', '6']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds an indexgate dataset \(scale tiny, seed 5, .*\); pass --drop to replace it/);
    expect(await snapshot(db)).toEqual(counts);

    const replaced = await runCli(['seed', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--seed', '6', '--drop', '--json']);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout).replaced).toBe(seeded.result.fingerprint);
  });

  it('takes the database from the URI path when --db is absent', async () => {
    const db = uniqueDbName('inpath');
    const run = await runCli(['seed', '--uri', uriFor(db), '--scale', 'tiny', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).database).toBe(db);
  });

  it.each([
    [['seed', '--uri', 'mongodb://10.255.255.1:27017/app']],
    [['bench', '--uri', 'mongodb://db.example.com:27017/app', '--scale', 'tiny']],
    [['indexes', 'apply', '--uri', 'mongodb://user:pw@db.example.com/app']],
  ])('%j: a remote --uri without --allow-remote-writes is refused before connecting', async (args) => {
    const run = await runCli(args);
    expectOneLineRefusal(
      run,
      /refusing to write to database "app": mongodb:\/\/.* is not on this machine; ".*" writes, so pass --allow-remote-writes if you really mean it/,
    );
    expect(run.ms).toBeLessThan(5000);
    expect(run.stderr).not.toContain(':pw@');
  });

  it.each([
    [['--scale', 'huge'], /--scale <scale>' argument 'huge' is invalid/],
    [['--seed', '-3'], /--seed must be a non-negative integer/],
    [['--seed', 'abc'], /--seed must be a non-negative integer/],
  ])('bad input %j: one line, exit 2, nothing written', async (args, message) => {
    const db = uniqueDbName('badinput');
    const run = await runCli(['seed', '--uri', testUri(), '--db', db, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(await client.db(db).listCollections().toArray()).toEqual([]);
  });
});
