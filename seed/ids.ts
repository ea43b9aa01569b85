export { objectIdAt } from '../src/data/ids.js';

/** One code per collection, so that sequences never collide across collections. */
export const collectionCodes = {
  User: 0x11,
  Conversation: 0x12,
  ConversationMember: 0x13,
  Message: 0x14,
  ConversationReadCursor: 0x15,
  UserConversationPreferences: 0x16,
  Community: 0x17,
  Category: 0x18,
  MessageAttachment: 0x19,
} as const;
