import type { IndexSpec } from '../src/workload.js';

/**
 * The six compound indexes of the runbook's step 4 (`mongodb-add-conversation-indexes.js`),
 * with the priority and the impact the runbook expects of each.
 */
export const runbookIndexes: readonly IndexSpec[] = [
  {
    name: 'idx_member_user_active_conv',
    collection: 'ConversationMember',
    key: { userId: 1, isActive: 1, conversationId: 1 },
    priority: 'P0',
    expectedImpact: '-50% on conversationsQuery',
    purpose: "the user's active memberships (and the count)",
  },
  {
    name: 'idx_message_conv_notdeleted_created',
    collection: 'Message',
    key: { conversationId: 1, isDeleted: 1, createdAt: -1 },
    priority: 'P0',
    expectedImpact: '-40% on the last-message lookup',
    purpose: 'the newest non-deleted message of each conversation',
  },
  {
    name: 'idx_conversation_active_lastmsg',
    collection: 'Conversation',
    key: { isActive: 1, lastMessageAt: -1 },
    priority: 'P1',
    expectedImpact: '-20% on the sort',
    purpose: 'the page of conversations sorted by lastMessageAt',
  },
  {
    name: 'idx_cursor_user_conv',
    collection: 'ConversationReadCursor',
    key: { userId: 1, conversationId: 1 },
    priority: 'P1',
    expectedImpact: '-50% on unreadCounts',
    purpose: "the user's read cursors for the page",
  },
  {
    name: 'idx_userprefs_user_conv',
    collection: 'UserConversationPreferences',
    key: { userId: 1, conversationId: 1 },
    priority: 'P1',
    expectedImpact: '-30% on the preferences lookup',
    purpose: "the user's preferences for the page",
  },
  {
    name: 'idx_conversation_type_active_lastmsg',
    collection: 'Conversation',
    key: { type: 1, isActive: 1, lastMessageAt: -1 },
    priority: 'P2',
    expectedImpact: '-10% with a type filter',
    purpose: 'the page of conversations filtered by type',
  },
];
