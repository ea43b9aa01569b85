import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { PatternContext } from '../../bench/patterns.js';
import { prismaRoute, prismaRouteModel } from '../../bench/routes/prisma.js';
import { takePerParent } from '../../bench/routes/prisma-shapes.js';
import { type RouteCommand, routeCommands } from '../../src/routes/model.js';

const U = new ObjectId('65f5a6e01100001c7bb81e51');
const C1 = new ObjectId('65f5a6e01200000000000001');
const C2 = new ObjectId('65f5a6e01200000000000002');
const M1 = new ObjectId('65f5a6e01400000000000001');
const S1 = new ObjectId('65f5a6e01100000000000009');
const ctx: PatternContext = { userId: U, membershipIds: [C1, C2], pageIds: [C1, C2], pageType: 'group', filterType: undefined, memberUserIds: [], limit: 15, offset: 0 };
const lit = (v: unknown) => ({ $literal: v });
/** filter.rs @bfb636ea: `default_scalar_filter` + `exclude_undefineds`. */
const eq = (ref: string, v: unknown) => ({ $and: [{ $eq: [ref, lit(v)] }, { $ne: [ref, '$$REMOVE'] }] });
/** filter.rs @bfb636ea: `ScalarCondition::In` → `$or` of `$eq` (engines PR #4848). */
const inList = (ref: string, vs: unknown[]) => ({ $and: [{ $or: vs.map((v) => ({ $eq: [ref, lit(v)] })) }, { $ne: [ref, '$$REMOVE'] }] });

const byStep = new Map(routeCommands(prismaRoute).map((c) => [c.step, c]));
function shape(step: string, kept: Record<string, unknown[]> = {}, context: PatternContext = ctx, model = prismaRoute) {
  const command = (model === prismaRoute ? byStep : new Map(routeCommands(model).map((c) => [c.step, c]))).get(step) as RouteCommand;
  const built = command.build({ ctx: context, kept: new Map(Object.entries(kept) as never) });
  return built?.kind === 'aggregate' ? built.pipeline : built;
}

const join = {
  $lookup: {
    from: 'ConversationMember',
    let: { left_0: '$_id' },
    pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$conversationId', '$$left_0'] }] } } }],
    as: 'ConversationToConversationMember',
  },
};
const where = {
  $and: [
    { $gt: [{ $size: { $filter: { input: '$ConversationToConversationMember', as: 'elem', cond: { $and: [eq('$$elem.userId', U), eq('$$elem.isActive', true)] } } } }, 0] },
    eq('$isActive', true),
  ],
};

describe('the prisma route: each command as Prisma 6 sends it (table per call, from the cited engine source)', () => {
  it.each<[string, string, (() => unknown) | unknown]>([
    [
      'conversation.findMany: $lookup from every Conversation first, then one $match with the relation filter and the root filters, $sort, $skip (even 0), $limit, $project',
      'conversation.findMany',
      [join, { $match: { $expr: where } }, { $sort: { lastMessageAt: -1 } }, { $skip: 0 }, { $limit: 15 }, { $project: { _id: 1, title: 1, type: 1, identifier: 1, isActive: 1, createdAt: 1, lastMessageAt: 1, banner: 1, avatar: 1, communityId: 1 } }],
    ],
    [
      'members (take 5, several parents): the nested where AND the parents as $or of $eq, the implicit $sort {_id: 1}, no $limit',
      'conversation.findMany › members',
      [
        { $match: { $expr: { $and: [eq('$isActive', true), inList('$conversationId', [C1, C2])] } } },
        { $sort: { _id: 1 } },
        { $project: { _id: 1, userId: 1, role: 1, nickname: 1, joinedAt: 1, isActive: 1, conversationId: 1 } },
      ],
    ],
    [
      'messages: orderBy sent as $sort, take 1 not sent (several parents)',
      'conversation.findMany › messages',
      [{ $match: { $expr: { $and: [eq('$isDeleted', false), inList('$conversationId', [C1, C2])] } } }, { $sort: { createdAt: -1 } }, { $project: { _id: 1, content: 1, createdAt: 1, senderId: 1, conversationId: 1 } }],
    ],
    [
      'userPreferences (take 1, several parents): userId AND the parents, the implicit $sort {_id: 1}, no $limit',
      'conversation.findMany › userPreferences',
      [
        { $match: { $expr: { $and: [eq('$userId', U), inList('$conversationId', [C1, C2])] } } },
        { $sort: { _id: 1 } },
        { $project: { _id: 1, isPinned: 1, isMuted: 1, isArchived: 1, isDeletedForUser: 1, conversationId: 1 } },
      ],
    ],
    [
      'conversation.count: the same join and $match, then $group count_all',
      'conversation.count',
      [join, { $match: { $expr: where } }, { $group: { _id: null, count_all: { $sum: 1 } } }],
    ],
    [
      'conversationReadCursor.findMany: userId AND conversationId in, every scalar of the model at aa13b652 projected, no sort',
      'conversationReadCursor.findMany',
      [
        { $match: { $expr: { $and: [eq('$userId', U), inList('$conversationId', [C1, C2])] } } },
        {
          $project: {
            _id: 1,
            conversationId: 1,
            userId: 1,
            anonymousId: 1,
            lastReadMessageId: 1,
            lastReadAt: 1,
            lastDeliveredMessageId: 1,
            lastDeliveredAt: 1,
            unreadCount: 1,
            version: 1,
            updatedAt: 1,
          },
        },
      ],
    ],
  ])('%s', (_label, step, expected) => {
    expect(shape(step)).toEqual(expected);
  });

  it('a page of one conversation sends the take as $limit (nested_read.rs: one parent, no in-memory processing)', () => {
    expect(shape('conversation.findMany › messages', { 'conversation.findMany': [{ _id: C1 }] })).toContainEqual({ $limit: 1 });
    expect(shape('conversation.findMany › members', { 'conversation.findMany': [{ _id: C1 }] })).toContainEqual({ $limit: 5 });
  });

  it('the type filter joins the root filters after the relation filter; count is not sent past the first page', () => {
    const typed = shape('conversation.findMany', {}, { ...ctx, filterType: 'group' }) as Array<Record<string, { $expr: { $and: unknown[] } }>>;
    expect(typed[1]?.$match?.$expr.$and[2]).toEqual(eq('$type', 'group'));
    expect(shape('conversation.count', {}, { ...ctx, offset: 15 })).toBeUndefined();
  });

  it('user.findMany: the members Prisma kept, as an $or of $eq on _id, the selected fields, no sort', () => {
    const M = new ObjectId('65f5a6e01100000000000007');
    expect(shape('user.findMany', { 'conversation.findMany › members': [{ userId: M }, { userId: M }, { userId: S1 }] })).toEqual([
      { $match: { $expr: inList('$_id', [M, S1]) } },
      { $project: { _id: 1, username: 1, displayName: 1, firstName: 1, lastName: 1, avatar: 1, isOnline: 1, lastActiveAt: 1 } },
    ]);
  });

  it('unread counts at aa13b652: one read of the cursors and no message.count fallback; sent even for an empty page (an empty in is $or: [])', () => {
    expect([...byStep.keys()].filter((step) => step.startsWith('message.count'))).toEqual([]);
    const empty = shape('conversationReadCursor.findMany', { 'conversation.findMany': [] }) as Array<Record<string, unknown>>;
    expect(empty[0]).toEqual({ $match: { $expr: { $and: [eq('$userId', U), { $and: [{ $or: [] }, { $ne: ['$conversationId', '$$REMOVE'] }] }] } } });
  });

  it('the count is sent when offset is 0 or includeCount is true (core.ts @aa13b652)', () => {
    expect(shape('conversation.count', {}, { ...ctx, offset: 15 })).toBeUndefined();
    expect(shape('conversation.count', {}, { ...ctx, offset: 15 }, prismaRouteModel({ includeCount: true }))).toEqual([join, { $match: { $expr: where } }, { $group: { _id: null, count_all: { $sum: 1 } } }]);
  });

  it('withUserId: isActive, then the two members.some of the AND, each with its own $lookup under the relation name (filter.rs fold_nested)', () => {
    const W = new ObjectId('65f5a6e01100000000000042');
    const some = (user: ObjectId) => ({ $gt: [{ $size: { $filter: { input: '$ConversationToConversationMember', as: 'elem', cond: { $and: [eq('$$elem.userId', user), eq('$$elem.isActive', true)] } } } }, 0] });
    const model = prismaRouteModel({ withUserId: W });
    expect(shape('conversation.findMany', {}, { ...ctx, filterType: 'direct' }, model)).toEqual([
      join,
      join,
      { $match: { $expr: { $and: [eq('$isActive', true), eq('$type', 'direct'), some(U), some(W)] } } },
      { $sort: { lastMessageAt: -1 } },
      { $skip: 0 },
      { $limit: 15 },
      { $project: { _id: 1, title: 1, type: 1, identifier: 1, isActive: 1, createdAt: 1, lastMessageAt: 1, banner: 1, avatar: 1, communityId: 1 } },
    ]);
    expect((shape('conversation.count', {}, ctx, model) as unknown[]).slice(0, 3)).toEqual([join, join, { $match: { $expr: { $and: [eq('$isActive', true), some(U), some(W)] } } }]);
  });

  it('sender and attachments are read for the kept messages only', () => {
    const kept = { 'conversation.findMany › messages': [{ _id: M1, senderId: S1, conversationId: C1 }] };
    expect(shape('conversation.findMany › messages › sender', kept)).toEqual([{ $match: { $expr: inList('$_id', [S1]) } }, { $project: { _id: 1, username: 1, displayName: 1, avatar: 1 } }]);
    expect(shape('conversation.findMany › messages › attachments', kept)).toContainEqual({ $match: { $expr: inList('$messageId', [M1]) } });
    expect(shape('conversation.findMany › messages › sender', { 'conversation.findMany › messages': [] })).toBeUndefined();
  });
});

describe("Prisma's in-memory take", () => {
  it('keeps the first n per parent, in the order the server returned them, and drops the rest', () => {
    const docs = [
      { _id: 1, conversationId: 'a' },
      { _id: 2, conversationId: 'b' },
      { _id: 3, conversationId: 'a' },
      { _id: 4, conversationId: 'a' },
      { _id: 5, conversationId: 'b' },
    ];
    expect(takePerParent(2, 'conversationId', 'x').keep(docs, { ctx, kept: new Map() }).map((d) => d._id)).toEqual([1, 2, 3, 5]);
    expect(takePerParent(1, 'conversationId', 'x').keep(docs, { ctx, kept: new Map() }).map((d) => d._id)).toEqual([1, 2]);
  });
});

describe('the remedy indexes', () => {
  it('are printed as specs `bench --indexes` accepts', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadIndexSpecs } = await import('../../src/indexes/load-specs.js');
    const { remedyIndexes } = await import('../../indexes/remedies.js');
    const file = join(await mkdtemp(join(tmpdir(), 'remedy-')), 'remedies.json');
    await writeFile(file, JSON.stringify([...remedyIndexes]));
    expect(await loadIndexSpecs(file)).toEqual([...remedyIndexes]);
  });
});
