import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaIndexes } from '../../indexes/prisma.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';
import { seededDb } from '../support/seeded.js';

let client: MongoClient;
beforeAll(async () => {
  client = await MongoClient.connect(testUri());
});
afterAll(() => client.close());

/** A database of its own seeded as `indexgate seed --scale tiny --seed 31` seeds it (marker included), without a CLI start: `seed` itself is tested in seed-safety and credentials. */
async function seeded(label: string, baseline = 'bare'): Promise<string> {
  const { db, seeded } = await seededDb(label, 'tiny', 31, baseline);
  expect(seeded.counts.User).toBeGreaterThan(0);
  return db.databaseName;
}

const mongosh = new URL('../../node_modules/.bin/mongosh', import.meta.url).pathname;
async function runMongosh(db: string, file: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(mongosh, ['--quiet', testUri().replace('/?', `/${db}?`), file], { timeout: 120_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('indexes list', () => {
  it('prints the six specs as data, and the Prisma-declared set', async () => {
    const six = await runCli(['indexes', 'list', '--json']);
    expect(six.code).toBe(0);
    expect(JSON.parse(six.stdout)).toEqual(JSON.parse(JSON.stringify(runbookIndexes)));
    const prisma = await runCli(['indexes', 'list', '--set', 'prisma', '--json']);
    expect(JSON.parse(prisma.stdout)).toHaveLength(prismaIndexes.length);
    const table = await runCli(['indexes', 'list']);
    expect(table.stdout).toMatch(
      /P0 .*idx_member_user_active_conv .*\{userId: 1, isActive: 1, conversationId: 1\}.*-50% on conversationsQuery/,
    );
  });
});

describe('indexes script (run by the real mongosh)', () => {
  it('creates the six, is idempotent, and reports a conflict without dropping anything', async () => {
    const db = await seeded('script');
    const script = join(tmpdir(), `${db}.js`);
    const generated = await runCli(['indexes', 'script']);
    expect(generated.code).toBe(0);
    await writeFile(script, generated.stdout);

    const first = await runMongosh(db, script);
    expect(first.code).toBe(0);
    for (const s of runbookIndexes)
      expect(first.stdout).toMatch(new RegExp(`created +${s.priority} ${s.name} on ${s.collection} in \\d+ ms`));
    const second = await runMongosh(db, script);
    expect(second.code).toBe(0);
    for (const s of runbookIndexes) expect(second.stdout).toMatch(new RegExp(`present +${s.priority} ${s.name}`));
    expect(second.stdout).toMatch(
      /Message indexes:\n {2}- _id_ .*\n {2}- idx_message_conv_notdeleted_created \{"conversationId":1,"isDeleted":1,"createdAt":-1\}/,
    );

    await client.db(db).collection('ConversationReadCursor').dropIndex('idx_cursor_user_conv');
    await client
      .db(db)
      .collection('ConversationReadCursor')
      .createIndex({ conversationId: 1, userId: 1 }, { name: 'idx_cursor_user_conv' });
    const third = await runMongosh(db, script);
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(
      /CONFLICT +P1 idx_cursor_user_conv on ConversationReadCursor: an index with this name has key \{"conversationId":1,"userId":1\}/,
    );
    expect(third.stdout).toMatch(/1 index\(es\) need attention/);
    const kept = (await client.db(db).collection('ConversationReadCursor').listIndexes().toArray()).find(
      (ix) => ix.name === 'idx_cursor_user_conv',
    );
    expect(kept?.key).toEqual({ conversationId: 1, userId: 1 });
  });

  it('counts the same key under another name as equivalent (the Prisma unique index for #5)', async () => {
    const db = await seeded('scriptprisma', 'prisma');
    const script = join(tmpdir(), `${db}.js`);
    await writeFile(script, (await runCli(['indexes', 'script'])).stdout);
    const run = await runMongosh(db, script);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /equivalent +P1 idx_userprefs_user_conv on UserConversationPreferences: same key as existing index UserConversationPreferences_userId_conversationId_key/,
    );
  });
});

describe('indexes apply and verify', () => {
  it('apply creates, then reports present; verify passes by key, whatever the names', async () => {
    const db = await seeded('apply');
    const first = await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).indexes.map((o: { status: string }) => o.status)).toEqual(runbookIndexes.map(() => 'created'));
    const second = await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db, '--json']);
    expect(JSON.parse(second.stdout).indexes.map((o: { status: string; buildMs: number }) => [o.status, o.buildMs])).toEqual(
      runbookIndexes.map(() => ['present', 0]),
    );
    const verify = await runCli(['indexes', 'verify', '--uri', testUri(), '--db', db]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/All 6 indexes are there \(by key\)/);
  });

  it('verify fails (exit 1) naming what is missing; apply of a conflicting name exits 1 and drops nothing', async () => {
    const db = await seeded('verifyfail');
    expect((await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db, '--only', 'idx_member_user_active_conv'])).code).toBe(0);
    const verify = await runCli(['indexes', 'verify', '--uri', testUri(), '--db', db, '--json']);
    expect(verify.code).toBe(1);
    const statuses = Object.fromEntries(
      JSON.parse(verify.stdout).findings.map((f: { spec: { name: string }; status: string }) => [f.spec.name, f.status]),
    );
    expect(statuses).toMatchObject({ idx_member_user_active_conv: 'present', idx_cursor_user_conv: 'missing' });

    await client.db(db).collection('Message').createIndex({ createdAt: -1 }, { name: 'idx_message_conv_notdeleted_created' });
    const apply = await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db]);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toMatch(/idx_message_conv_notdeleted_created .*conflict/);
    expect(apply.stdout).toMatch(/nothing was dropped/);
  });

  it('apply refuses a database indexgate did not seed unless it is named with --allow-writes-to', async () => {
    const db = uniqueDbName('foreignapply');
    for (const c of ['User', 'Conversation', 'ConversationMember', 'Message', 'ConversationReadCursor', 'UserConversationPreferences'])
      await client.db(db).createCollection(c);
    await client.db(db).collection('User').insertOne({ username: 'someone' });
    expectOneLineRefusal(
      await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db]),
      /refusing to write to database ".*": it holds collections indexgate did not create/,
    );
    expect(await client.db(db).collection('Message').listIndexes().toArray()).toHaveLength(1);
    const allowed = await runCli(['indexes', 'apply', '--uri', testUri(), '--db', db, '--allow-writes-to', db]);
    expect(allowed.code).toBe(0);
  });

  it('verify and explain on a database without the collections: one line, exit 2', async () => {
    const db = uniqueDbName('empty');
    expectOneLineRefusal(
      await runCli(['indexes', 'verify', '--uri', testUri(), '--db', db]),
      /none of the application's collections .* is there, it is empty: check --db/,
    );
    expectOneLineRefusal(await runCli(['explain', '--uri', testUri(), '--db', db]), /none of the application's collections/);
  });
});

describe('explain', () => {
  it('prints per pattern the plan on the current state, and with --json the Measurement objects without latency', async () => {
    const db = await seeded('explain');
    const run = await runCli(['explain', '--uri', testUri(), '--db', db, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const memberships = out.patterns.find((p: { id: string; userClass: string }) => p.id === 'memberships' && p.userClass === 'typical');
    expect(memberships).toMatchObject({ stages: ['PROJECTION_SIMPLE', 'COLLSCAN'], indexName: null, collscan: true });
    expect(memberships).not.toHaveProperty('latencyMs');
    for (const field of ['stages', 'indexName', 'totalKeysExamined', 'totalDocsExamined', 'nReturned'])
      expect(memberships).toHaveProperty(field);
    const text = await runCli(['explain', '--uri', testUri(), '--db', db, '--pattern', 'pageMembers']);
    expect(text.stdout).toMatch(/pageMembers \(not gated\).*NOT SERVED: collection scan \(none of the six starts with conversationId/);
  });

  it('refuses an unknown --pattern with the list of known ones', async () => {
    expectOneLineRefusal(
      await runCli(['explain', '--uri', testUri(), '--db', 'x', '--pattern', 'lastMesage']),
      /--pattern lastMesage: unknown pattern id; known: memberships, /,
    );
  });
});

describe("the application's schema.prisma (--prisma-schema)", () => {
  const fixture = new URL('../fixtures/prisma/schema.prisma', import.meta.url).pathname;

  it('indexes check: names what the schema does not declare (by key), prints the @@index lines, exits 1', async () => {
    const run = await runCli(['indexes', 'check', '--prisma-schema', fixture]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/idx_userprefs_user_conv .*UserConversationPreferences_userId_conversationId_key/);
    expect(run.stdout).toMatch(/5 index\(es\) not declared\. Add to the schema:/);
    expect(run.stdout).toContain('model Member {\n    @@index([userId, active, conversationId], map: "idx_member_user_active_conv")\n  }');
    expect(run.stdout).toMatch(/prisma db push` drops every index of a modelled collection that the schema does not declare by name/);
    const json = JSON.parse((await runCli(['indexes', 'check', '--prisma-schema', fixture, '--json'])).stdout);
    expect(json.findings.filter((f: { declaredAs: string | null }) => f.declaredAs === null)).toHaveLength(5);
  });

  it('seed --baseline prisma --prisma-schema builds the indexes the schema declares: the same as the built-in list', async () => {
    const db = uniqueDbName('schema-baseline');
    const run = await runCli([
      'seed',
      '--uri',
      testUri(),
      '--db',
      db,
      '--scale',
      'tiny',
      '--baseline',
      'prisma',
      '--prisma-schema',
      fixture,
    ]);
    expect(run.code).toBe(0);
    const names = new Set<string>();
    for (const c of new Set(prismaIndexes.map((s) => s.collection)))
      for (const ix of await client.db(db).collection(c).listIndexes().toArray()) names.add(ix.name as string);
    expect([...names].filter((n) => n !== '_id_').sort()).toEqual(prismaIndexes.map((s) => s.name).sort());
  });

  it.each([
    [['indexes', 'check', '--prisma-schema', '/nonexistent/schema.prisma'], /\/nonexistent\/schema\.prisma: cannot read it \(ENOENT\)/],
    [
      ['seed', '--scale', 'tiny', '--prisma-schema', 'x.prisma'],
      /--prisma-schema gives seed the indexes of --baseline prisma; add --baseline prisma/,
    ],
  ])('%j: one line, exit 2', async (args, message) => {
    expectOneLineRefusal(await runCli(args), message);
  });

  it('a schema that does not parse: one line, exit 2, nothing written', async () => {
    const bad = join(tmpdir(), `bad-${process.pid}.prisma`);
    await writeFile(bad, 'model Conversation {\n  id String @id @map("_id")\n  @@index([nope])\n}\n');
    const db = uniqueDbName('badschema');
    expectOneLineRefusal(
      await runCli(['seed', '--uri', testUri(), '--db', db, '--baseline', 'prisma', '--prisma-schema', bad]),
      /bad-\d+\.prisma: Prisma's schema engine refuses it: .*; fix the schema/,
    );
    expect(await client.db(db).listCollections().toArray()).toEqual([]);
  });
});
