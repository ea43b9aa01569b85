import type { RouteDefinition } from '../../src/route.js';

/**
 * Joining a conversation, as the application does it at isopen-io/meeshy aa13b652 (gateway
 * 1.0.43, Prisma ^6.19.2): `POST /api/v1/conversations/join/:linkId`
 * (services/gateway/src/routes/conversations/sharing.ts:576-745), the authenticated join by a
 * share link. It is the path by which a user joins a conversation they are not in: the web
 * client's `/join/:linkId` page calls it (apps/web/hooks/use-conversation-join.ts:138), and
 * every share link the app hands out (the links page, a conversation's links, the link
 * created, the redirect after sign-in) leads there. The other paths that create a membership
 * are an admin's act on someone else (`/conversations/:id/invite`, sharing.ts:890;
 * `/conversations/:id/participants`, participants.ts:421, no web caller), a new conversation
 * (`POST /conversations`, core.ts:644, a nested create with the conversation), or once per
 * sign-up (the global conversation, AuthService.ts:629). In order:
 *
 * 1. sharing.ts:624 `conversationShareLink.findFirst({ where: { linkId }, include: { conversation: true } })`:
 *    the share link's own read is left out (its collection is not modelled); its include is
 *    Prisma's second read, the conversation by the link's `conversationId` (nested_read.rs
 *    `one2m` with one parent: `_id` in [id], every scalar), sent here as the same
 *    `conversation.findMany({ where: { id: { in: [id] } } })`
 * 2. sharing.ts:653 `conversationMember.findFirst({ where: { conversationId, userId } })` (no
 *    `isActive`: a member who left is answered "already a member")
 * 3. sharing.ts:668 `conversationMember.create({ data: { conversationId, userId, role: MemberRole.MEMBER, joinedAt } })`
 *    (`MemberRole.MEMBER` is 'member', packages/shared/types/role-types.ts:107)
 * 4. sharing.ts:678 `conversationShareLink.update(currentUses +1)`: left out (not modelled)
 * 5. the notifications, awaited before the reply (the gateway sets `notificationService`,
 *    server.ts:688): sharing.ts:688 `user.findUnique` (username, displayName, avatar); the
 *    joiner's notification (NotificationService.ts:805 → :390 `notificationPreference.findUnique`,
 *    :511 `notification.create`: left out, not modelled); sharing.ts:710
 *    `conversationMember.findMany` of the admins and creators, as written (`role: { in: ['ADMIN',
 *    'CREATOR'] }`, upper case where the roles are stored lower case: it finds none, so the
 *    per-admin notifications of sharing.ts:721 are not sent)
 *
 * Left out too: the auth middleware's reads and throttled `lastActiveAt` update, common to
 * every REST request (middleware/auth.ts:171-218), as for mark-read. The join writes no
 * `memberCount`, no read cursor and no preferences row (the notes of §3: none is written on
 * any join path). The only write to the modelled collections is the membership's insert: its
 * `_id` key, and #1 `idx_member_user_active_conv` of the six.
 *
 * The target: the first active group or public conversation (by `_id`) in which the user has
 * no membership row at all, so that the handler's check finds none and the create is made.
 */
export default {
  id: 'join-conversation',
  title: 'joining a conversation (POST /conversations/join/:linkId: a membership inserted)',
  source: 'isopen-io/meeshy aa13b652 services/gateway/src/routes/conversations/sharing.ts POST /conversations/join/:linkId',
  description:
    "The share link's conversation (its include's read), the user's existing membership (none), the membership inserted and read back, then the joiner's user and the conversation's admins read for the notifications.",
  writes: true,
  async target({ db, user, ObjectId }) {
    const userId = new ObjectId(user.id);
    const rows = await db.collection('ConversationMember').distinct('conversationId', { userId });
    return db
      .collection('Conversation')
      .findOne({ type: { $in: ['group', 'public'] }, isActive: true, _id: { $nin: rows } }, { sort: { _id: 1 } });
  },
  async run({ prisma, user, target }) {
    const conversationId = String(target?._id);
    const [conversation] = await prisma.conversation.findMany({ where: { id: { in: [conversationId] } } });
    if (!conversation) throw new Error(`conversation ${conversationId} not found`);
    const existing = await prisma.conversationMember.findFirst({ where: { conversationId, userId: user.id } });
    // The handler answers "already a member" and writes nothing; the target is chosen so that this never happens.
    if (existing) throw new Error(`user ${user.id} already has a membership in ${conversationId}: nothing to join`);
    await prisma.conversationMember.create({ data: { conversationId, userId: user.id, role: 'member', joinedAt: new Date() } });
    await prisma.user.findUnique({ where: { id: user.id }, select: { username: true, displayName: true, avatar: true } });
    await prisma.conversationMember.findMany({
      where: { conversationId, role: { in: ['ADMIN', 'CREATOR'] }, isActive: true, userId: { not: user.id } },
      select: { userId: true },
    });
  },
} satisfies RouteDefinition;
