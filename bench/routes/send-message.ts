import type { RouteContext, RouteDefinition } from '../../src/route.js';
import { upsertReadCursor } from './mark-read.js';

/**
 * Sending a message, as the application's main path makes its database calls at
 * isopen-io/meeshy aa13b652 (gateway 1.0.43, Prisma ^6.19.2): the Socket.IO `message:send`
 * handler (services/gateway/src/socketio/MeeshySocketIOManager.ts:233-345) →
 * MessagingService.handleMessage (services/gateway/src/services/messaging/MessagingService.ts),
 * up to the acknowledgement the sender waits for. In order:
 *
 * 1. MessageValidator.ts:102 `conversation.findUnique({ where: { id }, select: { type, identifier } })`
 * 2. MessageValidator.ts:236 `conversationMember.findFirst({ where: { conversationId, userId, isActive: true } })`
 * 3. MessageValidator.ts:249 `conversation.findUnique({ where: { id }, select: { type } })`
 * 4. MessageProcessor.ts:323 `message.create({ data, include: { sender, attachments, replyTo } })`
 * 5. MessagingService.ts:215 `conversation.update({ where: { id }, data: { lastMessageAt: new Date() } })`
 * 6. MessageReadStatusService.ts:255 `conversationReadCursor.upsert(…)` for the sender
 *    (its `conversation_user_cursor` unique is `@@unique([conversationId, userId])`)
 *
 * Left out, because indexgate's data model does not hold their collections: the encryption
 * read (MessageProcessor.ts:188, a third conversation read with fields the model lacks), the
 * `anonymousSender` includes, and `notification.updateMany` (NotificationService.ts:1314).
 * Conditional steps (links, mentions) are not taken: a plain text message. The writes that
 * cost index entries are all here: the message, the conversation's `lastMessageAt` (which
 * two of the six index) and the sender's read cursor (which #4 indexes).
 */
export async function sendMessage(ctx: RouteContext): Promise<void> {
  const { prisma, user, membership, params } = ctx;
  const conversationId = String(membership?.conversationId);
  const conversation = await prisma.conversation.findUnique({ where: { id: conversationId }, select: { type: true, identifier: true } });
  if (!conversation) throw new Error(`conversation ${conversationId} not found`);
  if (conversation.type !== 'global') {
    const member = await prisma.conversationMember.findFirst({ where: { conversationId, userId: user.id, isActive: true } });
    if (!member) throw new Error(`user ${user.id} is not an active member of ${conversationId}`);
  }
  await prisma.conversation.findUnique({ where: { id: conversationId }, select: { type: true } });
  const message = await prisma.message.create({
    data: {
      conversationId,
      senderId: user.id,
      content: String(params.content),
      originalLanguage: 'fr',
      messageType: 'text',
    },
    include: {
      sender: { select: { id: true, username: true, displayName: true, avatar: true, role: true, isOnline: true } },
      attachments: {
        select: {
          id: true,
          messageId: true,
          fileName: true,
          originalName: true,
          mimeType: true,
          fileSize: true,
          fileUrl: true,
          thumbnailUrl: true,
          width: true,
          height: true,
          duration: true,
          uploadedBy: true,
          createdAt: true,
        },
      },
      replyTo: { include: { sender: { select: { id: true, username: true, displayName: true, avatar: true } } } },
    },
  });
  await prisma.conversation.update({ where: { id: conversationId }, data: { lastMessageAt: new Date() } });
  await upsertReadCursor(prisma, user.id, conversationId, message.id);
}

export default {
  id: 'send-message',
  title: 'sending a message (Socket.IO message:send, up to the acknowledgement)',
  source:
    'isopen-io/meeshy aa13b652 services/gateway/src/services/messaging/MessagingService.ts handleMessage; MessageValidator.ts; MessageProcessor.ts; MessageReadStatusService.ts markMessagesAsRead',
  description:
    "The sender's path to the acknowledgement: three reads (the conversation twice, the membership), the message inserted and read back with its includes, the conversation's lastMessageAt moved, the sender's read cursor upserted.",
  params: { content: 'Bonjour à tous, la réunion est décalée à 15 h.' },
  writes: true,
  run: sendMessage,
} satisfies RouteDefinition;
