import { type Db, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { asRecord, callWriteRoute, isUndone, undoWrites } from '../../src/route-engine/write-call.js';
import { measureWriteSide, sampleMemberships, type WritePlan } from '../../src/run/measure-writes.js';
import { writeChecks, writeResults } from '../../src/run/write-results.js';
import type { IndexSpec } from '../../src/workload.js';
import { dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

const writes = workload.routes.writes ?? [];
const plan: WritePlan = {
  timedCalls: 5,
  dearTimedCalls: 5,
  dearMs: 500,
  countedCalls: 2,
  memberships: 4,
  maxTimeMS: 10_000,
  countedMaxTimeMS: 60_000,
};

async function dbHash(db: Db): Promise<Record<string, string>> {
  const reply = await db.command({ dbHash: 1, collections: [...workload.dataset.collections] });
  return reply.collections as Record<string, string>;
}

async function build(db: Db, specs: readonly IndexSpec[]): Promise<void> {
  for (const s of specs) await db.collection(s.collection).createIndex({ ...s.key }, { name: s.name });
}

async function measure(db: Db, routes = writes) {
  const memberships = await sampleMemberships(db, workload.users, plan.memberships);
  return measureWriteSide({ db, dm: await dataModel(), routes, memberships, users: workload.users, params: {}, plan });
}

describe('write routes: what a set costs the application writes', () => {
  it('counts the index keys each call writes, by the profiler: one more index on Message is one more key per message sent', async () => {
    const { db } = await seededDb('writes-keys', 'tiny', 3, 'bare');
    const hashBefore = await dbHash(db);
    const bare = await measure(db);
    const six = runbookIndexes;
    await build(db, six);
    const withSix = await measure(db);
    const extra: IndexSpec = { name: 'extra_sender_created', collection: 'Message', key: { senderId: 1, createdAt: -1 } };
    await build(db, [extra]);
    const withSeven = await measure(db);

    const messageKeys = (side: Map<string, { keys: { collection: string; inserted: number }[] }>) =>
      side.get('send-message')?.keys.find((k) => k.collection === 'Message')?.inserted;
    // bare: the _id index only; the six add #2 on Message; the extra index one more.
    expect(messageKeys(bare)).toBe(1);
    expect(messageKeys(withSix)).toBe(2);
    expect(messageKeys(withSeven)).toBe(3);
    // lastMessageAt moves: the two of the six that hold it each delete and insert a key.
    const conversation = withSix.get('send-message')?.keys.find((k) => k.collection === 'Conversation');
    expect(conversation).toEqual({ collection: 'Conversation', inserted: 2, deleted: 2 });
    // The read cursor's upsert changes no field #4 ({userId, conversationId}) holds: an update deletes no key
    // (a membership without a cursor gets one inserted: its _id key and #4's).
    expect(withSix.get('mark-read')?.keys.find((k) => k.collection === 'ConversationReadCursor')?.deleted).toBe(0);
    // What the send sends, in order (the membership read is skipped in a global conversation, as the handler skips it).
    const steps = withSix.get('send-message')?.steps.map((s) => `${s.kind} ${s.step}`) ?? [];
    expect(steps.slice(steps.indexOf('insert message.create'))).toEqual([
      'insert message.create',
      'read message.create › read back',
      'read message.create › read back › sender',
      'read message.create › read back › attachments',
      'read conversation.update › id',
      'update conversation.update',
      'read conversation.update › read back',
      'read conversationReadCursor.upsert › id',
      'update conversationReadCursor.upsert',
      'read conversationReadCursor.upsert › read back',
      // The translation service's read of the message (MessageTranslationService.ts:160); the stats cache hits (statsCacheMiss 0).
      'read message.findFirst',
    ]);
    expect(steps[0]).toBe('read conversation.findUnique');

    // Every write undone: the collections hash as they did before (indexes aside), and no profiler collection is left.
    expect(await dbHash(db)).toEqual(hashBefore);
    expect((await db.listCollections({ name: 'system.profile' }).toArray()).length).toBe(0);

    // The results: the keys the set adds, a slowdown with an interval, a check against the threshold.
    const runs = writes.map((r) => ({ id: r.id, title: r.title, file: r.file, before: withSix.get(r.id), after: withSeven.get(r.id) }));
    const results = writeResults(runs);
    expect(results.find((r) => r.id === 'send-message')?.extraKeys).toEqual([{ collection: 'Message', inserted: 1, deleted: 0 }]);
    expect(results.every((r) => r.slowdown?.state === 'measured')).toBe(true);
    const checks = writeChecks(results, 1.25);
    expect(checks.map((c) => c.route)).toEqual(writes.map((r) => r.id));
    expect(checks.every((c) => ['pass', 'fail', 'inconclusive'].includes(String(c.outcome)))).toBe(true);
  });

  it('a write route whose read reaches the limit is measured over it, not an error: its writes undone, its keys unknown if the counting call was cut', async () => {
    const { db } = await seededDb('writes-limit', 'small', 3, 'bare');
    const markRead = writes.filter((r) => r.id === 'mark-read');
    const hashBefore = await dbHash(db);
    const memberships = await sampleMemberships(db, workload.users, 2);
    const dm = await dataModel();
    const side = async (p: WritePlan) =>
      (await measureWriteSide({ db, dm, routes: markRead, memberships, users: workload.users, params: {}, plan: p })).get('mark-read');
    // Before the set, mark-read's message.findFirst scans and sorts the conversation's messages among 120 k: never within 1 ms,
    // on any machine. The reads before it (the membership, the read cursor, the count when there is no cursor) scan their
    // collections without an index, and may reach the limit first: the step is the first read over it, always before the write.
    // The call counting keys has 60 s: it finishes, and its keys are counted.
    const readsBeforeTheWrite = ['conversationMember.findFirst', 'conversationReadCursor.findUnique', 'message.count', 'message.findFirst'];
    const timed = await side({ ...plan, maxTimeMS: 1 });
    expect(timed?.overLimit).toMatchObject({ limitMs: 1, counted: false });
    const step = String(timed?.overLimit?.step);
    expect(readsBeforeTheWrite).toContain(step);
    expect(timed?.samplesMs).toEqual([]);
    expect(timed?.keys.length).toBeGreaterThan(0);
    const cut = await side({ ...plan, maxTimeMS: 1, countedMaxTimeMS: 1 });
    expect(cut?.overLimit).toMatchObject({ limitMs: 1, counted: true });
    const cutStep = String(cut?.overLimit?.step);
    expect(readsBeforeTheWrite).toContain(cutStep);
    expect(cut?.keys).toEqual([]);
    expect(await dbHash(db)).toEqual(hashBefore);

    const [result] = writeResults([{ id: 'mark-read', title: 'mark-read', file: 'f', before: cut, after: timed }]);
    expect(result?.before?.medianMs).toBeNull();
    expect(result?.extraKeys).toEqual([]);
    expect(result?.keysUnknown?.startsWith(`before the set, ${cutStep} reached the 0.001 s limit of the call counting keys`)).toBe(true);
    expect(result?.slowdown).toMatchObject({
      state: 'insufficient',
      reason: expect.stringContaining(`${cutStep} reached the 0.001 s limit before the set`),
    });
    expect(writeChecks(result ? [result] : [], 1.25).map((c) => c.outcome)).toEqual(['inconclusive']);
  });

  it('joining a conversation inserts one membership, in a conversation the user was not in: one key bare, #1 one more', async () => {
    const { db } = await seededDb('writes-join', 'tiny', 3, 'bare');
    const join = writes.find((r) => r.id === 'join-conversation');
    if (!join?.target) throw new Error('no join-conversation write route with a target');
    const hashBefore = await dbHash(db);
    const members = db.collection('ConversationMember');
    const countBefore = await members.countDocuments();

    // One call by hand: its target, the one document it inserts, then the undo.
    const [membership] = await sampleMemberships(db, workload.users, 1);
    if (!membership) throw new Error('no membership');
    const user = { id: String(membership.userId), class: 'member' };
    const found = await join.target({ db, user, membership: asRecord(membership), ObjectId });
    if (!found) throw new Error('no conversation to join');
    expect(['group', 'public']).toContain(found.type);
    expect(await members.countDocuments({ conversationId: found._id, userId: membership.userId })).toBe(0);
    const done = await callWriteRoute(
      db,
      await dataModel(),
      join,
      { user, params: {}, membership: asRecord(membership), target: asRecord(found) },
      { maxTimeMS: 10_000 },
    );
    expect(done.undo.inserted.map((i) => i.collection)).toEqual(['ConversationMember']);
    expect(done.undo.preImages).toEqual([]);
    expect(await members.countDocuments()).toBe(countBefore + 1);
    const inserted = await members.findOne({ _id: done.undo.inserted[0]?.id });
    expect(inserted).toMatchObject({ conversationId: found._id, userId: membership.userId, role: 'member', isActive: true });
    expect(done.steps.map((s) => `${s.kind} ${s.step}`)).toEqual([
      'read conversation.findMany',
      'read conversationMember.findFirst',
      'insert conversationMember.create',
      'read conversationMember.create › read back',
      'read user.findUnique',
      'read conversationMember.findMany',
    ]);
    await undoWrites(db, done.undo);
    expect(await isUndone(db, done.undo)).toBe(true);
    expect(await members.countDocuments()).toBe(countBefore);

    // Its keys, counted by the profiler: the _id index bare; the six add #1 (idx_member_user_active_conv).
    const keys = async () => (await measure(db, [join])).get('join-conversation')?.keys;
    expect(await keys()).toEqual([{ collection: 'ConversationMember', inserted: 1, deleted: 0 }]);
    await build(db, runbookIndexes);
    expect(await keys()).toEqual([{ collection: 'ConversationMember', inserted: 2, deleted: 0 }]);

    // Every join undone: the collections hash as before.
    expect(await dbHash(db)).toEqual(hashBefore);
  });
});
