import type { IndexSpec } from '../src/workload.js';

/**
 * The indexes the application's Prisma schema declares: what `prisma db push` creates,
 * and so what a staging database restored from production may already carry (the
 * `--baseline prisma` state). Prisma names them Model_field_idx, unique ones Model_field_key.
 */
export const prismaIndexes: readonly IndexSpec[] = [
  { name: 'Conversation_identifier_key', collection: 'Conversation', key: { identifier: 1 }, unique: true },
  { name: 'Conversation_type_idx', collection: 'Conversation', key: { type: 1 } },
  { name: 'Conversation_isActive_idx', collection: 'Conversation', key: { isActive: 1 } },
  { name: 'Conversation_lastMessageAt_idx', collection: 'Conversation', key: { lastMessageAt: 1 } },

  {
    name: 'ConversationMember_conversationId_userId_key',
    collection: 'ConversationMember',
    key: { conversationId: 1, userId: 1 },
    unique: true,
  },
  { name: 'ConversationMember_conversationId_idx', collection: 'ConversationMember', key: { conversationId: 1 } },
  { name: 'ConversationMember_userId_idx', collection: 'ConversationMember', key: { userId: 1 } },
  { name: 'ConversationMember_userId_isActive_idx', collection: 'ConversationMember', key: { userId: 1, isActive: 1 } },

  { name: 'Message_conversationId_idx', collection: 'Message', key: { conversationId: 1 } },
  { name: 'Message_conversationId_isDeleted_createdAt_idx', collection: 'Message', key: { conversationId: 1, isDeleted: 1, createdAt: 1 } },
  { name: 'Message_senderId_idx', collection: 'Message', key: { senderId: 1 } },
  { name: 'Message_messageSource_idx', collection: 'Message', key: { messageSource: 1 } },
  { name: 'Message_createdAt_idx', collection: 'Message', key: { createdAt: 1 } },

  {
    name: 'ConversationReadCursor_conversationId_userId_key',
    collection: 'ConversationReadCursor',
    key: { conversationId: 1, userId: 1 },
    unique: true,
  },
  { name: 'ConversationReadCursor_userId_idx', collection: 'ConversationReadCursor', key: { userId: 1 } },
  { name: 'ConversationReadCursor_unreadCount_idx', collection: 'ConversationReadCursor', key: { unreadCount: 1 } },

  {
    name: 'UserConversationPreferences_userId_conversationId_key',
    collection: 'UserConversationPreferences',
    key: { userId: 1, conversationId: 1 },
    unique: true,
  },
  { name: 'UserConversationPreferences_userId_idx', collection: 'UserConversationPreferences', key: { userId: 1 } },
  { name: 'UserConversationPreferences_conversationId_idx', collection: 'UserConversationPreferences', key: { conversationId: 1 } },

  { name: 'User_username_key', collection: 'User', key: { username: 1 }, unique: true },
  { name: 'User_email_key', collection: 'User', key: { email: 1 }, unique: true },

  // Not in workload.md's list (written before MessageAttachment was modelled): the application's schema declares
  // @@index([messageId]) and @@index([uploadedBy]) on MessageAttachment (isopen-io/meeshy packages/shared/prisma/schema.prisma @6abc04ce).
  { name: 'MessageAttachment_messageId_idx', collection: 'MessageAttachment', key: { messageId: 1 } },
  { name: 'MessageAttachment_uploadedBy_idx', collection: 'MessageAttachment', key: { uploadedBy: 1 } },
];
