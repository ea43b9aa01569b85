import type { Document, ObjectId } from 'mongodb';
import type { SeededCollection } from '../seed/collections.js';
import type { ConversationType } from '../seed/profiles.js';

/**
 * The queries `GET /api/v1/conversations?limit=15&offset=0[&type=group]` issues for one
 * user, as an optimised service issues them with the driver (one round trip per step).
 * Each is built from ids sampled from the data (the user, the page of conversations, the
 * members shown), so that explain() sees the selectivity the application sees.
 */

export const routePhases = ['conversationsQuery', 'parallelQueries'] as const;
export type RoutePhase = (typeof routePhases)[number];

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

export type PatternQuery =
  | { readonly kind: 'find'; readonly filter: Document; readonly projection?: Document; readonly sort?: Document; readonly skip?: number; readonly limit?: number }
  | {
      readonly kind: 'aggregate';
      /** Where the pipeline runs when it is not the pattern's collection (a $lookup into it). */
      readonly on?: SeededCollection;
      readonly pipeline: readonly Document[];
    };

export interface QueryPattern {
  readonly id: string;
  readonly title: string;
  /** The collection whose index serves the pattern (for a $lookup pattern: the joined one). */
  readonly collection: SeededCollection;
  readonly phase: RoutePhase;
  /** Gated patterns must meet the plan thresholds; the others are measured and reported. */
  readonly gated: boolean;
  /** The index(es) of the six meant to serve it (an index with the same key under another name counts). */
  readonly intendedIndexes: readonly string[];
  /** Said in the output when the six do not serve the pattern. */
  readonly note?: string;
  build(ctx: PatternContext): PatternQuery;
}

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
    build: (ctx) => ({ kind: 'find', filter: activeConversationOfUser(ctx), sort: { lastMessageAt: -1 }, skip: ctx.offset, limit: ctx.limit }),
  },
  {
    id: 'conversationsPageByType',
    title: 'the page filtered by type (&type=group)',
    collection: 'Conversation',
    phase: 'conversationsQuery',
    gated: true,
    intendedIndexes: ['idx_conversation_type_active_lastmsg'],
    build: (ctx) => ({ kind: 'find', filter: activeConversationOfUser(ctx, ctx.pageType), sort: { lastMessageAt: -1 }, skip: ctx.offset, limit: ctx.limit }),
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
        { $group: { _id: '$conversationId', members: { $firstN: { n: 5, input: { userId: '$userId', role: '$role', nickname: '$nickname' } } } } },
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
        { $lookup: { from: 'Conversation', localField: 'conversationId', foreignField: '_id', pipeline: [{ $match: { isActive: true, ...(ctx.filterType ? { type: ctx.filterType } : {}) } }, { $project: { _id: 1 } }], as: 'conversation' } },
        { $match: { 'conversation.0': { $exists: true } } },
        { $count: 'total' },
      ],
    }),
  },
] as const satisfies readonly QueryPattern[];

export type PatternId = (typeof patterns)[number]['id'];
export const patternIds: readonly PatternId[] = patterns.map((p) => p.id);
