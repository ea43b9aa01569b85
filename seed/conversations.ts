import type { Document, ObjectId } from 'mongodb';
import { Rng, streams } from './random.js';
import { type ConversationType, conversationTypes, dataShape, historyDaysOf, type ScaleProfile } from './profiles.js';
import { stratifiedDraws } from '../src/data/quantiles.js';
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
  /** Fitted to a profile: each conversation's drawn number of messages and of members (see `fit`). */
  private readonly fittedMessages: Float64Array | undefined;
  private readonly fittedMembers: Float64Array | undefined;

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
    Rng.for(seed, streams.typeShuffle, 0).shuffle(this.types, restStart);
    this.weights = new Float64Array(this.total);
    for (let c = 0; c < this.total; c++) {
      const w = Rng.for(seed, streams.conversation, c).lognormal(1, dataShape.messagesPerConversationSigma);
      this.weights[c] = w;
      this.weightSums[this.typeOf(c)] += w;
    }
    if (profile.fitted) {
      this.fittedMessages = this.fit((type) => stratifiedDraws(profile.fitted?.messages[type] ?? empty, profile.conversations[type]), 0);
      this.fittedMembers = this.fit((type) => stratifiedDraws(profile.fitted?.members[type] ?? empty, profile.conversations[type]), 1);
    }
  }

  /**
   * A profile's distribution per type, drawn at evenly spaced ranks and dealt to the type's
   * conversations in a seeded random order (one order per type and quantity, so that a
   * conversation's members and messages are independent, as in the built-in scales).
   */
  private fit(draws: (type: ConversationType) => Float64Array, quantity: number): Float64Array {
    const values = new Float64Array(this.total);
    for (const [t, type] of conversationTypes.entries()) {
      const of = draws(type);
      Rng.for(this.seed, streams.fitted, t * 2 + quantity).shuffle(of);
      let k = 0;
      for (let c = 0; c < this.total; c++) if (this.types[c] === t) values[c] = of[k++] ?? 0;
    }
    return values;
  }

  typeOf(index: number): ConversationType {
    return conversationTypes[this.types[index] ?? 0] ?? 'direct';
  }

  plan(index: number): ConversationPlan {
    const rng = Rng.for(this.seed, streams.conversation, index);
    rng.lognormal(1, dataShape.messagesPerConversationSigma); // the message weight, kept by the constructor
    const type = this.typeOf(index);
    const share = (this.profile.messages * dataShape.messageShare[type] * (this.weights[index] ?? 0)) / (this.weightSums[type] || 1);
    const drawn = Math.floor(share) + (rng.next() < share - Math.floor(share) ? 1 : 0);
    const messageCount = this.fittedMessages ? (this.fittedMessages[index] ?? 0) : drawn;
    const target = this.memberTarget(type, rng);
    // A fitted conversation with messages has someone to have sent them.
    const memberTarget = this.fittedMembers ? Math.max(messageCount > 0 ? 1 : 0, this.fittedMembers[index] ?? 0) : target;
    const { fitted } = this.profile;
    const isActive = fitted ? !rng.chance(fitted.inactiveRate[type]) : type === 'global' || !rng.chance(dataShape.inactiveConversationRate);
    const historyDays = historyDaysOf(this.profile);
    const start = dataShape.epoch - historyDays * day;
    const span = (historyDays - 1) * day;
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

const empty = { n: 0, sum: 0, q: [] };

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
