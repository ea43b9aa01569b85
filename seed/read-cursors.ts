import type { Document, ObjectId } from 'mongodb';
import { collectionCodes, objectIdAt } from './ids.js';
import type { Rng } from './random.js';
import type { Membership } from './members.js';
import { dataShape } from './profiles.js';
import type { UserDirectory } from './users.js';

/** A member's read cursor before its message is known: how many non-deleted messages they have not read. */
export interface CursorPlan {
  readonly member: number;
  readonly unread: number;
}

/**
 * The `ConversationReadCursor` collection: active members who opened the conversation
 * have a cursor; most have read everything, the others are a geometric number of
 * messages behind. `unreadCount` is exactly the number of non-deleted messages after
 * `lastReadAt` (all of them when the member never read one).
 */
export function planCursors(
  memberships: readonly Membership[],
  nonDeleted: number,
  rng: Rng,
  readCursorRate: number = dataShape.readCursorRate,
): CursorPlan[] {
  const plans: CursorPlan[] = [];
  memberships.forEach((m, member) => {
    if (!m.isActive || !rng.chance(readCursorRate)) return;
    const behind = rng.chance(dataShape.fullyReadRate) ? 0 : 1 + rng.geometric(1 / dataShape.meanUnreadWhenBehind);
    plans.push({ member, unread: Math.min(behind, nonDeleted) });
  });
  return plans;
}

/** Which cursors point at the k-th non-deleted message (oldest first): filled while messages stream by. */
export function cursorTargets(plans: readonly CursorPlan[], nonDeleted: number): Map<number, number[]> {
  const targets = new Map<number, number[]>();
  plans.forEach((plan, i) => {
    const ordinal = nonDeleted - plan.unread - 1;
    if (ordinal < 0) return;
    const list = targets.get(ordinal);
    if (list) list.push(i);
    else targets.set(ordinal, [i]);
  });
  return targets;
}

export interface LastRead {
  readonly id: ObjectId;
  readonly at: number;
}

export function cursorDocument(
  plan: CursorPlan,
  membership: Membership,
  conversationId: ObjectId,
  lastRead: LastRead | undefined,
  users: UserDirectory,
  sequence: number,
  rng: Rng,
): Document {
  const updatedAt = Math.max(lastRead?.at ?? membership.joinedAt, membership.joinedAt);
  return {
    _id: objectIdAt(updatedAt, collectionCodes.ConversationReadCursor, sequence, rng.u32()),
    conversationId,
    userId: users.id(membership.userIndex),
    lastReadMessageId: lastRead?.id ?? null,
    lastReadAt: lastRead ? new Date(lastRead.at) : null,
    unreadCount: plan.unread,
    version: rng.range(1, 60),
    updatedAt: new Date(updatedAt),
  };
}
