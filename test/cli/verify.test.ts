import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { silentReporter } from '../../src/progress.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { seedInput } from '../support/workload.js';
import { verifyContract } from '../support/contract.js';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let client: MongoClient;
let dir: string;
beforeAll(async () => {
  client = await MongoClient.connect(testUri());
  dir = await mkdtemp(join(tmpdir(), 'indexgate-verify-'));
});
afterAll(() => client.close());

/** A migrated staging database: seeded, then the six applied (as after the runbook's step 4). */
async function staging(label: string, indexes = runbookIndexes): Promise<string> {
  const name = uniqueDbName(label);
  await seedDatabase({ db: client.db(name), ...seedInput('tiny', 17), reporter: silentReporter });
  await applyIndexes(client.db(name), indexes);
  return name;
}

async function verify(db: string, extra: string[] = []) {
  const out = join(dir, db);
  const run = await runCli(['verify', '--uri', testUri(), '--db', db, '--budget-seconds', '60', '--out', out, ...extra]);
  return { ...run, out };
}

describe('verify', () => {
  it('passes on a correctly migrated database, with the result JSON of the contract (no before, no speedup)', async () => {
    const db = await staging('migrated');
    const counts = join(dir, 'counts-ok.json');
    const actual = Object.fromEntries(
      await Promise.all(['User', 'Message'].map(async (c) => [c, await client.db(db).collection(c).countDocuments()])),
    );
    await writeFile(counts, JSON.stringify({ counts: actual }));
    const run = await verify(db, ['--expect-counts', counts]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^VERDICT: PASS/m);
    const result = verifyContract.parse(JSON.parse(await readFile(join(run.out, 'result.json'), 'utf8')));
    expect(result.indexes.map((i) => i.status)).toEqual(runbookIndexes.map(() => 'present'));
    const md = await readFile(join(run.out, 'report.md'), 'utf8');
    expect(md).toMatch(/- \[x\] Tous les counts correspondent: 2\/2 collections as expected/);
  });

  it('fails on a database missing an index, naming it', async () => {
    const db = await staging(
      'missing',
      runbookIndexes.filter((s) => s.name !== 'idx_message_conv_notdeleted_created'),
    );
    const run = await verify(db, ['--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.gate.failures).toContainEqual(expect.objectContaining({ check: 'index', index: 'idx_message_conv_notdeleted_created' }));
    expect(result.gate.failures).toContainEqual(expect.objectContaining({ check: 'plan', pattern: 'lastMessage' }));
  });

  it('fails on a wrong-key index (right name, other key), naming the conflict', async () => {
    const db = await staging(
      'wrongkey',
      runbookIndexes.filter((s) => s.name !== 'idx_cursor_user_conv'),
    );
    await client
      .db(db)
      .collection('ConversationReadCursor')
      .createIndex({ conversationId: 1, userId: 1 }, { name: 'idx_cursor_user_conv' });
    const run = await verify(db, ['--json']);
    expect(run.code).toBe(1);
    const failures = JSON.parse(run.stdout).gate.failures;
    expect(failures).toContainEqual(
      expect.objectContaining({
        check: 'index',
        index: 'idx_cursor_user_conv',
        message: expect.stringMatching(/conflicts: an index named idx_cursor_user_conv exists with key \{conversationId: 1, userId: 1\}/),
      }),
    );
  });

  it('fails on counts that differ from --expect-counts (exact, or beyond the tolerance)', async () => {
    const db = await staging('counts');
    const messages = await client.db(db).collection('Message').countDocuments();
    const file = join(dir, 'counts-off.json');
    await writeFile(file, JSON.stringify({ counts: { Message: messages + 10, User: { expected: 1000, tolerance: 0.05 } } }));
    const run = await verify(db, ['--expect-counts', file, '--json']);
    expect(run.code).toBe(1);
    const failures = JSON.parse(run.stdout).gate.failures.filter((f: { check: string }) => f.check === 'counts');
    expect(failures.map((f: { message: string }) => f.message)).toEqual([
      `Message: ${messages.toLocaleString('en-US')} documents, expected exactly ${(messages + 10).toLocaleString('en-US')}`,
      expect.stringMatching(/^User: 400 documents, expected within 5\.0% of 1,000$/),
    ]);
  });

  it.each([
    ['not JSON', '{"counts":', /is not valid JSON/],
    ['an unknown collection', JSON.stringify({ counts: { Messages: 3 } }), /counts\.Messages: unknown collection \(known: User, /],
    ['a negative count', JSON.stringify({ counts: { User: -1 } }), /counts\.User: /],
    ['nothing to check', JSON.stringify({ counts: {} }), /counts: name at least one collection/],
  ])('a malformed --expect-counts (%s): one line, exit 2', async (_label, content, message) => {
    const file = join(dir, `counts-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, content);
    expectOneLineRefusal(await runCli(['verify', '--uri', testUri(), '--db', 'whatever', '--expect-counts', file]), message);
  });

  it('needs --uri: it never starts a database of its own', async () => {
    expectOneLineRefusal(await runCli(['verify']), /verify needs --uri/);
  });
});
