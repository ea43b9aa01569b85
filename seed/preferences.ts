import type { Document, ObjectId } from 'mongodb';
import { collectionCodes, objectIdAt } from './ids.js';
import { hash32, type Rng } from './random.js';
import type { Membership } from './members.js';
import { dataShape } from './profiles.js';
import type { UserDirectory } from './users.js';

const tags = ['work', 'family', 'friends', 'important', 'later', 'sport', 'school', 'news'] as const;

/**
 * The `UserConversationPreferences` collection: a row only where the member changed
 * something (pinned, muted, archived, tagged, renamed), for a share of memberships.
 */
export function wantsPreferences(membership: Membership, rng: Rng, rate: number = dataShape.preferencesRate): boolean {
  return rng.chance(membership.isActive ? rate : rate / 3);
}

export function preferencesDocument(
  membership: Membership,
  conversationId: ObjectId,
  users: UserDirectory,
  sequence: number,
  rng: Rng,
): Document {
  const createdAt = Math.min(dataShape.epoch, membership.joinedAt + rng.int(30 * 86_400_000));
  const doc: Document = {
    _id: objectIdAt(createdAt, collectionCodes.UserConversationPreferences, sequence, rng.u32()),
    userId: users.id(membership.userIndex),
    conversationId,
    isPinned: rng.chance(0.06),
    isMuted: rng.chance(0.08),
    isArchived: rng.chance(0.04),
    isDeletedForUser: !membership.isActive && rng.chance(0.2),
    tags: rng.chance(0.2) ? [rng.pick(tags), ...(rng.chance(0.3) ? [rng.pick(tags)] : [])] : [],
  };
  if (rng.chance(0.1)) {
    // A user has up to four categories; ids are derived from the user so they repeat across rows.
    const category = rng.int(4);
    doc.categoryId = objectIdAt(
      users.createdAt[membership.userIndex] ?? 0,
      collectionCodes.Category,
      membership.userIndex * 4 + category,
      hash32(membership.userIndex, category),
    );
  }
  if (rng.chance(0.03)) doc.customName = `★ ${membership.userIndex.toString(36)}`;
  doc.createdAt = new Date(createdAt);
  doc.updatedAt = new Date(Math.min(dataShape.epoch, createdAt + rng.int(60 * 86_400_000)));
  return doc;
}
