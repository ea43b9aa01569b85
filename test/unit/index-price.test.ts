import { describe, expect, it } from 'vitest';
import type { IndexOutcome } from '../../src/indexing/apply.js';
import { priceIndexes, redundancy, type Sizes } from '../../src/indexing/price.js';

/** Whether each index of a set earns its keep: what makes one redundant, what used it, its size. */

describe('redundancy', () => {
  it('the same key, the same key walked backwards, a prefix; not a different order or mixed directions', () => {
    expect(redundancy({ a: 1, b: 1 }, { a: 1, b: 1 })).toBe('same key');
    expect(redundancy({ conversationId: 1, isDeleted: 1, createdAt: -1 }, { conversationId: -1, isDeleted: -1, createdAt: 1 })).toBe(
      'same key walked backwards',
    );
    expect(redundancy({ a: 1 }, { a: 1, b: -1 })).toBe('a prefix of it');
    expect(redundancy({ a: 1, b: 1 }, { a: -1, b: -1, c: 1 })).toBe('a prefix of it');
    expect(redundancy({ a: 1, b: 1 }, { b: 1, a: 1 })).toBeUndefined();
    expect(redundancy({ a: 1, b: 1 }, { a: 1, b: -1 })).toBe('same fields, other directions');
    expect(redundancy({ a: 1, b: 1 }, { a: 1, b: -1, c: 1 })).toBeUndefined();
    expect(redundancy({ a: 1, b: 1 }, { a: 1 })).toBeUndefined();
    expect(redundancy({ a: 'text' }, { a: 'text' })).toBeUndefined();
  });
});

const outcome = (name: string, collection: string, key: Record<string, 1 | -1>, over: Partial<IndexOutcome> = {}): IndexOutcome => ({
  name,
  collection,
  key,
  status: 'created',
  buildMs: 10,
  existingName: name,
  detail: '',
  ...over,
});

describe('priceIndexes', () => {
  const sizes: Sizes = {
    cacheBytes: 256 * 1_048_576,
    collections: [{ collection: 'Message', dataBytes: 500_000_000, indexBytes: 90_000_000 }],
    indexBytes: new Map([
      ['Message._id_', 20_000_000],
      ['Message.Message_conversationId_isDeleted_createdAt_idx', 30_000_000],
      ['Message.idx_message_conv_notdeleted_created', 30_000_000],
      ['Message.idx_message_sender', 10_000_000],
      ['Message.idx_message_conv', 5_000_000],
    ]),
    existing: [
      { collection: 'Message', name: '_id_', key: { _id: 1 } },
      {
        collection: 'Message',
        name: 'Message_conversationId_isDeleted_createdAt_idx',
        key: { conversationId: 1, isDeleted: 1, createdAt: 1 },
      },
      { collection: 'Message', name: 'idx_message_conv_notdeleted_created', key: { conversationId: 1, isDeleted: 1, createdAt: -1 } },
      { collection: 'Message', name: 'idx_message_sender', key: { senderId: 1, createdAt: -1 } },
      { collection: 'Message', name: 'idx_message_conv', key: { conversationId: 1 } },
    ],
  };
  const set = [
    outcome('idx_message_conv_notdeleted_created', 'Message', { conversationId: 1, isDeleted: 1, createdAt: -1 }),
    outcome('idx_message_sender', 'Message', { senderId: 1, createdAt: -1 }),
    outcome('idx_message_conv', 'Message', { conversationId: 1 }),
    outcome('idx_missing', 'Message', { x: 1 }, { status: 'missing', existingName: null }),
  ];
  const uses = [
    // At the prisma baseline the planner chose Prisma's own index for the messages, never #2.
    {
      collection: 'Message',
      indexesUsed: ['Message_conversationId_isDeleted_createdAt_idx'],
      by: 'route prisma conversation.findMany › messages',
    },
    { collection: 'Message', indexesUsed: ['idx_message_sender'], by: 'pattern bySender' },
  ];
  const price = priceIndexes(set, sizes, uses);
  const of = (name: string) => price.indexes.find((p) => p.name === name);

  it('an index on the fields of a baseline index, in other directions, is redundant when the commands chose the other, never it', () => {
    expect(of('idx_message_conv_notdeleted_created')).toMatchObject({
      verdict: 'redundant',
      redundantWith: {
        name: 'Message_conversationId_isDeleted_createdAt_idx',
        reason: 'same fields, other directions: the queries chose it',
      },
      usedBy: [],
      sizeBytes: 30_000_000,
    });
    // Chosen by a command itself, it is used: the evidence does not show the other serves as well.
    const chosen = priceIndexes(set, sizes, [
      { collection: 'Message', indexesUsed: ['idx_message_conv_notdeleted_created'], by: 'pattern lastMessage' },
    ]);
    expect(chosen.indexes[0]).toMatchObject({ verdict: 'used', usedBy: ['pattern lastMessage'] });
    // Every direction reversed: the same key walked backwards, whatever chose it.
    const reversed = priceIndexes(
      [outcome('rev', 'Message', { conversationId: -1, isDeleted: -1, createdAt: -1 })],
      {
        ...sizes,
        existing: [...sizes.existing, { collection: 'Message', name: 'rev', key: { conversationId: -1, isDeleted: -1, createdAt: -1 } }],
      },
      [{ collection: 'Message', indexesUsed: ['rev'], by: 'pattern lastMessage' }],
    );
    expect(reversed.indexes[0]?.redundantWith).toEqual({
      name: 'Message_conversationId_isDeleted_createdAt_idx',
      reason: 'same key walked backwards',
    });
  });

  it('a used index is used; a prefix of another is redundant; one the server does not hold is not built', () => {
    expect(of('idx_message_sender')).toMatchObject({ verdict: 'used', usedBy: ['pattern bySender'] });
    expect(of('idx_message_conv')).toMatchObject({
      verdict: 'redundant',
      redundantWith: { name: 'Message_conversationId_isDeleted_createdAt_idx', reason: 'a prefix of it' },
    });
    expect(of('idx_missing')).toMatchObject({ verdict: 'not built', sizeBytes: null });
  });

  it('the set costs what the server holds for it', () => {
    expect(price.setBytes).toBe(30_000_000 + 10_000_000 + 5_000_000);
    expect(price.cacheBytes).toBe(256 * 1_048_576);
    expect(price.cacheOf).toEqual({ kind: 'target' });
    expect(price.indexesFitCache).toBe(true);
  });

  it('--ram-gb: the indexes against the default cache of a server of that memory (the larger of half of RAM − 1 GB and 256 MB)', () => {
    const small = { ...sizes, collections: [{ collection: 'Message', dataBytes: 500_000_000, indexBytes: 300_000_000 }] };
    const onOne = priceIndexes(set, small, uses, { ramGb: 1 });
    expect(onOne.cacheBytes).toBe(256 * 1_048_576);
    expect(onOne.indexesFitCache).toBe(false);
    const onFour = priceIndexes(set, small, uses, { ramGb: 4 });
    expect(onFour.cacheBytes).toBe(1.5 * 1024 * 1_048_576);
    expect(onFour).toMatchObject({ cacheOf: { kind: 'ram-gb', ramGb: 4 }, indexesFitCache: true });
  });

  it('two indexes of the set with one key: the second is redundant with the first, the first is not', () => {
    const twin = priceIndexes(
      [
        outcome('first', 'Message', { senderId: 1, createdAt: -1 }, { existingName: 'idx_message_sender' }),
        outcome('second', 'Message', { conversationId: 1 }),
      ],
      sizes,
      [],
    );
    expect(twin.indexes[0]?.verdict).toBe('unused');
  });
});
