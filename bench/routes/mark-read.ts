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
 * isopen-io/meeshy aa13b652: `POST /conversations/:id/read`, which the web client calls when a
 * conversation is opened and after each message it sends (apps/web/components/conversations/
 * ConversationLayout.tsx:477-492), → MessageReadStatusService.markMessagesAsRead
 * (services/gateway/src/services/MessageReadStatusService.ts:222-305): without a message id,
 * the newest non-deleted message of the conversation, then the user's cursor upserted.
 * Left out: the 2 s in-process dedup (a first read is never deduplicated) and
 * `notification.updateMany`, whose collection indexgate's data model does not hold.
 */
export default {
  id: 'mark-read',
  title: 'reading a conversation (POST /conversations/:id/read: the read cursor moves)',
  source: 'isopen-io/meeshy aa13b652 services/gateway/src/services/MessageReadStatusService.ts markMessagesAsRead',
  description:
    "The newest non-deleted message of the conversation (findFirst by createdAt desc), then the user's read cursor upserted on (conversationId, userId).",
  writes: true,
  async run({ prisma, user, membership }) {
    const conversationId = String(membership?.conversationId);
    const latest = await prisma.message.findFirst({
      where: { conversationId, isDeleted: false },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    if (!latest) return;
    await upsertReadCursor(prisma, user.id, conversationId, latest.id);
  },
} satisfies RouteDefinition;
