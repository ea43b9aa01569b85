import type { RouteDefinition } from '../../src/route.js';
// The unread counts are the application's service, unchanged by the rewrite.
import { unreadCounts } from './list-conversations.js';

/**
 * A remedy by rewrite: GET /api/v1/conversations returning what the application's handler at
 * isopen-io/meeshy aa13b652 returns (the same page, the same 5 members and last message per
 * conversation, the same fields), written with Prisma calls whose commands an index can serve:
 * the memberships first (index #1), the page and the count by id with a plain `$in`, and the
 * per-conversation picks made by the server (`aggregateRaw`, sent as written). The unread
 * counts are the application's service, unchanged. Measured with the remedy indexes
 * (indexes/remedies.ts).
 *
 * Why `aggregateRaw` for the page: `conversation.findMany({ where: { id: { in } } })` is
 * rendered as an `$expr` `$or` of one `$eq` per id, and for a user in thousands of
 * conversations the planner took 0.9 s (the count 2.5 s) over 2,686 ids at medium; a plain
 * `$in` takes 4–25 ms for the same answer (measured here).
 */

const oid = (id: string) => ({ $oid: id });
const idOf = (doc: { _id: { $oid: string } }) => doc._id.$oid;

export default {
  id: 'prisma-rewrite',
  title: 'the application rewritten: memberships first, per-conversation picks on the server',
  source:
    'indexgate bench/routes/list-conversations-rewrite.ts: a rewrite of isopen-io/meeshy aa13b652 services/gateway/src/routes/conversations/core.ts (GET /conversations)',
  description:
    'A remedy by rewrite, measured on the same data: memberships through index #1, the page and the count by id with `$in`, 5 members and the last message per conversation picked by the server (aggregateRaw), no relation filter and no in-memory take.',
  params: { limit: 15, offset: 0, type: null, includeCount: false },
  async run({ prisma, user, params, phase }) {
    const limit = Math.min(Number(params.limit ?? 15), 50);
    const offset = Number(params.offset ?? 0);
    const type = params.type ? { type: params.type } : {};
    const userId = user.id;

    const { ids, page, members } = await phase('conversationsQuery', async () => {
      const memberships = await prisma.conversationMember.findMany({ where: { userId, isActive: true }, select: { conversationId: true } });
      const ids: string[] = [...new Set<string>(memberships.map((m: { conversationId: string }) => m.conversationId))];
      const page =
        ids.length === 0
          ? []
          : await prisma.conversation.aggregateRaw({
              pipeline: [
                { $match: { _id: { $in: ids.map(oid) }, isActive: true, ...type } },
                { $sort: { lastMessageAt: -1 } },
                { $skip: offset },
                { $limit: limit },
                {
                  $project: {
                    title: 1,
                    type: 1,
                    identifier: 1,
                    isActive: 1,
                    createdAt: 1,
                    lastMessageAt: 1,
                    banner: 1,
                    avatar: 1,
                    communityId: 1,
                  },
                },
              ],
              options: { comment: 'page by id' },
            });
      const pageIds: string[] = page.map(idOf);
      if (pageIds.length === 0) return { ids, page, members: [] };
      const [members, , lastMessages] = await Promise.all([
        // The application's 5 members: `take: 5` without orderBy is the 5 lowest ids (Prisma's implicit `_id` order), picked here by the server.
        prisma.conversation.aggregateRaw({
          pipeline: [
            { $match: { _id: { $in: pageIds.map(oid) } } },
            {
              $lookup: {
                from: 'ConversationMember',
                localField: '_id',
                foreignField: 'conversationId',
                pipeline: [
                  { $match: { isActive: true } },
                  { $sort: { _id: 1 } },
                  { $limit: 5 },
                  { $project: { userId: 1, role: 1, nickname: 1, joinedAt: 1, isActive: 1 } },
                ],
                as: 'members',
              },
            },
            { $project: { members: 1 } },
          ],
          options: { comment: '5 members per conversation' },
        }),
        prisma.userConversationPreferences.findMany({
          where: { userId, conversationId: { in: pageIds } },
          select: { conversationId: true, isPinned: true, isMuted: true, isArchived: true, isDeletedForUser: true },
        }),
        // The newest non-deleted message per conversation (its times are distinct: one answer), as the `$sort` + `$group $first` the index turns into a DISTINCT_SCAN.
        prisma.message.aggregateRaw({
          pipeline: [
            { $match: { conversationId: { $in: pageIds.map(oid) }, isDeleted: false } },
            { $sort: { conversationId: 1, isDeleted: 1, createdAt: -1 } },
            {
              $group: {
                _id: '$conversationId',
                message: { $first: { _id: '$_id', content: '$content', createdAt: '$createdAt', senderId: '$senderId' } },
              },
            },
          ],
          options: { comment: 'last per conversation' },
        }),
      ]);
      // Groups leave the server in no defined order: in page order, so that the ids sent next are the same on every machine.
      const byConversation = new Map(lastMessages.map((g: { _id: { $oid: string }; message: unknown }) => [g._id.$oid, g.message]));
      const messages = pageIds.flatMap((id) =>
        byConversation.has(id) ? [byConversation.get(id) as { _id: { $oid: string }; senderId?: { $oid: string } | null }] : [],
      );
      const senderIds = [
        ...new Set<string>(messages.flatMap((m: { senderId?: { $oid: string } | null }) => (m.senderId ? [m.senderId.$oid] : []))),
      ];
      await Promise.all([
        senderIds.length > 0
          ? prisma.user.findMany({
              where: { id: { in: senderIds } },
              select: { id: true, username: true, displayName: true, avatar: true },
            })
          : Promise.resolve([]),
        // The first attachment of each last message (the application's `take: 1`, in id order).
        prisma.messageAttachment
          .findMany({
            where: { messageId: { in: messages.map((m: { _id: { $oid: string } }) => m._id.$oid) } },
            orderBy: { id: 'asc' },
            select: { id: true, mimeType: true, thumbnailUrl: true, originalName: true, fileSize: true, messageId: true },
          })
          .then((all: { messageId: string }[]) => [...new Map(all.reverse().map((a) => [a.messageId, a])).values()]),
      ]);
      return { ids, page, members };
    });

    const memberUserIds = [
      ...new Set<string>(members.flatMap((g: { members: { userId: { $oid: string } }[] }) => g.members.map((m) => m.userId.$oid))),
    ];
    const pageIds: string[] = page.map(idOf);
    await phase('parallelQueries', () =>
      Promise.all([
        memberUserIds.length > 0
          ? prisma.user.findMany({
              where: { id: { in: memberUserIds } },
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
        unreadCounts(prisma, userId, pageIds),
        ids.length > 0 && (offset === 0 || params.includeCount === true)
          ? prisma.conversation.aggregateRaw({
              pipeline: [{ $match: { _id: { $in: ids.map(oid) }, isActive: true, ...type } }, { $count: 'total' }],
              options: { comment: 'count by id' },
            })
          : Promise.resolve([]),
      ]),
    );
  },
} satisfies RouteDefinition;
