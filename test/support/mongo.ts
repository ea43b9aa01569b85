import { createHash } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, expect, inject } from 'vitest';

let client: MongoClient | undefined;
let counter = 0;

/** A client to the run's mongod, shared by the tests of one file and closed after them. */
export async function testClient(): Promise<MongoClient> {
  if (!client) {
    client = new MongoClient(inject('mongoUri'), { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    afterAll(async () => {
      await client?.close();
      client = undefined;
    });
  }
  return client;
}

/** A fresh database name for one test: unique per file and call, valid for MongoDB. */
export function uniqueDbName(label: string): string {
  const file = expect.getState().testPath ?? 'unknown';
  const hash = createHash('sha1').update(file).digest('hex').slice(0, 6);
  counter += 1;
  return `t_${label.replace(/[^a-zA-Z0-9]/g, '').slice(0, 20)}_${hash}_${process.pid}_${counter}`;
}

/** A database of its own for one test. */
export async function testDb(label: string): Promise<Db> {
  return (await testClient()).db(uniqueDbName(label));
}

export function testUri(): string {
  return inject('mongoUri');
}

/** Runs `work` with the database's profiler recording every operation (the operator's part of a capture), a fresh system.profile first. */
export async function withProfiler<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db
    .collection('system.profile')
    .drop()
    .catch(() => undefined);
  await db.command({ profile: 2 });
  try {
    return await work();
  } finally {
    await db.command({ profile: 0 });
  }
}
