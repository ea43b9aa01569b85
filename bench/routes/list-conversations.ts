import type { RouteContext, RouteDefinition } from '../../src/route.js';

/**
 * GET /api/v1/conversations as the application's handler writes it at isopen-io/meeshy
 * aa13b652 (2026-01-26, gateway 1.0.43, Prisma ^6.19.2: the runbook's version):
 * services/gateway/src/routes/conversations/core.ts, the `fastify.get('/conversations', …)`
 * handler, and the unread counts of services/gateway/src/services/MessageReadStatusService.ts
 * `getUnreadCountsForConversations` at the same commit. The calls below are the handler's,
 * argument for argument; indexgate's Prisma client renders each into the commands Prisma
 * 6.19's MongoDB connector sends.
 *
 * Not part of it: the in-memory conversation-list cache added a few hours later (8648d671a,
 * disabled on 2026-02-06 by 3c39d4094), which answered offset-0 requests without the database.
 */

/** MessageReadStatusService.getUnreadCountsForConversations @aa13b652: one read of the cursors, 0 for a conversation without one. */
export async function unreadCounts(
  prisma: RouteContext['prisma'],
  userId: string,
  conversationIds: string[],
): Promise<Map<string, number>> {
  const cursors = await prisma.conversationReadCursor.findMany({
    where: {
      userId,
      conversationId: { in: conversationIds },
    },
  });
  const counts = new Map<string, number>();
  for (const id of conversationIds) counts.set(id, 0);
  for (const cursor of cursors) counts.set(cursor.conversationId, cursor.unreadCount);
  return counts;
}

export default {
  id: 'prisma',
  title: 'the application as it runs (Prisma 6.19)',
  source:
    'isopen-io/meeshy aa13b652 services/gateway/src/routes/conversations/core.ts (GET /conversations); services/gateway/src/services/MessageReadStatusService.ts getUnreadCountsForConversations',
  description:
    "The handler's own Prisma calls, rendered as Prisma 6.19's MongoDB connector sends them: every read an aggregate with `$match: {$expr}`, the relation filter a `$lookup` from every Conversation, nested reads by parent ids with per-conversation `take` applied in memory.",
  params: { limit: 15, offset: 0, type: null, includeCount: false, withUserId: null },
  async run({ prisma, user, params, phase }) {
    const limit = Math.min(Number(params.limit ?? 15), 50);
    const offset = Number(params.offset ?? 0);
    const includeCount = params.includeCount === true;
    const typeFilter = params.type;
    const withUserId = params.withUserId;
    const userId = user.id;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const whereClause: any = {
      members: {
        some: {
          userId: userId,
          isActive: true,
        },
      },
      isActive: true,
    };
    if (typeFilter) whereClause.type = typeFilter;
    if (withUserId) {
      whereClause.members = {
        every: {
          OR: [
            { userId: userId, isActive: true },
            { userId: withUserId, isActive: true },
          ],
        },
      };
      whereClause.AND = [
        { members: { some: { userId: userId, isActive: true } } },
        { members: { some: { userId: withUserId, isActive: true } } },
      ];
      delete whereClause.members;
    }

    const conversations = await phase('conversationsQuery', () =>
      prisma.conversation.findMany({
        where: whereClause,
        skip: offset,
        take: limit,
        select: {
          id: true,
          title: true,
          type: true,
          identifier: true,
          isActive: true,
          createdAt: true,
          lastMessageAt: true,
          banner: true,
          avatar: true,
          communityId: true,
          members: {
            take: 5,
            where: { isActive: true },
            select: { id: true, userId: true, role: true, nickname: true, joinedAt: true, isActive: true },
          },
          userPreferences: {
            where: { userId: userId },
            take: 1,
            select: { isPinned: true, isMuted: true, isArchived: true, isDeletedForUser: true },
          },
          messages: {
            where: { isDeleted: false },
            orderBy: { createdAt: 'desc' },
            take: 1,
            select: {
              id: true,
              content: true,
              createdAt: true,
              senderId: true,
              sender: { select: { id: true, username: true, displayName: true, avatar: true } },
              attachments: { take: 1, select: { id: true, mimeType: true, thumbnailUrl: true, originalName: true, fileSize: true } },
            },
          },
        },
        orderBy: { lastMessageAt: 'desc' },
      }),
    );

    const conversationIds: string[] = conversations.map((c: { id: string }) => c.id);
    const allMemberUserIds = new Set<string>();
    for (const conv of conversations) for (const member of conv.members) allMemberUserIds.add(member.userId);

    await phase('parallelQueries', () =>
      Promise.all([
        allMemberUserIds.size > 0
          ? prisma.user.findMany({
              where: { id: { in: Array.from(allMemberUserIds) } },
              select: {
                id: true,
                username: true,
                displayName: true,
                firstName: true,
                lastName: true,
                avatar: true,
                isOnline: true,
                lastActiveAt: true,
              },
            })
          : Promise.resolve([]),
        unreadCounts(prisma, userId, conversationIds),
        includeCount || offset === 0 ? prisma.conversation.count({ where: whereClause }) : Promise.resolve(0),
      ]),
    );
  },
} satisfies RouteDefinition;
