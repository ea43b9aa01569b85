import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { attributeSetWrites, attributeWriteKeys, type IndexKeyDef, type WriteEffect } from '../../src/indexing/write-keys.js';

const conversationId = new ObjectId();
const byConversation: IndexKeyDef = { name: 'by_conv', collection: 'Message', key: { conversationId: 1, createdAt: -1 } };
const bySender: IndexKeyDef = { name: 'by_sender', collection: 'Message', key: { senderId: 1 } };
const byActivity: IndexKeyDef = { name: 'by_activity', collection: 'Conversation', key: { isActive: 1, lastMessageAt: -1 } };
const byType: IndexKeyDef = { name: 'by_type', collection: 'Conversation', key: { type: 1 } };
const message = { _id: new ObjectId(), conversationId, senderId: new ObjectId(), createdAt: new Date('2026-01-01'), content: 'hi' };
const conversation = { _id: conversationId, type: 'group', isActive: true, lastMessageAt: new Date('2026-01-01'), title: 'x' };

/** The conversation updated to `after`. */
const conversationUpdate = (after: typeof conversation): WriteEffect => ({
  kind: 'update',
  step: 'conversation.update',
  collection: 'Conversation',
  before: [conversation],
  after: [after],
});

const keys = (effects: WriteEffect[], indexes: IndexKeyDef[]) =>
  Object.fromEntries(attributeWriteKeys(effects, indexes).map((k) => [k.name, k.unknown ?? [k.inserted, k.deleted]]));

describe('which index each write key goes to, from what the write did', () => {
  it('an insert writes one key into every index of its collection (two set indexes: one each), none elsewhere', () => {
    const insert: WriteEffect = { kind: 'insert', step: 'message.create', collection: 'Message', doc: message };
    expect(keys([insert], [byConversation, bySender, byActivity])).toEqual({ by_conv: [1, 0], by_sender: [1, 0], by_activity: [0, 0] });
  });

  it('an update writes and deletes a key only in the indexes whose key fields it changed', () => {
    const moved = { ...conversation, lastMessageAt: new Date('2026-01-02') };
    expect(keys([conversationUpdate(moved)], [byActivity, byType])).toEqual({ by_activity: [1, 1], by_type: [0, 0] });
  });

  it('an update that changes no indexed field writes no key', () => {
    const renamed = { ...conversation, title: 'y' };
    expect(keys([conversationUpdate(renamed)], [byActivity, byType])).toEqual({ by_activity: [0, 0], by_type: [0, 0] });
  });

  it('an array field is multikey: one key per distinct element; an update diffs the element keys', () => {
    const byTag: IndexKeyDef = { name: 'by_tag', collection: 'Message', key: { tags: 1, createdAt: -1 } };
    const tagged = { ...message, tags: ['a', 'b', 'c', 'b'] };
    expect(keys([{ kind: 'insert', step: 's', collection: 'Message', doc: tagged }], [byTag, byConversation])).toEqual({
      by_tag: [3, 0],
      by_conv: [1, 0],
    });
    const retagged = { ...tagged, tags: ['a', 'd'] };
    expect(keys([{ kind: 'update', step: 'u', collection: 'Message', before: [tagged], after: [retagged] }], [byTag])).toEqual({
      by_tag: [1, 2],
    });
    // An empty array is one key (undefined), apart from a missing field's null.
    expect(keys([{ kind: 'insert', step: 's', collection: 'Message', doc: { ...message, tags: [] } }], [byTag])).toEqual({
      by_tag: [1, 0],
    });
  });

  it('a partial filter that excludes the document, or a sparse index without its field, gets no key; an operator it does not model is said, not guessed', () => {
    const partial: IndexKeyDef = { ...bySender, name: 'partial', partialFilterExpression: { isDeleted: { $eq: true } } };
    const sparse: IndexKeyDef = { name: 'sparse', collection: 'Message', key: { replyToId: 1 }, sparse: true };
    const unknown: IndexKeyDef = { ...bySender, name: 'unknown', partialFilterExpression: { content: { $type: 'string' } } };
    const insert: WriteEffect = { kind: 'insert', step: 's', collection: 'Message', doc: { ...message, isDeleted: false } };
    expect(keys([insert], [partial, sparse, unknown])).toEqual({
      partial: [0, 0],
      sparse: [0, 0],
      unknown: 'partial filter operator $type',
    });
    const deleted: WriteEffect = {
      kind: 'update',
      step: 'u',
      collection: 'Message',
      before: [{ ...message, isDeleted: false }],
      after: [{ ...message, isDeleted: true }],
    };
    // Soft-deleted: the document enters the partial index (one key inserted, none deleted).
    expect(keys([deleted], [partial])).toEqual({ partial: [1, 0] });
  });
});

describe("each index's share of the set's extra write keys, checked against the profiler", () => {
  const insert: WriteEffect = { kind: 'insert', step: 'message.create', collection: 'Message', doc: message };
  const moved = { ...conversation, lastMessageAt: new Date('2026-01-02') };
  const update = conversationUpdate(moved);
  const set = [
    { ...byConversation, status: 'created' },
    { ...bySender, status: 'present' },
    { ...byActivity, status: 'created' },
  ];

  it('sums to the measured extra keys: says so, and shares are fractions of it; an index that was there before has keys but no share', () => {
    const { indexes, writes } = attributeSetWrites(
      [
        {
          route: 'send',
          effects: [[insert, update]],
          extraKeys: [
            { collection: 'Message', inserted: 1, deleted: 0 },
            { collection: 'Conversation', inserted: 1, deleted: 1 },
          ],
        },
      ],
      set,
    );
    expect(writes.routes[0]?.matches).toBe(true);
    expect(writes.extraKeys).toBe(3);
    expect(indexes.map((i) => [i.name, i.writeKeys[0]?.inserted, i.writeKeys[0]?.deleted, i.writeShare])).toEqual([
      ['by_conv', 1, 0, 1 / 3],
      ['by_sender', 1, 0, null],
      ['by_activity', 1, 1, 2 / 3],
    ]);
  });

  it('does not sum: the remainder is reported per collection, never forced', () => {
    const { writes, indexes } = attributeSetWrites(
      [{ route: 'send', effects: [[insert]], extraKeys: [{ collection: 'Message', inserted: 2, deleted: 0 }] }],
      set,
    );
    expect(writes.routes[0]?.matches).toBe(false);
    expect(writes.routes[0]?.collections).toEqual([
      {
        collection: 'Message',
        measured: { inserted: 2, deleted: 0 },
        attributed: { inserted: 1, deleted: 0 },
        unattributed: { inserted: 1, deleted: 0 },
      },
    ]);
    expect(indexes[0]?.writeShare).toBe(0.5);
  });
});
