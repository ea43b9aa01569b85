import type { Document } from 'mongodb';
import type { AliasSampler } from '../src/seed/alias.js';
import { collectionCodes, objectIdAt } from '../src/seed/ids.js';
import { Rng, streams } from '../src/seed/random.js';
import { conversationDocument, ConversationPlanner } from './conversations.js';
import { buildMemberships, memberDocument, memberSampler, pickMembers } from './members.js';
import { attachmentDocuments, messageDocument, messageTypes, summarizeTimeline, timeline } from './messages.js';
import { preferencesDocument, wantsPreferences } from './preferences.js';
import { dataShape, type ScaleProfile } from './profiles.js';
import { cursorDocument, cursorTargets, type LastRead, planCursors } from './read-cursors.js';
import { buildTextPool, type TextPool } from './text.js';
import { UserDirectory, userDocument } from './users.js';

export { type SeededCollection, seededCollections } from './collections.js';
import type { SeededCollection } from './collections.js';

/** Bump when a change to the generators changes the data: it is part of the fingerprint. */
export const generatorVersion = 2;

const hour = 3_600_000;
const day = 24 * hour;

/** Everything decided before the first document is generated. */
export interface DatasetPlan {
  readonly seed: number;
  readonly profile: ScaleProfile;
  readonly users: UserDirectory;
  readonly planner: ConversationPlanner;
  readonly sampler: AliasSampler;
  readonly text: TextPool;
  /** For progress: exact for users, conversations and messages, estimated for the rest. */
  readonly estimatedCounts: Readonly<Record<SeededCollection, number>>;
}

export function planDataset(profile: ScaleProfile, seed: number): DatasetPlan {
  const users = new UserDirectory(seed, profile);
  const planner = new ConversationPlanner(seed, profile);
  const sampler = memberSampler(seed, profile, planner);
  let messages = 0;
  let members = 0;
  let activeMembers = 0;
  for (let c = 0; c < planner.total; c++) {
    const plan = planner.plan(c);
    messages += plan.messageCount;
    members += plan.memberTarget;
    activeMembers += plan.memberTarget * (1 - dataShape.leftRate[plan.type]);
  }
  const estimatedCounts = {
    User: profile.users,
    Conversation: planner.total,
    ConversationMember: members,
    Message: messages,
    ConversationReadCursor: Math.round(activeMembers * dataShape.readCursorRate),
    UserConversationPreferences: Math.round(activeMembers * dataShape.preferencesRate),
    // Image, file and audio messages carry 1 to 3 attachments: 2 on average.
    MessageAttachment: Math.round(messages * (messageTypes.image + messageTypes.file + messageTypes.audio) * 2),
  };
  return { seed, profile, users, planner, sampler, text: buildTextPool(seed), estimatedCounts };
}

/**
 * Every document of the dataset, one at a time: users first, then each conversation with
 * its messages (each followed by its attachments), the conversation itself (whose lastMessageAt and memberCount are now
 * known), its members, their read cursors and preferences. Memory stays flat: nothing
 * is kept once yielded.
 */
export function* generateDataset(plan: DatasetPlan): Generator<readonly [SeededCollection, Document]> {
  for (let i = 0; i < plan.profile.users; i++) yield ['User', userDocument(i, plan.users, plan.text)];
  const sequences = { member: 0, message: 0, cursor: 0, preferences: 0, attachment: 0 };
  for (let c = 0; c < plan.planner.total; c++) yield* conversationWithChildren(plan, c, sequences);
}

function* conversationWithChildren(
  dataset: DatasetPlan,
  index: number,
  sequences: { member: number; message: number; cursor: number; preferences: number; attachment: number },
): Generator<readonly [SeededCollection, Document]> {
  const { seed, users, text } = dataset;
  const plan = dataset.planner.plan(index);
  const rng = Rng.for(seed, streams.members, index);
  const userIndexes = pickMembers(plan, dataset.sampler, users, rng);

  // A direct or group conversation cannot predate the sign-up of its members.
  let createdAt = plan.plannedCreatedAt;
  if (plan.type === 'direct' || plan.type === 'group') {
    for (const u of userIndexes) createdAt = Math.max(createdAt, (users.createdAt[u] ?? 0) + hour);
  }
  createdAt = Math.min(createdAt, dataShape.epoch - hour);
  let lastActivity = dataShape.epoch - plan.idleDays * day;
  if (lastActivity <= createdAt) lastActivity = createdAt + (dataShape.epoch - createdAt) * rng.next();
  const memberships = buildMemberships(plan, userIndexes, createdAt, lastActivity, users, rng);
  const conversationId = objectIdAt(createdAt, collectionCodes.Conversation, index, rng.u32());
  const communityId = plan.type === 'group' && rng.chance(0.2) ? objectIdAt(dataShape.epoch - 700 * day, collectionCodes.Community, rng.int(50), 0) : undefined;

  const summary = summarizeTimeline(seed, index, plan.messageCount, createdAt, lastActivity);
  const cursorRng = Rng.for(seed, streams.cursors, index);
  const cursors = planCursors(memberships, summary.nonDeleted, cursorRng);
  const targets = cursorTargets(cursors, summary.nonDeleted);
  const lastReads: Array<LastRead | undefined> = new Array(cursors.length);

  const context = {
    conversationId,
    senders: memberships.map((m) => users.id(m.userIndex)),
    memberCount: memberships.length,
    text,
    rng: Rng.for(seed, streams.messageContent, index),
    recent: [],
  };
  const attachmentRng = Rng.for(seed, streams.attachments, index);
  let ordinal = 0;
  for (const point of timeline(seed, index, plan.messageCount, createdAt, lastActivity)) {
    const doc = messageDocument(point, sequences.message++, context);
    if (!point.deleted) {
      for (const waiting of targets.get(ordinal) ?? []) lastReads[waiting] = { id: doc._id, at: point.at };
      ordinal++;
    }
    yield ['Message', doc];
    for (const attachment of attachmentDocuments(doc, sequences, text, attachmentRng)) yield ['MessageAttachment', attachment];
  }

  const activeMembers = memberships.reduce((n, m) => n + (m.isActive ? 1 : 0), 0);
  const creator = users.id(userIndexes[0] ?? 0);
  yield [
    'Conversation',
    conversationDocument(
      plan,
      { id: conversationId, createdAt, lastMessageAt: summary.lastNonDeletedAt ?? createdAt, memberCount: activeMembers, createdBy: creator, communityId },
      text,
      rng,
    ),
  ];
  for (const m of memberships) yield ['ConversationMember', memberDocument(m, conversationId, users, sequences.member++, rng)];
  for (const [i, cursor] of cursors.entries()) {
    const membership = memberships[cursor.member];
    if (membership) yield ['ConversationReadCursor', cursorDocument(cursor, membership, conversationId, lastReads[i], users, sequences.cursor++, cursorRng)];
  }
  const preferencesRng = Rng.for(seed, streams.preferences, index);
  for (const m of memberships) {
    if (wantsPreferences(m, preferencesRng)) {
      yield ['UserConversationPreferences', preferencesDocument(m, conversationId, users, sequences.preferences++, preferencesRng)];
    }
  }
}
