import type { RouteContext, RouteDefinition } from '../../src/route.js';

/**
 * MessageReadStatusService.markMessagesAsRead's write @aa13b652 (MessageReadStatusService.ts:255):
 * the user's cursor on the conversation upserted to the message read. Sending a message makes
 * the same call for the sender.
 */
export async function upsertReadCursor(
  prisma: RouteContext['prisma'],
  userId: string,
  conversationId: string,
  messageId: string,
): Promise<void> {
  const now = new Date();
  await prisma.conversationReadCursor.upsert({
    where: { conversationId_userId: { userId, conversationId } },
    create: {
      userId,
      conversationId,
      lastReadMessageId: messageId,
      lastReadAt: now,
      lastDeliveredMessageId: messageId,
      lastDeliveredAt: now,
      unreadCount: 0,
      version: 0,
    },
    update: { lastReadMessageId: messageId, lastReadAt: now, unreadCount: 0, version: { increment: 1 } },
  });
}

/**
 * Reading a conversation (the read cursor moves), as the application does it at
 * isopen-io/meeshy aa13b652: `POST /conversations/:id/read` (services/gateway/src/routes/
 * conversations/messages.ts:1238-1310), which the web client calls when a conversation is opened
 * and after each message it sends (apps/web/components/conversations/ConversationLayout.tsx:477-492).
 * In order:
 *
 * 1. messages.ts:1284 `conversationMember.findFirst({ where: { conversationId, userId, isActive: true } })`
 *    (skipped for the id "meeshy"; the route passes the conversation's id, and an id needs no
 *    read to resolve, messages.ts:32-35)
 * 2. messages.ts:1300 → MessageReadStatusService.getUnreadCount (services/gateway/src/services/
 *    MessageReadStatusService.ts:80-109): :86 `conversationReadCursor.findUnique({ where:
 *    { conversation_user_cursor: { userId, conversationId } } })` (the seeded schema's
 *    `@@unique([conversationId, userId])` has no name: `conversationId_userId`); for a user
 *    without a cursor, :98 `message.count({ where: { conversationId, isDeleted: false, senderId: { not: userId } } })`
 * 3. messages.ts:1303 → markMessagesAsRead (MessageReadStatusService.ts:224-305): without a
 *    message id, :246 the newest non-deleted message of the conversation, then :255 the user's
 *    cursor upserted.
 *
 * Left out: the 2 s in-process dedup (a first read is never deduplicated),
 * `notification.updateMany` (MessageReadStatusService.ts:287 → NotificationService.ts:1314), whose
 * collection indexgate's data model does not hold, and the auth middleware's reads, common to
 * every REST request.
 */
export default {
  id: 'mark-read',
  title: 'reading a conversation (POST /conversations/:id/read: the read cursor moves)',
  source:
    'isopen-io/meeshy aa13b652 services/gateway/src/routes/conversations/messages.ts POST /conversations/:id/read; services/gateway/src/services/MessageReadStatusService.ts getUnreadCount, markMessagesAsRead',
  description:
    "The user's active membership, the unread count (the user's read cursor, or counting the others' messages when there is none), the newest non-deleted message of the conversation (findFirst by createdAt desc), then the user's read cursor upserted on (conversationId, userId).",
  writes: true,
  async run({ prisma, user, membership }) {
    const conversationId = String(membership?.conversationId);
    const userId = user.id;
    // messages.ts:1284: the handler answers 403 without one.
    const member = await prisma.conversationMember.findFirst({ where: { conversationId, userId, isActive: true } });
    if (!member) throw new Error(`user ${userId} is not an active member of ${conversationId}`);
    // MessageReadStatusService.ts:86 (getUnreadCount, via messages.ts:1300).
    const cursor = await prisma.conversationReadCursor.findUnique({
      where: { conversationId_userId: { userId, conversationId } },
    });
    // MessageReadStatusService.ts:98: only for a user without a cursor.
    if (!cursor) {
      await prisma.message.count({ where: { conversationId, isDeleted: false, senderId: { not: userId } } });
    }
    // MessageReadStatusService.ts:246 (markMessagesAsRead, via messages.ts:1303).
    const latest = await prisma.message.findFirst({
      where: { conversationId, isDeleted: false },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    if (!latest) return;
    await upsertReadCursor(prisma, userId, conversationId, latest.id);
  },
} satisfies RouteDefinition;
