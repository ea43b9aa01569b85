import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { silentReporter } from '../../src/progress.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { seedInput } from '../support/workload.js';
import { runCli } from '../support/cli.js';
import { startReplicaSet } from '../support/servers.js';

let set: Awaited<ReturnType<typeof startReplicaSet>>;

beforeAll(async () => {
  set = await startReplicaSet(2);
  const client = await MongoClient.connect(set.uri);
  try {
    const db = client.db('staging');
    await seedDatabase({ db, ...seedInput('tiny', 5), reporter: silentReporter });
    await applyIndexes(db, runbookIndexes);
  } finally {
    await client.close();
  }
}, 600_000);
afterAll(() => set?.stop());

describe('verify against a replica set', () => {
  it('reads from a secondary when asked, reports the topology, and passes on the migrated data', async () => {
    const out = await mkdtemp(join(tmpdir(), 'indexgate-rs-'));
    const run = await runCli([
      'verify',
      '--uri',
      set.uri,
      '--db',
      'staging',
      '--read-preference',
      'secondaryPreferred',
      '--budget-seconds',
      '60',
      '--out',
      out,
    ]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(result.environment.topology).toBe('replicaSet');
    expect(result.gate.passed).toBe(true);
  });
});
