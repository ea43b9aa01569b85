import type { Document, ObjectId } from 'mongodb';
import { Rng, streams } from './random.js';
import { type ConversationType, conversationTypes, dataShape, type ScaleProfile } from './profiles.js';
import { slug, type TextPool } from './text.js';

const day = 86_400_000;

/** What is decided about a conversation before its members and messages exist. */
export interface ConversationPlan {
  readonly index: number;
  readonly type: ConversationType;
  /** Members to draw (directs 2, groups and publics a drawn size); globals: every user with `globalJoinRate`. */
  readonly memberTarget: number;
  readonly messageCount: number;
  readonly isActive: boolean;
  /** Creation date before members are known (it is moved after the newest member's sign-up). */
  readonly plannedCreatedAt: number;
  /** Days between the last activity and the dataset's epoch. */
  readonly idleDays: number;
}

/**
 * The `Conversation` collection's plan: globals first (created when the app started),
 * then the other types shuffled over the app's history. Message counts are drawn from a
 * log-normal weight per conversation and scaled so that each type gets its share.
 */
export class ConversationPlanner {
  readonly total: number;
  private readonly types: Uint8Array;
  private readonly weights: Float64Array;
  private readonly weightSums: Record<ConversationType, number> = { direct: 0, group: 0, public: 0, global: 0 };

  constructor(
    readonly seed: number,
    readonly profile: ScaleProfile,
  ) {
    const { conversations } = profile;
    this.total = conversationTypes.reduce((n, t) => n + conversations[t], 0);
    this.types = new Uint8Array(this.total);
    let at = 0;
    for (let i = 0; i < conversations.global; i++) this.types[at++] = conversationTypes.indexOf('global');
    const restStart = at;
    for (const type of ['public', 'group', 'direct'] as const) {
      for (let i = 0; i < conversations[type]; i++) this.types[at++] = conversationTypes.indexOf(type);
    }
    const shuffle = Rng.for(seed, streams.typeShuffle, 0);
    for (let i = this.total - 1; i > restStart; i--) {
      const j = restStart + shuffle.int(i - restStart + 1);
      const swap = this.types[i] as number;
      this.types[i] = this.types[j] as number;
      this.types[j] = swap;
    }
    this.weights = new Float64Array(this.total);
    for (let c = 0; c < this.total; c++) {
      const w = Rng.for(seed, streams.conversation, c).lognormal(1, dataShape.messagesPerConversationSigma);
      this.weights[c] = w;
      this.weightSums[this.typeOf(c)] += w;
    }
  }

  typeOf(index: number): ConversationType {
    return conversationTypes[this.types[index] ?? 0] ?? 'direct';
  }

  plan(index: number): ConversationPlan {
    const rng = Rng.for(this.seed, streams.conversation, index);
    rng.lognormal(1, dataShape.messagesPerConversationSigma); // the message weight, kept by the constructor
    const type = this.typeOf(index);
    const share = (this.profile.messages * dataShape.messageShare[type] * (this.weights[index] ?? 0)) / (this.weightSums[type] || 1);
    const messageCount = Math.floor(share) + (rng.next() < share - Math.floor(share) ? 1 : 0);
    const memberTarget = this.memberTarget(type, rng);
    const isActive = type === 'global' || !rng.chance(dataShape.inactiveConversationRate);
    const start = dataShape.epoch - dataShape.historyDays * day;
    const span = (dataShape.historyDays - 1) * day;
    const plannedCreatedAt =
      type === 'global' ? start + index * day : Math.floor(start + (index / this.total) * span + (rng.next() - 0.5) * 5 * day);
    const idleDays = type === 'global' ? rng.next() / 24 : isActive ? -Math.log(1 - rng.next()) * 15 : 60 + rng.next() * 440;
    return { index, type, memberTarget, messageCount, isActive, plannedCreatedAt, idleDays };
  }

  private memberTarget(type: ConversationType, rng: Rng): number {
    switch (type) {
      case 'direct':
        return 2;
      case 'group': {
        const { median, max } = this.profile.groupSize;
        return Math.max(3, Math.min(max, Math.round(rng.lognormal(median, 1.0))));
      }
      case 'public': {
        const [min, max] = this.profile.publicMembers;
        // Log-uniform between min and max: a few very large ones.
        return Math.round(min * (max / min) ** rng.next());
      }
      case 'global':
        return Math.round(this.profile.users * dataShape.globalJoinRate);
    }
  }
}

const globalIdentifiers = ['mee_meeshy', 'mee_general', 'mee_annonces', 'mee_entraide', 'mee_random'];

export interface ConversationFacts {
  id: ObjectId;
  createdAt: number;
  lastMessageAt: number;
  memberCount: number;
  createdBy: ObjectId;
  communityId: ObjectId | undefined;
}

export function conversationDocument(plan: ConversationPlan, facts: ConversationFacts, text: TextPool, rng: Rng): Document {
  const { type, index } = plan;
  const title =
    type === 'direct'
      ? undefined
      : type === 'global'
        ? `Meeshy ${rng.pick(text.titleWords)}`
        : `${rng.pick(text.titleWords)} ${rng.pick(text.titleWords)}`;
  const identifier =
    type === 'global'
      ? (globalIdentifiers[index] ?? `mee_global_${index}`)
      : type === 'public'
        ? `mee_${slug(title ?? 'public')}_${index.toString(36)}`
        : `${type === 'group' ? 'grp' : 'dm'}_${facts.id.toHexString()}`;
  const doc: Document = { _id: facts.id, identifier, type };
  if (title !== undefined) doc.title = title;
  if (type !== 'direct' && rng.chance(0.5)) doc.description = rng.pick(text.sentences.fr);
  if (type !== 'direct' && rng.chance(0.6)) doc.avatar = rng.pick(text.avatars);
  if ((type === 'public' || type === 'global') && rng.chance(0.7)) doc.banner = rng.pick(text.avatars);
  if (facts.communityId) doc.communityId = facts.communityId;
  doc.isActive = plan.isActive;
  doc.memberCount = facts.memberCount;
  doc.lastMessageAt = new Date(facts.lastMessageAt);
  doc.createdBy = facts.createdBy;
  doc.settings = { allowInvites: type !== 'direct', slowModeSeconds: type === 'global' ? 5 : 0, defaultLanguage: 'fr' };
  doc.createdAt = new Date(facts.createdAt);
  doc.updatedAt = new Date(Math.max(facts.createdAt, facts.lastMessageAt));
  return doc;
}
