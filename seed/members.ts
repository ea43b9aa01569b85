import type { Document, ObjectId } from 'mongodb';
import { AliasSampler } from '../src/data/alias.js';
import { collectionCodes, objectIdAt } from './ids.js';
import { Rng, streams } from './random.js';
import type { ConversationPlan, ConversationPlanner } from './conversations.js';
import { dataShape, type FittedShape, type ScaleProfile, sharesOf } from './profiles.js';
import { stratifiedDraws } from '../src/data/quantiles.js';
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

/** Who the members of each conversation are. */
export interface MemberSource {
  /** The members of one conversation, as user indexes (the first one created it). */
  members(plan: ConversationPlan, rng: Rng): number[];
}

/** The built-in scales: members drawn by popularity (`memberSampler`). */
export class SampledMembers implements MemberSource {
  constructor(
    private readonly sampler: AliasSampler,
    private readonly users: UserDirectory,
  ) {}

  members(plan: ConversationPlan, rng: Rng): number[] {
    return pickMembers(plan, this.sampler, this.users, rng);
  }
}

/**
 * Fitted to a profile: members dealt so that each user has exactly a drawn number of
 * memberships (a configuration model). Each user gets a draw of the profile's memberships
 * per user (evenly spaced ranks, dealt in a seeded order; the power users take the profile's
 * top counts), scaled to the conversations' seats; the users' seats are shuffled and dealt to
 * the conversations, largest first, a seat whose user already sits in the conversation being
 * swapped with a random later one. Drawing members by popularity instead would add a
 * Poisson spread to every user's count: at `small`, the median user's 6 memberships became 7.
 */
export class DealtMembers implements MemberSource {
  private readonly offset: Float64Array;
  private readonly count: Int32Array;
  private readonly seats: Int32Array;

  constructor(seed: number, profile: ScaleProfile, fitted: FittedShape, planner: ConversationPlanner) {
    const n = profile.users;
    const sizes = new Int32Array(planner.total);
    let total = 0;
    for (let c = 0; c < planner.total; c++) {
      sizes[c] = Math.min(n, planner.plan(c).memberTarget);
      total += sizes[c] ?? 0;
    }
    const targets = fittedTargets(seed, profile, fitted, total);
    this.seats = new Int32Array(total);
    let at = 0;
    for (let u = 0; u < n; u++) for (let k = 0; k < (targets[u] ?? 0); k++) this.seats[at++] = u;
    const rng = Rng.for(seed, streams.fitted, 201);
    rng.shuffle(this.seats);
    const order = Array.from({ length: planner.total }, (_, c) => c).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);
    this.offset = new Float64Array(planner.total);
    this.count = new Int32Array(planner.total);
    const seatedIn = new Int32Array(n).fill(-1);
    at = 0;
    for (const c of order) {
      this.offset[c] = at;
      const size = sizes[c] ?? 0;
      let got = 0;
      for (let j = 0; j < size && at < total; j++) {
        if (seatedIn[this.seats[at] ?? 0] === c) {
          // Swap in a later seat whose user is not in this conversation yet; give the seat up if none is found.
          let found = false;
          for (let tries = 0; tries < 64 && at + 1 < total; tries++) {
            const k = at + 1 + rng.int(total - at - 1);
            if (seatedIn[this.seats[k] ?? 0] !== c) {
              const swap = this.seats[k] as number;
              this.seats[k] = this.seats[at] as number;
              this.seats[at] = swap;
              found = true;
              break;
            }
          }
          if (!found) continue;
        }
        // Seats are taken in order (a seat given up is not taken): this conversation's members are seats[offset, offset + got).
        seatedIn[this.seats[at] ?? 0] = c;
        got++;
        at++;
      }
      this.count[c] = got;
    }
  }

  members(plan: ConversationPlan): number[] {
    const start = this.offset[plan.index] ?? 0;
    return Array.from(this.seats.subarray(start, start + (this.count[plan.index] ?? 0)));
  }
}

/** Each user's number of memberships: the profile's draws in a seeded order, the top counts on the power users, scaled to `seats` in all. */
function fittedTargets(seed: number, profile: ScaleProfile, fitted: FittedShape, seats: number): Int32Array {
  const n = profile.users;
  const power = powerUserIndexes(profile);
  const powerSet = new Set(power);
  // The power users' counts are known exactly: the others are the lower ranks, at or below the
  // largest other top user, and carry the rest of the memberships.
  const top = fitted.topMemberships.slice(0, power.length);
  const rest = stratifiedDraws(fitted.memberships, n, {
    take: n - power.length,
    ceiling: fitted.tailCeiling,
    total: (fitted.memberships.sum / Math.max(1, fitted.memberships.n)) * n - top.reduce((a, b) => a + b, 0),
  });
  Rng.for(seed, streams.fitted, 200).shuffle(rest);
  const wanted = new Float64Array(n);
  let k = 0;
  for (let u = 0; u < n; u++) if (!powerSet.has(u)) wanted[u] = rest[k++] ?? 0;
  power.forEach((u, j) => {
    wanted[u] = top[j] ?? 0;
  });
  // Scaled to the seats, rounded by largest remainder (so the seats and the memberships agree).
  const sum = wanted.reduce((a, b) => a + b, 0) || 1;
  const targets = new Int32Array(n);
  const remainders: Array<[number, number]> = [];
  let given = 0;
  for (let u = 0; u < n; u++) {
    const exact = ((wanted[u] ?? 0) * seats) / sum;
    targets[u] = Math.floor(exact);
    given += targets[u] ?? 0;
    remainders.push([exact - Math.floor(exact), u]);
  }
  remainders.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; i < seats - given; i++) {
    const u = remainders[i % n]?.[1] ?? 0;
    targets[u] = (targets[u] ?? 0) + 1;
  }
  return targets;
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
  // Fitted: the creator never leaves, so the others leave a little more often to give the profile's share.
  const shared = sharesOf(users.profile).leftRate[plan.type];
  const n = userIndexes.length;
  const leftRate = users.profile.fitted && n > 1 ? Math.min(1, (shared * n) / (n - 1)) : shared;
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
