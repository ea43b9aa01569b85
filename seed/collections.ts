/**
 * The collections the application stores, named as its Prisma models: one module, with
 * nothing else in it, so that code low in the engine can name them without importing the
 * generators.
 */
export const seededCollections = [
  'User',
  'Conversation',
  'ConversationMember',
  'Message',
  'ConversationReadCursor',
  'UserConversationPreferences',
  'MessageAttachment',
] as const;
export type SeededCollection = (typeof seededCollections)[number];
