import type { Document, ObjectId } from 'mongodb';
import { AliasSampler } from './alias.js';
import { collectionCodes, objectIdAt } from './ids.js';
import { Rng, streams } from './random.js';
import type { ConversationPlan, ConversationPlanner } from './conversations.js';
import { dataShape, type ScaleProfile } from './profiles.js';
import { powerUserIndexes, type UserDirectory } from './users.js';

export const memberRoles = ['admin', 'moderator', 'member'] as const;
export type MemberRole = (typeof memberRoles)[number];

/** One row of `ConversationMember` before it becomes a document. */
export interface Membership {
  readonly userIndex: number;
  readonly role: MemberRole;
  readonly joinedAt: number;
  readonly isActive: boolean;
  readonly leftAt: number | undefined;
  readonly nickname: string | undefined;
}

/**
 * Who is picked as a member of directs, groups and publics: log-normal popularity for
 * everyone, and for power users the weight that gives each their target number of
 * memberships (the route's heaviest case).
 */
export function memberSampler(seed: number, profile: ScaleProfile, planner: ConversationPlanner): AliasSampler {
  const weights = new Float64Array(profile.users);
  const power = powerUserIndexes(profile);
  const powerSet = new Set(power);
  let normalSum = 0;
  for (let i = 0; i < profile.users; i++) {
    if (powerSet.has(i)) continue;
    const w = Rng.for(seed, streams.userWeight, i).lognormal(1, dataShape.userWeightSigma);
    weights[i] = w;
    normalSum += w;
  }
  let slots = 0;
  for (let c = 0; c < planner.total; c++) {
    if (planner.typeOf(c) !== 'global') slots += planner.plan(c).memberTarget;
  }
  const fromGlobals = profile.conversations.global * dataShape.globalJoinRate;
  const [min, max] = profile.powerUsers.memberships;
  const targets = power.map((i) => Math.max(1, Rng.for(seed, streams.userWeight, i).range(min, max) - fromGlobals));
  const targetSum = targets.reduce((a, b) => a + b, 0);
  const share = Math.min(0.6, targetSum / Math.max(1, slots));
  const powerSum = (share / (1 - share)) * normalSum;
  power.forEach((i, k) => {
    weights[i] = ((targets[k] ?? 0) / targetSum) * powerSum;
  });
  return new AliasSampler(weights);
}

/** The members of one conversation, as user indexes (the first one created it). */
export function pickMembers(plan: ConversationPlan, sampler: AliasSampler, users: UserDirectory, rng: Rng): number[] {
  if (plan.type === 'global') {
    const chosen: number[] = [];
    for (let i = 0; i < users.size; i++) if (rng.chance(dataShape.globalJoinRate)) chosen.push(i);
    return chosen;
  }
  return sampler.sampleDistinct(rng, Math.min(plan.memberTarget, users.size));
}

export function buildMemberships(
  plan: ConversationPlan,
  userIndexes: readonly number[],
  createdAt: number,
  lastActivity: number,
  users: UserDirectory,
  rng: Rng,
): Membership[] {
  const leftRate = dataShape.leftRate[plan.type];
  return userIndexes.map((userIndex, k) => {
    const creator = k === 0;
    const role: MemberRole = plan.type === 'direct' ? 'member' : creator ? 'admin' : rng.chance(0.04) ? 'moderator' : 'member';
    const joinedLate = plan.type === 'direct' || creator ? 0 : rng.next() ** 2 * Math.max(0, lastActivity - createdAt) * 0.7;
    const joinedAt = Math.min(dataShape.epoch, Math.max(createdAt + joinedLate, (users.createdAt[userIndex] ?? 0) + 60_000));
    const left = !creator && rng.chance(leftRate);
    const leftAt = left ? joinedAt + Math.floor(rng.next() * Math.max(1, dataShape.epoch - joinedAt)) : undefined;
    const nickname = plan.type !== 'direct' && rng.chance(0.05) ? `nick${userIndex.toString(36)}` : undefined;
    return { userIndex, role, joinedAt: Math.floor(joinedAt), isActive: !left, leftAt, nickname };
  });
}

export function memberDocument(m: Membership, conversationId: ObjectId, users: UserDirectory, sequence: number, rng: Rng): Document {
  const doc: Document = {
    _id: objectIdAt(m.joinedAt, collectionCodes.ConversationMember, sequence, rng.u32()),
    conversationId,
    userId: users.id(m.userIndex),
    role: m.role,
  };
  if (m.nickname !== undefined) doc.nickname = m.nickname;
  doc.joinedAt = new Date(m.joinedAt);
  if (m.leftAt !== undefined) doc.leftAt = new Date(m.leftAt);
  doc.isActive = m.isActive;
  doc.canSendMessages = true;
  doc.notificationLevel = rng.chance(0.9) ? 'all' : 'mentions';
  return doc;
}
