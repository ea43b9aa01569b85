import type { Document, ObjectId } from 'mongodb';
import type { QueryPattern as EngineQueryPattern, RunPattern as EngineRunPattern } from '../src/workload.js';
import type { ConversationType } from '../seed/profiles.js';

/**
 * The queries `GET /api/v1/conversations?limit=15&offset=0[&type=group]` issues for one
 * user, as an optimised service issues them with the driver (one round trip per step).
 * Each is built from ids sampled from the data (the user, the page of conversations, the
 * members shown), so that explain() sees the selectivity the application sees.
 */

/** Real ids from the target's data for one user: what the route has in hand at each step. */
export interface PatternContext {
  readonly userId: ObjectId;
  /** Conversation ids of the user's active memberships (step 1's result). */
  readonly membershipIds: readonly ObjectId[];
  /** The page: up to `limit` active conversations, newest lastMessageAt first. */
  readonly pageIds: readonly ObjectId[];
  /** The type of the filtered page pattern (`&type=`). */
  readonly pageType: ConversationType;
  /** Set when the route itself is called with `&type=`: the count is filtered too. */
  readonly filterType: ConversationType | undefined;
  /** Distinct users among the members shown on the page. */
  readonly memberUserIds: readonly ObjectId[];
  readonly limit: number;
  readonly offset: number;
}

/** A query pattern of this workload: built from the ids of `PatternContext`. */
export type QueryPattern = EngineQueryPattern<PatternContext>;

/** The page size the route uses by default (max 50). */
export const defaultPageSize = 15;
export const defaultPageType: ConversationType = 'group';

const activeConversationOfUser = (ctx: PatternContext, type?: ConversationType): Document => ({
  _id: { $in: [...ctx.membershipIds] },
  isActive: true,
  ...(type ? { type } : {}),
});

export const patterns = [
  {
    id: 'memberships',
    title: "the user's active memberships",
    collection: 'ConversationMember',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_member_user_active_conv'],
    build: (ctx) => ({ kind: 'find', filter: { userId: ctx.userId, isActive: true }, projection: { _id: 0, conversationId: 1 } }),
  },
  {
    id: 'conversationsPage',
    title: 'the page of conversations (lastMessageAt desc, limit 15)',
    collection: 'Conversation',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_conversation_active_lastmsg'],
    build: (ctx) => ({
      kind: 'find',
      filter: activeConversationOfUser(ctx),
      sort: { lastMessageAt: -1 },
      skip: ctx.offset,
      limit: ctx.limit,
    }),
  },
  {
    id: 'conversationsPageByType',
    title: 'the page filtered by type (&type=group)',
    collection: 'Conversation',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_conversation_type_active_lastmsg'],
    build: (ctx) => ({
      kind: 'find',
      filter: activeConversationOfUser(ctx, ctx.pageType),
      sort: { lastMessageAt: -1 },
      skip: ctx.offset,
      limit: ctx.limit,
    }),
  },
  {
    id: 'lastMessage',
    title: 'the last non-deleted message of each conversation on the page',
    collection: 'Message',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_message_conv_notdeleted_created'],
    // Per conversation: newest non-deleted, take 1 — one round trip for the page, joined on the server.
    build: (ctx) => ({
      kind: 'aggregate',
      on: 'Conversation',
      pipeline: [
        { $match: { _id: { $in: [...ctx.pageIds] } } },
        {
          $lookup: {
            from: 'Message',
            localField: '_id',
            foreignField: 'conversationId',
            pipeline: [{ $match: { isDeleted: false } }, { $sort: { createdAt: -1 } }, { $limit: 1 }],
            as: 'lastMessage',
          },
        },
        { $project: { lastMessage: 1 } },
      ],
    }),
  },
  {
    id: 'pageMembers',
    title: 'up to 5 active members of each conversation on the page',
    collection: 'ConversationMember',
    phase: 'conversationsQuery',
    gated: false,
    intendedIndexes: [],
    note: 'none of the six starts with conversationId on ConversationMember: only the Prisma indexes (ConversationMember_conversationId_userId_key, ConversationMember_conversationId_idx) serve it',
    build: (ctx) => ({
      kind: 'aggregate',
      pipeline: [
        { $match: { conversationId: { $in: [...ctx.pageIds] }, isActive: true } },
        { $sort: { conversationId: 1, _id: 1 } },
        {
          $group: {
            _id: '$conversationId',
            members: { $firstN: { n: 5, input: { userId: '$userId', role: '$role', nickname: '$nickname' } } },
          },
        },
      ],
    }),
  },
  {
    id: 'preferences',
    title: "the user's preferences for the page",
    collection: 'UserConversationPreferences',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_userprefs_user_conv'],
    build: (ctx) => ({ kind: 'find', filter: { userId: ctx.userId, conversationId: { $in: [...ctx.pageIds] } } }),
  },
  {
    id: 'memberUsers',
    title: 'the users shown as members',
    collection: 'User',
    phase: 'parallelQueries',
    gated: false,
    intendedIndexes: [],
    note: 'served by the _id index in every state: none of the six is meant for it',
    build: (ctx) => ({
      kind: 'find',
      filter: { _id: { $in: [...ctx.memberUserIds] } },
      projection: { username: 1, displayName: 1, firstName: 1, lastName: 1, avatar: 1, isOnline: 1, lastActiveAt: 1 },
    }),
  },
  {
    id: 'readCursors',
    title: "the user's read cursors for the page (unread counts)",
    collection: 'ConversationReadCursor',
    phase: 'parallelQueries',
    gated: true,
    intendedIndexes: ['idx_cursor_user_conv'],
    build: (ctx) => ({
      kind: 'find',
      filter: { userId: ctx.userId, conversationId: { $in: [...ctx.pageIds] } },
      projection: { _id: 0, conversationId: 1, unreadCount: 1 },
    }),
  },
  {
    id: 'conversationsCount',
    title: "the total of the user's active conversations",
    collection: 'ConversationMember',
    phase: 'parallelQueries',
    gated: true,
    intendedIndexes: ['idx_member_user_active_conv'],
    build: (ctx) => ({
      kind: 'aggregate',
      pipeline: [
        { $match: { userId: ctx.userId, isActive: true } },
        {
          $lookup: {
            from: 'Conversation',
            localField: 'conversationId',
            foreignField: '_id',
            pipeline: [{ $match: { isActive: true, ...(ctx.filterType ? { type: ctx.filterType } : {}) } }, { $project: { _id: 1 } }],
            as: 'conversation',
          },
        },
        { $match: { 'conversation.0': { $exists: true } } },
        { $count: 'total' },
      ],
    }),
  },
] as const satisfies readonly QueryPattern[];

export type PatternId = (typeof patterns)[number]['id'];
export const patternIds: readonly PatternId[] = patterns.map((p) => p.id);

/**
 * The ids the patterns are built from, for one user: the route's first steps as the driver
 * sends them (memberships, the page, the members shown), cheap in every state.
 */
export interface PatternRequest {
  readonly userId: ObjectId;
  readonly limit?: number;
  readonly offset?: number;
  /** `&type=`: filter the page (and the count) by conversation type. */
  readonly type?: PatternContext['pageType'] | undefined;
}

/** Runs one pattern and returns its documents; the bench and verify pass the driver, tests may pass fakes. */
export type RunPattern = EngineRunPattern<PatternContext>;

const byId = new Map<string, QueryPattern>(patterns.map((p) => [p.id, p]));
export function pattern(id: PatternId): QueryPattern {
  const found = byId.get(id);
  if (!found) throw new Error(`unknown pattern ${id}`);
  return found;
}

function initialContext(request: PatternRequest): PatternContext {
  return {
    userId: request.userId,
    membershipIds: [],
    pageIds: [],
    pageType: request.type ?? defaultPageType,
    filterType: request.type,
    memberUserIds: [],
    limit: Math.min(request.limit ?? defaultPageSize, 50),
    offset: request.offset ?? 0,
  };
}

const withMemberships = (ctx: PatternContext, docs: Document[]): PatternContext => ({
  ...ctx,
  membershipIds: docs.map((m) => m.conversationId as ObjectId),
});
const withPage = (ctx: PatternContext, docs: Document[]): PatternContext => ({ ...ctx, pageIds: docs.map((c) => c._id as ObjectId) });

function withMembers(ctx: PatternContext, groups: Document[]): PatternContext {
  const users = new Map<string, ObjectId>();
  for (const group of groups)
    for (const m of (group.members as Array<{ userId: ObjectId }>) ?? []) users.set(m.userId.toHexString(), m.userId);
  return { ...ctx, memberUserIds: [...users.values()] };
}

const pagePattern = (request: PatternRequest) => pattern(request.type ? 'conversationsPageByType' : 'conversationsPage');

/** The ids the route works on for a user, without the route's other reads (cheap in every state). */
export async function patternContext(run: RunPattern, request: PatternRequest): Promise<{ context: PatternContext; pageSize: number }> {
  let ctx = initialContext(request);
  ctx = withMemberships(ctx, await run(pattern('memberships'), ctx));
  const page = await run(pagePattern(request), ctx);
  ctx = withPage(ctx, page);
  ctx = withMembers(ctx, await run(pattern('pageMembers'), ctx));
  return { context: ctx, pageSize: page.length };
}
