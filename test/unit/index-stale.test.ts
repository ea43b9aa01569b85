import { describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { evaluateGate } from '../../src/gate/evaluate.js';
import { loadThresholds } from '../../src/gate/threshold-rules.js';
import type { IndexOutcome } from '../../src/indexing/apply.js';
import { indexDeclaration, loadPrismaSchema, parsePrismaSchema, staleness, withStaleness } from '../../src/indexing/prisma-schema.js';
import type { IndexSpec } from '../../src/workload.js';
import { knownSpecs, patternIds, workload } from '../support/workload.js';

/** An index is stale when its collection has no model, or its key names a field the model does not have (database names). */

const meeshy = new URL('../fixtures/prisma/meeshy-ea1789df.prisma', import.meta.url).pathname;
const seedSchema = new URL('../../seed/schema.prisma', import.meta.url).pathname;
const collections = workload.dataset.collections;
const six = (n: number) => runbookIndexes[n - 1] as IndexSpec;

/** A small schema: @map on fields, @@map on a model, a composite type (itself with a @map), a Json, relations. */
const small = `
datasource db {
  provider = "mongodb"
  url      = env("DATABASE_URL")
}
type Perms {
  canSend Boolean @default(true) @map("can_send")
  inner   Inner?
}
type Inner {
  depth Int
}
model Member {
  id             String  @id @default(auto()) @map("_id") @db.ObjectId
  conversationId String  @db.ObjectId
  active         Boolean @default(true) @map("isActive")
  perms          Perms   @map("permissions")
  extra          Json?
  conversation   Room    @relation(fields: [conversationId], references: [id])
  @@index([perms.canSend, active])
  @@map("ConversationMember")
}
model Room {
  id      String   @id @default(auto()) @map("_id") @db.ObjectId
  members Member[]
  @@map("rooms")
}
`;
const schema = parsePrismaSchema(small, 'small.prisma', ['ConversationMember', 'rooms']);
const on = (collection: string, ...fields: string[]) => ({ collection, key: Object.fromEntries(fields.map((f) => [f, 1 as const])) });

describe('stale: a field or collection the schema does not have', () => {
  it('finds the collection by @@map, never by the model name it replaces', () => {
    expect(staleness(schema, on('ConversationMember', 'conversationId'))).toBeUndefined();
    expect(staleness(schema, on('Member', 'conversationId'))).toEqual({
      schema: 'small.prisma',
      model: null,
      fields: [],
      why: 'no model of small.prisma maps to collection Member (by @@map or model name)',
    });
    expect(staleness(schema, on('Room', '_id'))?.model).toBeNull();
  });

  it('reads key fields as database names (after @map); _id is every document’s; a relation field holds nothing', () => {
    expect(staleness(schema, on('ConversationMember', 'isActive', '_id'))).toBeUndefined();
    expect(staleness(schema, on('ConversationMember', 'active', 'conversationId', 'conversation'))).toEqual({
      schema: 'small.prisma',
      model: 'Member',
      fields: ['active', 'conversation'],
      why: 'model Member of small.prisma has no fields active (its field active is @map("isActive")), conversation',
    });
  });

  it('walks a dotted key through the composite types the schema declares, and past a Json unchecked', () => {
    expect(
      staleness(schema, on('ConversationMember', 'permissions.can_send', 'permissions.inner.depth', 'extra.any.path')),
    ).toBeUndefined();
    expect(staleness(schema, on('ConversationMember', 'permissions.canSend'))?.why).toBe(
      'model Member of small.prisma has no field permissions.canSend (type Perms has no field canSend)',
    );
    expect(staleness(schema, on('ConversationMember', 'permissions.inner.width'))?.fields).toEqual(['permissions.inner.width']);
    expect(staleness(schema, on('ConversationMember', 'perms.can_send'))?.why).toBe(
      'model Member of small.prisma has no field perms.can_send (its field perms is @map("permissions"))',
    );
  });

  it('a composite index the schema declares is read in database names, and written back in the schema’s', () => {
    expect(schema.indexes.map((ix) => [ix.collection, ix.key])).toEqual([
      ['ConversationMember', { 'permissions.can_send': 1, isActive: 1 }],
    ]);
    const spec: IndexSpec = { name: 'ix', collection: 'ConversationMember', key: { 'permissions.can_send': 1, isActive: -1 } };
    expect(indexDeclaration(schema, spec)?.line).toBe('@@index([perms.canSend, active(sort: Desc)], map: "ix")');
    expect(indexDeclaration(schema, { ...spec, key: { isDeleted: 1 } })).toBeUndefined();
  });

  it('the runbook’s six against meeshy at ea1789df: #1, #2 and #4 stale, by collection and by field', async () => {
    const s = await loadPrismaSchema(meeshy, collections);
    expect(staleness(s, six(1))).toMatchObject({ model: null, fields: [], why: expect.stringMatching(/collection ConversationMember/) });
    expect(staleness(s, six(2))).toMatchObject({ model: 'Message', fields: ['isDeleted'] });
    expect(staleness(s, six(3))).toBeUndefined();
    expect(staleness(s, six(4))).toMatchObject({ model: 'ConversationReadCursor', fields: ['userId'] });
    expect(staleness(s, six(5))).toBeUndefined();
    expect(staleness(s, six(6))).toBeUndefined();
    // Nothing in the fixture's own indexes is stale against itself.
    for (const ix of s.indexes) expect(staleness(s, ix)).toBeUndefined();
  });

  it('the default application’s schema has every field the workload’s index sets name', async () => {
    const s = await loadPrismaSchema(seedSchema, collections);
    for (const spec of knownSpecs) expect(staleness(s, spec), spec.name).toBeUndefined();
  });
});

describe('stale in a run: the status, and the gate', () => {
  const outcome = (spec: IndexSpec, status: IndexOutcome['status']): IndexOutcome => ({
    name: spec.name,
    collection: spec.collection,
    key: spec.key,
    status,
    buildMs: status === 'created' ? 12.5 : 0,
    existingName: spec.name,
    detail: `built ${spec.name}`,
    priority: spec.priority,
  });

  it('a stale index keeps what the server did (serverStatus) and says what the schema lacks; the others are unchanged', async () => {
    const s = await loadPrismaSchema(meeshy, collections);
    const outcomes = runbookIndexes.map((spec) => outcome(spec, 'created'));
    const marked = withStaleness(outcomes, s);
    expect(marked.map((o) => o.status)).toEqual(['stale', 'stale', 'created', 'stale', 'created', 'created']);
    expect(marked[1]).toMatchObject({
      status: 'stale',
      serverStatus: 'created',
      buildMs: 12.5,
      stale: { model: 'Message', fields: ['isDeleted'], schema: meeshy },
    });
    expect(marked[1]?.detail).toBe(`model Message of ${meeshy} has no field isDeleted (on the server: created, built ${six(2).name})`);
    expect(marked[2]).toBe(outcomes[2]);
    expect(withStaleness(marked, s)).toEqual(marked);
  });

  it('fails the index check of the gate, naming the index, field, model and schema', async () => {
    const s = await loadPrismaSchema(meeshy, collections);
    const { values } = await loadThresholds(workload.thresholdsFile, patternIds);
    const gate = evaluateGate({
      thresholds: values,
      indexes: withStaleness([outcome(six(4), 'created'), outcome(six(5), 'equivalent')], s),
      patterns: [],
      judgeSpeedup: true,
      knownSpecs,
    });
    expect(gate.verdict).toBe('fail');
    expect(gate.failures).toEqual([
      {
        check: 'index',
        index: 'idx_cursor_user_conv',
        message: `idx_cursor_user_conv on ConversationReadCursor is stale: model ConversationReadCursor of ${meeshy} has no field userId (on the server: created, built idx_cursor_user_conv)`,
      },
    ]);
  });
});
