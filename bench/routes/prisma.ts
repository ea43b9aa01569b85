import type { Document, ObjectId } from 'mongodb';
import { pageIds, type RouteCommand, type RouteModel, type StepInput } from '../../src/routes/model.js';
import { and, distinct, equals, inList, match, project, someCondition, someJoin, takePerParent } from './prisma-shapes.js';

/**
 * The route as the application sends it: `GET /api/v1/conversations` written with Prisma 6.19
 * on MongoDB. Step 1 is one `prisma.conversation.findMany` with a relation filter and nested
 * selections; step 2 runs `user.findMany`, `conversationReadCursor.findMany` and
 * `conversation.count` together. Each command below is the aggregate Prisma's query engine
 * sends for it (prisma/prisma-engines, mongodb-query-connector and query-engine/core; files
 * and commits beside each one), with the work Prisma's engine does in memory afterwards.
 */

/** The relation filter's join name: the implicit relation `ConversationToConversationMember` (value.rs: `rf.relation().name()`). */
const membersRelation = 'ConversationToConversationMember';

/**
 * The scalars the route selects, from the application's handler (isopen-io/meeshy
 * services/gateway/src/routes/conversations/core.ts @aa13b652, gateway 1.0.43, the runbook's
 * version); Prisma projects the id first, then these, then the link field a nested read needs.
 */
export const conversationFields = ['title', 'type', 'identifier', 'isActive', 'createdAt', 'lastMessageAt', 'banner', 'avatar', 'communityId'];
export const memberFields = ['userId', 'role', 'nickname', 'joinedAt', 'isActive'];
export const preferencesFields = ['isPinned', 'isMuted', 'isArchived', 'isDeletedForUser'];
export const messageFields = ['content', 'createdAt', 'senderId'];
export const senderFields = ['username', 'displayName', 'avatar'];
export const attachmentFields = ['mimeType', 'thumbnailUrl', 'originalName', 'fileSize'];
export const userFields = ['username', 'displayName', 'firstName', 'lastName', 'avatar', 'isOnline', 'lastActiveAt'];
/**
 * `conversationReadCursor.findMany` has no `select`: every scalar of the model, in the order
 * of the application's schema at @aa13b652 (packages/shared/prisma/schema.prisma,
 * `model ConversationReadCursor`), the id first.
 */
const cursorFields = ['conversationId', 'userId', 'anonymousId', 'lastReadMessageId', 'lastReadAt', 'lastDeliveredMessageId', 'lastDeliveredAt', 'unreadCount', 'version', 'updatedAt'];

/**
 * Options of the handler at @aa13b652 that change the commands: `includeCount=true` (the count
 * is sent when `offset === 0` or `includeCount`), and `withUserId` (direct conversations shared
 * with another user: the `where` becomes `{ isActive, [type], AND: [members some U, members some W] }`,
 * core.ts @aa13b652 lines 171–182). Off by default, as the runbook's route is called.
 */
export interface PrismaRouteOptions {
  readonly includeCount?: boolean;
  readonly withUserId?: ObjectId;
}

const activeMember = (userId: ObjectId): Document =>
  someCondition(membersRelation, and(equals('userId', userId, '$$elem.'), equals('isActive', true, '$$elem.')));

/**
 * The route's `where` on Conversation, in the key order of the application's object, which
 * Prisma keeps (the JSON protocol's `IndexMap`; core extractors/filters/mod.rs @2ba551f3
 * `extract_filter`, nested ANDs flattened by `fold_filter`): `members` some, `isActive`, `type`;
 * with `withUserId`, `isActive`, `type`, then the two `some` of the `AND` (the handler deletes
 * `members` and adds `AND` last).
 */
function conversationWhere(ctx: StepInput['ctx'], options: PrismaRouteOptions): Document {
  const type = ctx.filterType ? [equals('type', ctx.filterType)] : [];
  if (options.withUserId) return and(equals('isActive', true), ...type, activeMember(ctx.userId), activeMember(options.withUserId));
  return and(activeMember(ctx.userId), equals('isActive', true), ...type);
}

/** One `$lookup` per relation filter: two filters on `members` join it twice, under the same name (filter.rs @2ba551f3 `fold_nested`: "we should really only join each relation once"). */
const joins = (options: PrismaRouteOptions): Document[] =>
  Array.from({ length: options.withUserId ? 2 : 1 }, () => someJoin('ConversationMember', 'conversationId', membersRelation));

const page = 'conversation.findMany';
const findMany = 'prisma.conversation.findMany({ where: { members: { some: { userId, isActive: true } }, isActive: true[, type] }, orderBy: { lastMessageAt: "desc" }, skip, take, select: { …, members, userPreferences, messages } })';

/**
 * Step 1, the page. No `$match` before the `$lookup`: a filter that needs a join becomes one
 * post-join `$match` with the root's own conditions in it (read_query_builder.rs @2ba551f3,
 * `MongoReadQueryBuilder::from_args`), so the `$lookup` runs for every Conversation. Then
 * `$sort`, `$skip` (sent even when 0), `$limit`, `$project` (`into_pipeline_stages`).
 */
const conversationPage = (options: PrismaRouteOptions): RouteCommand => ({
  step: page,
  call: findMany,
  collection: 'Conversation',
  command: 'aggregate',
  source: 'mongodb-query-connector read_query_builder.rs @2ba551f3 from_args + into_pipeline_stages; filter.rs @2ba551f3 visit_relation_filter/render_some; join.rs @2ba551f3 JoinStage::build',
  build: ({ ctx }) => ({
    kind: 'aggregate',
    pipeline: [
      ...joins(options),
      match(conversationWhere(ctx, options)),
      { $sort: { lastMessageAt: -1 } },
      { $skip: ctx.offset },
      { $limit: ctx.limit },
      project(conversationFields),
    ],
  }),
});

/**
 * A nested to-many read (nested_read.rs `one2m`): the parents' ids as an `in` list ANDed after
 * the nested `where`; with more than one parent, `take`/`skip` are not sent and are applied in
 * memory (`InMemoryRecordProcessor`, prisma/orm #13865); `orderBy` is still sent, and `take`
 * without `orderBy` adds an implicit `$sort {_id: 1}` (query_arguments.rs `finalize_arguments`).
 */
function nested(parents: readonly ObjectId[], where: Document[], link: string, sort: Document, take: number, fields: readonly string[]): Document[] {
  const onePage = parents.length === 1;
  return [match(and(...where, inList(link, parents))), { $sort: sort }, ...(onePage ? [{ $limit: take }] : []), project([...fields, link])];
}

const nestedSource = 'query-engine/core nested_read.rs one2m + inmemory_record_processor.rs; mongodb-query-connector filter.rs @2ba551f3 (In → $or of $eq)';

const members: RouteCommand = {
  step: `${page} › members`,
  call: 'members: { where: { isActive: true }, take: 5 }',
  collection: 'ConversationMember',
  command: 'aggregate',
  source: nestedSource,
  build: (input) => {
    const parents = pageIds(input, page);
    if (parents.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: nested(parents, [equals('isActive', true)], 'conversationId', { _id: 1 }, 5, memberFields) };
  },
  clientSide: takePerParent(5, 'conversationId', 'members'),
};

const preferences: RouteCommand = {
  step: `${page} › userPreferences`,
  call: 'userPreferences: { where: { userId }, take: 1 }',
  collection: 'UserConversationPreferences',
  command: 'aggregate',
  source: nestedSource,
  build: (input) => {
    const parents = pageIds(input, page);
    if (parents.length === 0) return undefined;
    return {
      kind: 'aggregate',
      pipeline: nested(parents, [equals('userId', input.ctx.userId)], 'conversationId', { _id: 1 }, 1, preferencesFields),
    };
  },
  clientSide: takePerParent(1, 'conversationId', 'preferences row'),
};

const messages: RouteCommand = {
  step: `${page} › messages`,
  call: "messages: { where: { isDeleted: false }, orderBy: { createdAt: 'desc' }, take: 1, select: { …, sender, attachments } }",
  collection: 'Message',
  command: 'aggregate',
  source: `${nestedSource}; orderby.rs @2ba551f3 OrderByBuilder::build`,
  build: (input) => {
    const parents = pageIds(input, page);
    if (parents.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: nested(parents, [equals('isDeleted', false)], 'conversationId', { createdAt: -1 }, 1, messageFields) };
  },
  clientSide: takePerParent(1, 'conversationId', 'message'),
};

/** The kept messages (one per conversation) are the parents of sender and attachments. */
const keptMessages = (input: StepInput) => input.kept.get(messages.step) ?? [];

const sender: RouteCommand = {
  step: `${page} › messages › sender`,
  call: 'sender: { select: { … } }',
  collection: 'User',
  command: 'aggregate',
  source: 'query-engine/core nested_read.rs (to-one: parent link senderId, child link _id, no args: no $sort, no $limit)',
  build: (input) => {
    const ids = distinct<ObjectId>(keptMessages(input), 'senderId');
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('_id', ids)), project(senderFields)] };
  },
};

const attachments: RouteCommand = {
  step: `${page} › messages › attachments`,
  call: 'attachments: { take: 1 }',
  collection: 'MessageAttachment',
  command: 'aggregate',
  source: nestedSource,
  build: (input) => {
    const parents = keptMessages(input).map((m) => m._id as ObjectId);
    if (parents.length === 0) return undefined;
    return {
      kind: 'aggregate',
      pipeline: nested(parents, [], 'messageId', { _id: 1 }, 1, attachmentFields),
    };
  },
  clientSide: takePerParent(1, 'messageId', 'attachment'),
};

/** Step 2: `user.findMany({ where: { id: { in } } })` for the members shown (read_query_builder.rs: `$match $expr` + `$project`, no sort). */
const users: RouteCommand = {
  step: 'user.findMany',
  call: 'prisma.user.findMany({ where: { id: { in: memberUserIds } } })',
  collection: 'User',
  command: 'aggregate',
  source: 'mongodb-query-connector read_query_builder.rs @2ba551f3; filter.rs @2ba551f3 (In → $or of $eq)',
  build: (input) => {
    const ids = distinct<ObjectId>(input.kept.get(members.step) ?? [], 'userId');
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('_id', ids)), project(userFields)] };
  },
};

/**
 * Unread counts (meeshy services/gateway/src/services/MessageReadStatusService.ts @aa13b652,
 * `getUnreadCountsForConversations`): exactly one `conversationReadCursor.findMany`, every
 * scalar, and 0 for a conversation without a cursor. It is sent even for an empty page (an
 * empty `in`: `$or: []`, false). Its per-conversation `message.count` fallback was removed on
 * 2026-01-16 (d39650885), before the runbook's commit: not part of this route.
 */
export const readCursors: RouteCommand = {
  step: 'conversationReadCursor.findMany',
  call: 'readStatusService.getUnreadCountsForConversations: prisma.conversationReadCursor.findMany({ where: { userId, conversationId: { in: pageIds } } })',
  collection: 'ConversationReadCursor',
  command: 'aggregate',
  source: 'meeshy MessageReadStatusService.ts @aa13b652 getUnreadCountsForConversations; mongodb-query-connector read_query_builder.rs @2ba551f3; filter.rs @2ba551f3 (In → $or of $eq)',
  build: (input) => ({
    kind: 'aggregate',
    pipeline: [match(and(equals('userId', input.ctx.userId), inList('conversationId', pageIds(input, page)))), project(cursorFields)],
  }),
};

/**
 * `conversation.count({ where })`, sent when `offset === 0` or `includeCount` (core.ts @aa13b652):
 * the client turns it into an aggregate with `_count._all` (client aggregates/count.ts): the
 * same joins and `$match`, then `$group` (root_queries/aggregate.rs, group_by_builder.rs @2ba551f3).
 */
const count = (options: PrismaRouteOptions): RouteCommand => ({
  step: 'conversation.count',
  call: 'prisma.conversation.count({ where })',
  collection: 'Conversation',
  command: 'aggregate',
  source: 'meeshy core.ts @aa13b652 (includeCount || offset === 0); mongodb-query-connector root_queries/aggregate.rs, query_builder/group_by_builder.rs @2ba551f3 GroupByBuilder::render',
  build: ({ ctx }) =>
    ctx.offset === 0 || options.includeCount
      ? { kind: 'aggregate', pipeline: [...joins(options), match(conversationWhere(ctx, options)), { $group: { _id: null, count_all: { $sum: 1 } } }] }
      : undefined,
});

/** The route as the application at @aa13b652 sends it, with the handler's options. */
export function prismaRouteModel(options: PrismaRouteOptions = {}): RouteModel {
  return {
    id: 'prisma',
    title: 'the application as it runs (Prisma 6.19)',
    description:
      "The commands Prisma 6.19's MongoDB connector sends for the route's calls at isopen-io/meeshy aa13b652, read from prisma/prisma-engines: every read an aggregate with `$match: {$expr}`, the relation filter a `$lookup` from every Conversation, nested reads by parent ids with per-conversation `take` applied in memory.",
    // Nested reads run one after another, depth first, in the order of the selection (core read.rs `process_nested`).
    phases: {
      conversationsQuery: [[conversationPage(options)], [members], [preferences], [messages], [sender], [attachments]],
      parallelQueries: [[users, readCursors, count(options)]],
    },
  };
}

export const prismaRoute: RouteModel = prismaRouteModel();
