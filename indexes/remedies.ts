import type { IndexSpec } from '../src/workload.js';

/**
 * Indexes proposed for what the six leave slow in the application's route, each by the
 * equality–sort–range rule; bench measures them (`remedies[]`) before anything recommends them.
 */
export const remedyIndexes: readonly IndexSpec[] = [
  {
    name: 'idx_member_conv_active_id',
    collection: 'ConversationMember',
    key: { conversationId: 1, isActive: 1, _id: 1 },
    priority: 'P0',
    purpose:
      "serves the relation filter's $lookup (conversationId = $$left_0) and the 5 members of each page conversation (conversationId, isActive: true, the lowest _ids: the application's pick) in 5 keys each",
  },
  {
    name: 'idx_attachment_message',
    collection: 'MessageAttachment',
    key: { messageId: 1 },
    priority: 'P1',
    purpose: 'serves the attachments of the kept messages (messageId in …); the application schema declares it (@@index([messageId]))',
  },
];
