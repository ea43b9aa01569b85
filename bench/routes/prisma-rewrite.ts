import type { Document, ObjectId } from 'mongodb';
import type { RouteCommand, RouteModel, StepInput } from '../../src/routes/model.js';
import { attachmentFields, messageFields, preferencesFields, readCursors, senderFields, userFields } from './prisma.js';
import { and, distinct, equals, inList, match, project, takePerParent } from './prisma-shapes.js';

/**
 * A remedy by rewrite: the same route written with Prisma calls whose commands an index can
 * serve. Memberships first (served by #1), then the page and the count by id with a plain
 * `$in` (served by #3 or `_id`), and the per-conversation picks (5 members, the last message)
 * done by the server, all with `aggregateRaw` where Prisma's own rendering would not do. Every command is what Prisma sends
 * for the call written beside it (same rules as prisma.ts); `aggregateRaw` sends its pipeline
 * as given.
 */

const memberships: RouteCommand = {
  step: 'conversationMember.findMany',
  call: 'prisma.conversationMember.findMany({ where: { userId, isActive: true }, select: { conversationId: true } })',
  collection: 'ConversationMember',
  command: 'aggregate',
  source: 'mongodb-query-connector read_query_builder.rs @2ba551f3 (no join: the filter is the first $match)',
  build: ({ ctx }) => ({ kind: 'aggregate', pipeline: [match(and(equals('userId', ctx.userId), equals('isActive', true))), project(['conversationId'])] }),
};

const membershipIds = (input: StepInput): ObjectId[] => distinct<ObjectId>(input.kept.get(memberships.step) ?? [], 'conversationId');

/**
 * The page by id. Not `conversation.findMany({ where: { id: { in } } })`: Prisma writes that
 * `in` as an `$expr` `$or` of one `$eq` per id, and for a user in thousands of conversations
 * the planner takes 0.9 s (the count 2.5 s) over 2,686 ids at medium, measured here; a plain
 * `$in`, as `aggregateRaw` sends it, takes 4–25 ms for the same answer.
 */
const page: RouteCommand = {
  step: 'conversation.aggregateRaw (page by id)',
  call: 'prisma.conversation.aggregateRaw({ pipeline: [$match {_id: {$in: conversationIds}, isActive: true[, type]}, $sort {lastMessageAt: -1}, $skip, $limit, $project] })',
  collection: 'Conversation',
  command: 'aggregate',
  source: 'Prisma aggregateRaw sends the pipeline as written',
  build: (input) => {
    const ids = membershipIds(input);
    if (ids.length === 0) return undefined;
    const { ctx } = input;
    return {
      kind: 'aggregate',
      pipeline: [
        { $match: { _id: { $in: ids }, isActive: true, ...(ctx.filterType ? { type: ctx.filterType } : {}) } },
        { $sort: { lastMessageAt: -1 } },
        { $skip: ctx.offset },
        { $limit: ctx.limit },
        { $project: { title: 1, type: 1, identifier: 1, isActive: 1, createdAt: 1, lastMessageAt: 1, banner: 1, avatar: 1, communityId: 1 } },
      ],
    };
  },
};

const pageOf = (input: StepInput): ObjectId[] => (input.kept.get(page.step) ?? []).map((c) => c._id as ObjectId);

/**
 * 5 active members per conversation, the same 5 the application keeps: Prisma sends the
 * nested `members: { where: { isActive: true }, take: 5 }` with its implicit `$sort {_id: 1}`
 * and keeps the first 5 per conversation in memory (query_arguments.rs `finalize_arguments`,
 * inmemory_record_processor.rs), so the pick is the 5 lowest `_id`s. Here the server picks
 * them, one `$lookup` per page conversation ending in `$limit 5`: with
 * `idx_member_conv_active_id` {conversationId, isActive, _id} each reads 5 index keys,
 * however many members the conversation has.
 */
const members: RouteCommand = {
  step: 'conversation.aggregateRaw (5 members per conversation)',
  call: 'prisma.conversation.aggregateRaw({ pipeline: [$match {_id: {$in: page}}, $lookup {from: "ConversationMember", localField: "_id", foreignField: "conversationId", pipeline: [$match {isActive: true}, $sort {_id: 1}, $limit 5, $project], as: "members"}, $project {members: 1}] })',
  collection: 'Conversation',
  command: 'aggregate',
  source: 'Prisma aggregateRaw sends the pipeline as written; the pick is the application\'s (meeshy core.ts @aa13b652 members take 5; prisma-engines query_arguments.rs finalize_arguments: implicit _id order)',
  build: (input) => {
    const ids = pageOf(input);
    if (ids.length === 0) return undefined;
    return {
      kind: 'aggregate',
      pipeline: [
        { $match: { _id: { $in: ids } } },
        {
          $lookup: {
            from: 'ConversationMember',
            localField: '_id',
            foreignField: 'conversationId',
            pipeline: [{ $match: { isActive: true } }, { $sort: { _id: 1 } }, { $limit: 5 }, { $project: { userId: 1, role: 1, nickname: 1, joinedAt: 1 } }],
            as: 'members',
          },
        },
        { $project: { members: 1 } },
      ],
    };
  },
};

const preferences: RouteCommand = {
  step: 'userConversationPreferences.findMany',
  call: 'prisma.userConversationPreferences.findMany({ where: { userId, conversationId: { in: page } }, select: { conversationId, isPinned, isMuted, isArchived, isDeletedForUser } })',
  collection: 'UserConversationPreferences',
  command: 'aggregate',
  source: 'read_query_builder.rs @2ba551f3; filter.rs @2ba551f3',
  build: (input) => {
    const ids = pageOf(input);
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(and(equals('userId', input.ctx.userId), inList('conversationId', ids))), project(['conversationId', ...preferencesFields])] };
  },
};

const lastMessages: RouteCommand = {
  step: 'message.aggregateRaw (last per conversation)',
  call: 'prisma.message.aggregateRaw({ pipeline: [$match {conversationId: {$in: page}, isDeleted: false}, $sort {conversationId: 1, isDeleted: 1, createdAt: -1}, $group {_id: "$conversationId", message: {$first: {…}}}, $sort {_id: 1}] })',
  collection: 'Message',
  command: 'aggregate',
  source:
    'Prisma aggregateRaw sends the pipeline as written; $sort + $group $first on an index prefix becomes a DISTINCT_SCAN. The pick is total: a conversation\'s message times are distinct (seed/messages.ts Timeline), so the newest is the one the application keeps (meeshy core.ts @aa13b652 messages orderBy createdAt desc, take 1)',
  build: (input) => {
    const ids = pageOf(input);
    if (ids.length === 0) return undefined;
    return {
      kind: 'aggregate',
      pipeline: [
        { $match: { conversationId: { $in: ids }, isDeleted: false } },
        { $sort: { conversationId: 1, isDeleted: 1, createdAt: -1 } },
        { $group: { _id: '$conversationId', message: { $first: { _id: '$_id', ...Object.fromEntries(messageFields.map((f) => [f, `$${f}`])) } } } },
        // Groups leave in no defined order: sorted, so the ids sent next are the same on every machine.
        { $sort: { _id: 1 } },
      ],
    };
  },
};

const kept = (input: StepInput, step: string): readonly Document[] => input.kept.get(step) ?? [];

const senders: RouteCommand = {
  step: 'user.findMany (senders)',
  call: 'prisma.user.findMany({ where: { id: { in: senderIds } }, select: { id, username, displayName, avatar } })',
  collection: 'User',
  command: 'aggregate',
  source: 'read_query_builder.rs @2ba551f3; filter.rs @2ba551f3',
  build: (input) => {
    const ids = distinct<ObjectId>(kept(input, lastMessages.step).map((g) => g.message as Document), 'senderId');
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('_id', ids)), project(senderFields)] };
  },
};

const attachments: RouteCommand = {
  step: 'messageAttachment.findMany',
  call: "prisma.messageAttachment.findMany({ where: { messageId: { in: lastMessageIds } }, orderBy: { id: 'asc' }, select: { id, mimeType, thumbnailUrl, originalName, fileSize, messageId } }), the first per message kept",
  collection: 'MessageAttachment',
  command: 'aggregate',
  source: 'read_query_builder.rs @2ba551f3; filter.rs @2ba551f3',
  build: (input) => {
    const ids = kept(input, lastMessages.step).map((g) => (g.message as Document)._id as ObjectId);
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('messageId', ids)), { $sort: { _id: 1 } }, project([...attachmentFields, 'messageId'])] };
  },
  // The application shows the first attachment (take 1, `_id` order): the rewrite's code keeps the same one.
  clientSide: takePerParent(1, 'messageId', 'attachment'),
};

const users: RouteCommand = {
  step: 'user.findMany',
  call: 'prisma.user.findMany({ where: { id: { in: memberUserIds } }, select: { id, username, displayName, firstName, lastName, avatar, isOnline, lastActiveAt } })',
  collection: 'User',
  command: 'aggregate',
  source: 'read_query_builder.rs @2ba551f3; filter.rs @2ba551f3',
  build: (input) => {
    const ids = distinct<ObjectId>(kept(input, members.step).flatMap((g) => g.members as Document[]), 'userId');
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('_id', ids)), project(userFields)] };
  },
};

/** The unread counts are not part of the rewrite: the service's one read, as the application sends it (prisma.ts). */
const cursors: RouteCommand = { ...readCursors, build: (input) => readCursors.build({ ...input, kept: new Map([['conversation.findMany', input.kept.get(page.step) ?? []]]) }) };

const count: RouteCommand = {
  step: 'conversation.aggregateRaw (count by id)',
  call: 'prisma.conversation.aggregateRaw({ pipeline: [$match {_id: {$in: conversationIds}, isActive: true[, type]}, $count: "total"] })',
  collection: 'Conversation',
  command: 'aggregate',
  source: 'Prisma aggregateRaw sends the pipeline as written',
  build: (input) => {
    const ids = membershipIds(input);
    if (ids.length === 0 || input.ctx.offset !== 0) return undefined;
    const { ctx } = input;
    return { kind: 'aggregate', pipeline: [{ $match: { _id: { $in: ids }, isActive: true, ...(ctx.filterType ? { type: ctx.filterType } : {}) } }, { $count: 'total' }] };
  },
};

export const prismaRewriteRoute: RouteModel = {
  id: 'prisma-rewrite',
  title: 'the application rewritten: memberships first, per-conversation picks on the server',
  description:
    'A remedy by rewrite, measured on the same data: memberships through index #1, the page and the count by id with `$in`, 5 members and the last message per conversation picked by the server (aggregateRaw), no relation filter and no in-memory take.',
  phases: {
    conversationsQuery: [[memberships], [page], [members, preferences, lastMessages], [senders, attachments]],
    parallelQueries: [[users, cursors, count]],
  },
};
