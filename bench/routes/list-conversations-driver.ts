import type { RouteDefinition } from '../../src/route.js';

/**
 * GET /api/v1/conversations as an optimised service sends it with the MongoDB driver: one
 * round trip per step, each the query pattern of bench/patterns.ts with the same name (the
 * `comment` each command carries, as services tag their queries, names its step):
 * memberships, then the page, then the page's last messages, members and preferences at once
 * (phase `conversationsQuery`); then the members' users, the read cursors and the total
 * count at once (phase `parallelQueries`). The model of what the six indexes were designed
 * for: not the application's code (that is bench/routes/list-conversations.ts).
 */

type Doc = Record<string, unknown>;

export default {
  id: 'driver',
  title: 'an optimised service (driver)',
  source:
    "indexgate's model of the route's queries with the driver (bench/patterns.ts): the workload of the six indexes, not the application's code",
  description:
    'What an optimised service sends with the driver: one query per step, memberships first, the page by id, the per-conversation picks joined on the server.',
  params: { limit: 15, offset: 0 },
  async run({ db, user, params, phase, ObjectId }) {
    const limit = Math.min(Number(params.limit ?? 15), 50);
    const offset = Number(params.offset ?? 0);
    const userId = new ObjectId(user.id);

    const { pageIds, memberUserIds } = await phase('conversationsQuery', async () => {
      const memberships = await db
        .collection('ConversationMember')
        .find({ userId, isActive: true }, { projection: { _id: 0, conversationId: 1 }, comment: 'memberships' })
        .toArray();
      const membershipIds = memberships.map((m: Doc) => m.conversationId);
      const page = await db
        .collection('Conversation')
        .find(
          { _id: { $in: membershipIds }, isActive: true },
          { sort: { lastMessageAt: -1 }, ...(offset ? { skip: offset } : {}), limit, comment: 'conversationsPage' },
        )
        .toArray();
      const pageIds = page.map((c: Doc) => c._id);
      const [, groups] = await Promise.all([
        db
          .collection('Conversation')
          .aggregate(
            [
              { $match: { _id: { $in: pageIds } } },
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
            { comment: 'lastMessage' },
          )
          .toArray(),
        db
          .collection('ConversationMember')
          .aggregate(
            [
              { $match: { conversationId: { $in: pageIds }, isActive: true } },
              { $sort: { conversationId: 1, _id: 1 } },
              {
                $group: {
                  _id: '$conversationId',
                  members: { $firstN: { n: 5, input: { userId: '$userId', role: '$role', nickname: '$nickname' } } },
                },
              },
            ],
            { comment: 'pageMembers' },
          )
          .toArray(),
        db
          .collection('UserConversationPreferences')
          .find({ userId, conversationId: { $in: pageIds } }, { comment: 'preferences' })
          .toArray(),
      ]);
      const users = new Map<string, unknown>();
      for (const group of groups)
        for (const m of (group.members as { userId: { toHexString(): string } }[]) ?? []) users.set(m.userId.toHexString(), m.userId);
      return { pageIds, memberUserIds: [...users.values()] };
    });

    await phase('parallelQueries', () =>
      Promise.all([
        db
          .collection('User')
          .find(
            { _id: { $in: memberUserIds } },
            {
              projection: { username: 1, displayName: 1, firstName: 1, lastName: 1, avatar: 1, isOnline: 1, lastActiveAt: 1 },
              comment: 'memberUsers',
            },
          )
          .toArray(),
        db
          .collection('ConversationReadCursor')
          .find(
            { userId, conversationId: { $in: pageIds } },
            { projection: { _id: 0, conversationId: 1, unreadCount: 1 }, comment: 'readCursors' },
          )
          .toArray(),
        ...(offset === 0
          ? [
              db
                .collection('ConversationMember')
                .aggregate(
                  [
                    { $match: { userId, isActive: true } },
                    {
                      $lookup: {
                        from: 'Conversation',
                        localField: 'conversationId',
                        foreignField: '_id',
                        pipeline: [{ $match: { isActive: true } }, { $project: { _id: 1 } }],
                        as: 'conversation',
                      },
                    },
                    { $match: { 'conversation.0': { $exists: true } } },
                    { $count: 'total' },
                  ],
                  { comment: 'conversationsCount' },
                )
                .toArray(),
            ]
          : []),
      ]),
    );
  },
} satisfies RouteDefinition;
