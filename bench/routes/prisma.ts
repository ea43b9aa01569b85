import type { Document, ObjectId } from 'mongodb';
import { pageIds, type RouteCommand, type RouteModel, type StepInput } from '../../src/routes/model.js';
import { and, distinct, equals, inList, match, project, someCondition, someJoin, takePerParent, unreadFallback } from './prisma-shapes.js';

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
const conversationFields = ['title', 'type', 'identifier', 'isActive', 'createdAt', 'lastMessageAt', 'banner', 'avatar', 'communityId'];
const memberFields = ['userId', 'role', 'nickname', 'joinedAt', 'isActive'];
const preferencesFields = ['isPinned', 'isMuted', 'isArchived', 'isDeletedForUser'];
const messageFields = ['content', 'createdAt', 'senderId'];
const senderFields = ['username', 'displayName', 'avatar'];
const attachmentFields = ['mimeType', 'thumbnailUrl', 'originalName', 'fileSize'];
const userFields = ['username', 'displayName', 'firstName', 'lastName', 'avatar', 'isOnline', 'lastActiveAt'];
/** `conversationReadCursor.findMany` has no `select`: every scalar of the model. */
const cursorFields = ['conversationId', 'userId', 'lastReadMessageId', 'lastReadAt', 'unreadCount', 'version', 'updatedAt'];

/** The route's `where` on Conversation, in the key order of the application's object: members some, isActive, type. */
function conversationWhere(ctx: StepInput['ctx']): Document {
  return and(
    someCondition(membersRelation, and(equals('userId', ctx.userId, '$$elem.'), equals('isActive', true, '$$elem.'))),
    equals('isActive', true),
    ...(ctx.filterType ? [equals('type', ctx.filterType)] : []),
  );
}

const page = 'conversation.findMany';
const findMany = 'prisma.conversation.findMany({ where: { members: { some: { userId, isActive: true } }, isActive: true[, type] }, orderBy: { lastMessageAt: "desc" }, skip, take, select: { …, members, userPreferences, messages } })';

/**
 * Step 1, the page. No `$match` before the `$lookup`: a filter that needs a join becomes one
 * post-join `$match` with the root's own conditions in it (read_query_builder.rs @887e8378,
 * `MongoReadQueryBuilder::from_args`), so the `$lookup` runs for every Conversation. Then
 * `$sort`, `$skip` (sent even when 0), `$limit`, `$project` (`into_pipeline_stages`).
 */
const conversationPage: RouteCommand = {
  step: page,
  call: findMany,
  collection: 'Conversation',
  command: 'aggregate',
  source: 'mongodb-query-connector read_query_builder.rs @887e8378 from_args + into_pipeline_stages; filter.rs @bfb636ea visit_relation_filter/render_some; join.rs @92a3e161 JoinStage::build',
  build: ({ ctx }) => ({
    kind: 'aggregate',
    pipeline: [
      someJoin('ConversationMember', 'conversationId', membersRelation),
      match(conversationWhere(ctx)),
      { $sort: { lastMessageAt: -1 } },
      { $skip: ctx.offset },
      { $limit: ctx.limit },
      project(conversationFields),
    ],
  }),
};

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

const nestedSource = 'query-engine/core nested_read.rs one2m + inmemory_record_processor.rs; mongodb-query-connector filter.rs @bfb636ea (In → $or of $eq)';

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
  source: `${nestedSource}; orderby.rs @f3fa6ef8 OrderByBuilder::build`,
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
  source: 'mongodb-query-connector read_query_builder.rs @887e8378; filter.rs @bfb636ea (In → $or of $eq)',
  build: (input) => {
    const ids = distinct<ObjectId>(input.kept.get(members.step) ?? [], 'userId');
    if (ids.length === 0) return undefined;
    return { kind: 'aggregate', pipeline: [match(inList('_id', ids)), project(userFields)] };
  },
};

/** The page's conversations without a read cursor get their unread count by counting (the service's fallback). */
const unreadCounts = unreadFallback((input) => pageIds(input, page), 'conversationReadCursor.findMany');

const readCursors: RouteCommand = {
  step: 'conversationReadCursor.findMany',
  call: 'prisma.conversationReadCursor.findMany({ where: { userId, conversationId: { in: pageIds } } })',
  collection: 'ConversationReadCursor',
  command: 'aggregate',
  source: 'mongodb-query-connector read_query_builder.rs @887e8378; filter.rs @bfb636ea',
  build: (input) => {
    const parents = pageIds(input, page);
    if (parents.length === 0) return undefined;
    return {
      kind: 'aggregate',
      pipeline: [match(and(equals('userId', input.ctx.userId), inList('conversationId', parents))), project(cursorFields)],
    };
  },
  then: unreadCounts,
};

/** `conversation.count({ where })`: the client sends an aggregate with `_count._all`: the same join and `$match`, then `$group` (group_by_builder.rs @4f79d2bd). */
const count: RouteCommand = {
  step: 'conversation.count',
  call: 'prisma.conversation.count({ where })',
  collection: 'Conversation',
  command: 'aggregate',
  source: 'mongodb-query-connector root_queries/aggregate.rs @0a9267bf; query_builder/group_by_builder.rs @4f79d2bd GroupByBuilder::render',
  build: ({ ctx }) =>
    ctx.offset === 0 ? { kind: 'aggregate', pipeline: [someJoin('ConversationMember', 'conversationId', membersRelation), match(conversationWhere(ctx)), { $group: { _id: null, count_all: { $sum: 1 } } }] } : undefined,
};

export const prismaRoute: RouteModel = {
  id: 'prisma',
  title: 'the application as it runs (Prisma 6.19)',
  description:
    "The commands Prisma 6.19's MongoDB connector sends for the route's calls, read from prisma/prisma-engines: every read an aggregate with `$match: {$expr}`, the relation filter a `$lookup` from every Conversation, nested reads by parent ids with per-conversation `take` applied in memory.",
  // Nested reads run one after another, depth first, in the order of the selection (core read.rs `process_nested`).
  phases: {
    conversationsQuery: [[conversationPage], [members], [preferences], [messages], [sender], [attachments]],
    parallelQueries: [[users, readCursors, count]],
  },
};
