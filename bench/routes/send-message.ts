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
 * 7. MessagingService.ts:116 → :226 → message-translation/MessageTranslationService.ts:160
 *    `message.findFirst({ where: { id } })`: handleNewMessage is given the saved message's id, so
 *    it takes the "retranslation" branch and awaits this read before it returns; the
 *    translations themselves (MessageTranslationService.ts:180, `setImmediate`) run after the
 *    acknowledgement and are left out
 * 8. on a stats cache miss only (param `statsCacheMiss`, below): MessagingService.ts:119 → :261
 *    → ConversationStatsService.ts:84 → :67 computeStats: :142 `conversation.findFirst({ where: { id } })`,
 *    :158 `message.groupBy({ by: ['originalLanguage'], where: { conversationId, isDeleted: false }, _count: { _all: true } })`,
 *    :183 `conversationMember.findMany({ where: { conversationId, isActive: true }, select: { user: { select: { id, systemLanguage } } } })`;
 *    the online users (:202, and :93 on a hit) make no call: MessagingService passes no connected
 *    users (`() => []`, MessagingService.ts:265), so computeOnlineUsers returns at :218. The
 *    handler's `.catch(() => [])` on the last two is not written: here an error is the run's
 *    limit, which must end the call. On a hit the stats are updated in memory (:88-99): no call.
 *    The reads without a `select` (7, and the conversation in 8) return every scalar of the seeded
 *    schema's model, which holds fewer fields than the application's: their projection is shorter.
 *
 * `statsCacheMiss` (a share in [0, 1], default 0): whether the stats refresh misses its cache.
 * The cache is in the gateway's memory, per process, keyed by the conversation, with a 1 h TTL
 * (ConversationStatsService.ts:28-31) that every message refreshes (:96-99). Whether a message
 * misses depends on its conversation, so the rule is decided by the conversation: a call misses
 * when a hash (FNV-1a) of its conversation's id, as a fraction of 2^32, is below the share. It is
 * deterministic and the same on both sides (bench calls the same memberships before and after
 * the set); 0 and 1 are exact, a share between applies over the sampled memberships' conversations
 * only approximately (a few of them). The default 0 stands for production because the sender's
 * client joins the conversation's room when it opens it (apps/web/services/socketio/
 * connection.service.ts:485 → MeeshySocketIOManager.ts:787-798, `getOrCompute`), which fills the
 * entry, and each message sent refreshes it: a send misses only after an hour with no message and
 * no join on that gateway process, after a restart, or where the join used the identifier rather
 * than the id (another key). Not observed: `--route-param statsCacheMiss=1` measures every send
 * as a miss (the groupBy reads the conversation's messages).
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
  // MessageTranslationService.ts:160 (via MessagingService.ts:116, :226): awaited before handleNewMessage returns.
  await prisma.message.findFirst({ where: { id: message.id } });
  if (statsCacheMisses(conversationId, Number(params.statsCacheMiss))) {
    // ConversationStatsService.ts:142, computeStats on a miss (via MessagingService.ts:119, :261; :84, :67).
    await prisma.conversation.findFirst({ where: { id: conversationId } });
    // ConversationStatsService.ts:158 (the handler's `.catch(() => [])` left out: an error here is the run's limit).
    await prisma.message.groupBy({
      by: ['originalLanguage'],
      where: { conversationId, isDeleted: false },
      _count: { _all: true },
    });
    // ConversationStatsService.ts:183 (the same `.catch` left out).
    await prisma.conversationMember.findMany({
      where: { conversationId, isActive: true },
      select: { user: { select: { id: true, systemLanguage: true } } },
    });
  }
}

/** Whether a call misses the stats cache: FNV-1a of the conversation's id, as a fraction of 2^32, below the share. */
export function statsCacheMisses(conversationId: string, share: number): boolean {
  if (!(share > 0)) return false;
  if (share >= 1) return true;
  let hash = 0x811c9dc5;
  for (let i = 0; i < conversationId.length; i++) {
    hash ^= conversationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32 < share;
}

export default {
  id: 'send-message',
  title: 'sending a message (Socket.IO message:send, up to the acknowledgement)',
  source:
    'isopen-io/meeshy aa13b652 services/gateway/src/services/messaging/MessagingService.ts handleMessage; MessageValidator.ts; MessageProcessor.ts; MessageReadStatusService.ts markMessagesAsRead; MessageTranslationService.ts handleNewMessage; ConversationStatsService.ts updateOnNewMessage',
  description:
    "The sender's path to the acknowledgement: three reads (the conversation twice, the membership), the message inserted and read back with its includes, the conversation's lastMessageAt moved, the sender's read cursor upserted, the message read again by the translation service, and on a stats cache miss (statsCacheMiss, default 0) the conversation, its messages grouped by language and its members.",
  params: { content: 'Bonjour à tous, la réunion est décalée à 15 h.', statsCacheMiss: 0 },
  writes: true,
  run: sendMessage,
} satisfies RouteDefinition;
