import { type Document, ObjectId } from 'mongodb';
import { collectionCodes, objectIdAt } from './ids.js';
import { Rng, streams } from './random.js';
import { conversationDocument, ConversationPlanner } from './conversations.js';
import {
  buildMemberships,
  DealtMembers,
  memberDocument,
  type Membership,
  memberSampler,
  type MemberSource,
  SampledMembers,
} from './members.js';
import {
  attachmentDocuments,
  type MessageContext,
  messageDocument,
  messageId,
  messageTypes,
  RecentMessages,
  summarizeTimeline,
  Timeline,
} from './messages.js';
import { preferencesDocument, wantsPreferences } from './preferences.js';
import { conversationTypes, dataShape, historyDaysOf, type ScaleProfile, scaleProfiles, sharesOf } from './profiles.js';
import { cursorDocument, cursorTargets, type LastRead, planCursors } from './read-cursors.js';
import { buildTextPool, type TextPool } from './text.js';
import { UserDirectory, userDocument } from './users.js';

export { type SeededCollection, seededCollections } from './collections.js';
import type { SeededCollection } from './collections.js';

/** Bump when a change to the generators changes the data: it is part of the fingerprint. */
export const generatorVersion = 4;

const hour = 3_600_000;
const day = 24 * hour;

/**
 * Messages per time window of the load (see `generateDataset`). A window's `_id`s are
 * inserted in conversation order, so the server's `_id` index takes random inserts over
 * one window's key range only: a million keys, the whole of `medium`, which the server
 * absorbs at its insert ceiling. Only the order of the documents depends on it.
 */
export const defaultMessagesPerWindow = 1_000_000;

/** Everything decided before the first document is generated. */
export interface DatasetPlan {
  readonly seed: number;
  readonly profile: ScaleProfile;
  readonly users: UserDirectory;
  readonly planner: ConversationPlanner;
  /** Who sits in each conversation: drawn by popularity, or dealt to fit a profile. */
  readonly members: MemberSource;
  readonly text: TextPool;
  /** The number of conversation c's first message in the dataset is messageOffsets[c]; the last entry is the total. */
  readonly messageOffsets: Float64Array;
  /** For progress: exact for users, conversations and messages, estimated for the rest. */
  readonly estimatedCounts: Readonly<Record<SeededCollection, number>>;
}

export function planDataset(profile: ScaleProfile, seed: number): DatasetPlan {
  const users = new UserDirectory(seed, profile);
  const planner = new ConversationPlanner(seed, profile);
  const memberSource = profile.fitted
    ? new DealtMembers(seed, profile, profile.fitted, planner)
    : new SampledMembers(memberSampler(seed, profile, planner), users);
  const messageOffsets = new Float64Array(planner.total + 1);
  const shares = sharesOf(profile);
  let messages = 0;
  let members = 0;
  let activeMembers = 0;
  for (let c = 0; c < planner.total; c++) {
    const plan = planner.plan(c);
    messageOffsets[c] = messages;
    messages += plan.messageCount;
    members += plan.memberTarget;
    activeMembers += plan.memberTarget * (1 - shares.leftRate[plan.type]);
  }
  messageOffsets[planner.total] = messages;
  const estimatedCounts = {
    User: profile.users,
    Conversation: planner.total,
    ConversationMember: members,
    Message: messages,
    ConversationReadCursor: Math.round(activeMembers * shares.readCursorRate),
    UserConversationPreferences: Math.round(activeMembers * shares.preferencesRate),
    // Image, file and audio messages carry 1 to 3 attachments: 2 on average.
    MessageAttachment: Math.round(messages * (messageTypes.image + messageTypes.file + messageTypes.audio) * 2),
  };
  return { seed, profile, users, planner, members: memberSource, text: buildTextPool(seed), messageOffsets, estimatedCounts };
}

export interface GenerateOptions {
  /** Messages per time window (default `defaultMessagesPerWindow`). Changes the order of the documents, never the documents. */
  readonly messagesPerWindow?: number | undefined;
}

/**
 * Every document of the dataset, one at a time, in two phases:
 *  1. users, then each conversation with its members, their read cursors and
 *     preferences (conversation by conversation);
 *  2. the messages (each followed by its attachments) in global time order by windows:
 *     the history is cut into windows of about `messagesPerWindow` messages, and each
 *     window yields, conversation by conversation, the messages that fall in it.
 *
 * Why phase 2 follows time: a message's `_id` begins with its creation time, as the
 * application's do, so in production the `_id` index grows at its right edge. Loaded
 * conversation by conversation, each conversation's `_id`s land all over the index
 * instead; at `large` (10 M messages) that random insert load halved the server's rate
 * (57 k docs/s against 101 k with ascending `_id`s, measured with `npm run bench:seed`).
 * By windows, each insert lands in one window's key range. It also lays the documents
 * out on disk in time order, as the application's inserts do.
 *
 * Every message is built from its number alone (its own random stream), so the windows
 * change the order, never the data. Memory stays flat in the number of messages: what
 * phase 2 needs of a conversation (id, time span, members' user indexes) is kept in
 * typed arrays, and nothing else is kept once yielded.
 */
export function* generateDataset(plan: DatasetPlan, options: GenerateOptions = {}): Generator<readonly [SeededCollection, Document]> {
  for (let i = 0; i < plan.profile.users; i++) yield ['User', userDocument(i, plan.users, plan.text)];
  const table = new ConversationTable(plan.planner.total, historyDaysOf(plan.profile));
  const sequences = { member: 0, cursor: 0, preferences: 0 };
  for (let c = 0; c < plan.planner.total; c++) yield* conversationWithMembers(plan, c, sequences, table);
  const recent = new RecentMessages();
  for (const window of table.windows(options.messagesPerWindow ?? defaultMessagesPerWindow)) {
    for (let c = 0; c < plan.planner.total; c++) yield* messagesInWindow(plan, c, table, window, recent);
  }
}

/** A window of message time: [from, to). */
interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** What the messages phase needs of each conversation, kept from the first phase: about 30 bytes a conversation plus 4 a membership. */
class ConversationTable {
  readonly createdAt: Float64Array;
  readonly lastActivity: Float64Array;
  private readonly ids: Buffer;
  private readonly memberStart: Float64Array;
  private memberUsers = new Int32Array(1024);
  private members = 0;
  private readonly perDay: Float64Array;
  private messages = 0;
  /** One-day bins of message time from this long before the epoch (conversations start at most 2.5 days before the history). */
  private readonly histogramDays: number;

  constructor(
    readonly total: number,
    historyDays: number,
  ) {
    this.histogramDays = historyDays + 10;
    this.perDay = new Float64Array(this.histogramDays + 1);
    this.createdAt = new Float64Array(total);
    this.lastActivity = new Float64Array(total);
    this.ids = Buffer.alloc(12 * total);
    this.memberStart = new Float64Array(total + 1);
  }

  add(index: number, id: ObjectId, createdAt: number, lastActivity: number, memberships: readonly Membership[]): void {
    this.createdAt[index] = createdAt;
    this.lastActivity[index] = lastActivity;
    this.ids.set(id.id, 12 * index);
    this.memberStart[index] = this.members;
    if (this.members + memberships.length > this.memberUsers.length) {
      const grown = new Int32Array(Math.max(this.memberUsers.length * 2, this.members + memberships.length));
      grown.set(this.memberUsers.subarray(0, this.members));
      this.memberUsers = grown;
    }
    for (const m of memberships) this.memberUsers[this.members++] = m.userIndex;
    this.memberStart[index + 1] = this.members;
  }

  /** Counts one message at `at` towards the windows. */
  count(at: number): void {
    const bin = Math.floor((at - (dataShape.epoch - this.histogramDays * day)) / day);
    const clamped = Math.min(Math.max(bin, 0), this.histogramDays);
    this.perDay[clamped] = (this.perDay[clamped] ?? 0) + 1;
    this.messages++;
  }

  id(index: number): ObjectId {
    return new ObjectId(this.ids.subarray(12 * index, 12 * index + 12));
  }

  memberCount(index: number): number {
    return (this.memberStart[index + 1] ?? 0) - (this.memberStart[index] ?? 0);
  }

  memberUser(index: number, k: number): number {
    return this.memberUsers[(this.memberStart[index] ?? 0) + k] ?? 0;
  }

  /** Consecutive windows of about `perWindow` messages each, cut at day boundaries, covering all time. */
  windows(perWindow: number): TimeWindow[] {
    const count = Math.max(1, Math.ceil(this.messages / Math.max(1, perWindow)));
    const windows: TimeWindow[] = [];
    let from = -Infinity;
    let seen = 0;
    for (let bin = 0; bin <= this.histogramDays && windows.length < count - 1; bin++) {
      seen += this.perDay[bin] ?? 0;
      if (seen >= ((windows.length + 1) * this.messages) / count) {
        const to = dataShape.epoch - (this.histogramDays - bin - 1) * day;
        windows.push({ from, to });
        from = to;
      }
    }
    windows.push({ from, to: Infinity });
    return windows;
  }
}

function* conversationWithMembers(
  dataset: DatasetPlan,
  index: number,
  sequences: { member: number; cursor: number; preferences: number },
  table: ConversationTable,
): Generator<readonly [SeededCollection, Document]> {
  const { seed, users, text } = dataset;
  const plan = dataset.planner.plan(index);
  const rng = Rng.for(seed, streams.members, index);
  const userIndexes = dataset.members.members(plan, rng);

  // A direct or group conversation cannot predate the sign-up of its members. Raised to a
  // sign-up, it starts `index` ms after that hour: a user's conversations never share a
  // creation time, so a conversation without messages (lastMessageAt = createdAt) never ties
  // with another on the page's order (lastMessageAt desc, which Prisma sends without a tiebreaker).
  let createdAt = plan.plannedCreatedAt;
  if (plan.type === 'direct' || plan.type === 'group') {
    let signedUp = 0;
    for (const u of userIndexes) signedUp = Math.max(signedUp, users.createdAt[u] ?? 0);
    if (signedUp + hour > createdAt) createdAt = signedUp + hour + index;
  }
  // Held an hour before the data's end: `index` ms more, so that the conversations held there do not tie either.
  createdAt = Math.min(createdAt, dataShape.epoch - hour - index);
  let lastActivity = dataShape.epoch - plan.idleDays * day;
  if (lastActivity <= createdAt) lastActivity = createdAt + (dataShape.epoch - createdAt) * rng.next();
  const memberships = buildMemberships(plan, userIndexes, createdAt, lastActivity, users, rng);
  const conversationId = objectIdAt(createdAt, collectionCodes.Conversation, index, rng.u32());
  const communityId =
    plan.type === 'group' && rng.chance(0.2)
      ? objectIdAt(dataShape.epoch - 700 * day, collectionCodes.Community, rng.int(50), 0)
      : undefined;
  table.add(index, conversationId, createdAt, lastActivity, memberships);

  const shares = sharesOf(dataset.profile);
  const summary = summarizeTimeline(seed, index, plan.messageCount, createdAt, lastActivity, shares.softDeletedMessageRate);
  const cursorRng = Rng.for(seed, streams.cursors, index);
  const cursors = planCursors(memberships, summary.nonDeleted, cursorRng, shares.readCursorRate);
  const targets = cursorTargets(cursors, summary.nonDeleted);
  const lastReads: Array<LastRead | undefined> = new Array(cursors.length);
  const first = dataset.messageOffsets[index] ?? 0;
  let ordinal = 0;
  const point = new Timeline(seed, index, plan.messageCount, createdAt, lastActivity, shares.softDeletedMessageRate);
  while (point.next()) {
    table.count(point.at);
    if (point.deleted) continue;
    const waiting = targets.get(ordinal++);
    if (waiting) {
      const read = { id: messageId(seed, point.at, first + point.position), at: point.at };
      for (const i of waiting) lastReads[i] = read;
    }
  }

  const activeMembers = memberships.reduce((n, m) => n + (m.isActive ? 1 : 0), 0);
  const creator = users.id(userIndexes[0] ?? 0);
  yield [
    'Conversation',
    conversationDocument(
      plan,
      {
        id: conversationId,
        createdAt,
        lastMessageAt: summary.lastNonDeletedAt ?? createdAt,
        memberCount: activeMembers,
        createdBy: creator,
        communityId,
      },
      text,
      rng,
    ),
  ];
  for (const m of memberships) yield ['ConversationMember', memberDocument(m, conversationId, users, sequences.member++, rng)];
  for (const [i, cursor] of cursors.entries()) {
    const membership = memberships[cursor.member];
    if (membership)
      yield [
        'ConversationReadCursor',
        cursorDocument(cursor, membership, conversationId, lastReads[i], users, sequences.cursor++, cursorRng),
      ];
  }
  const preferencesRng = Rng.for(seed, streams.preferences, index);
  for (const m of memberships) {
    if (wantsPreferences(m, preferencesRng, shares.preferencesRate)) {
      yield ['UserConversationPreferences', preferencesDocument(m, conversationId, users, sequences.preferences++, preferencesRng)];
    }
  }
}

/** The messages of one conversation that fall in `window`, each followed by its attachments. */
function* messagesInWindow(
  dataset: DatasetPlan,
  index: number,
  table: ConversationTable,
  window: TimeWindow,
  recent: RecentMessages,
): Generator<readonly [SeededCollection, Document]> {
  const createdAt = table.createdAt[index] ?? 0;
  const lastActivity = table.lastActivity[index] ?? 0;
  const first = dataset.messageOffsets[index] ?? 0;
  const count = (dataset.messageOffsets[index + 1] ?? 0) - first;
  // Times start at createdAt and exceed lastActivity by at most one millisecond a message.
  if (count === 0 || createdAt >= window.to || lastActivity + count < window.from) return;
  const { seed, users, text } = dataset;
  recent.clear();
  let context: MessageContext | undefined;
  const point = new Timeline(seed, index, count, createdAt, lastActivity, sharesOf(dataset.profile).softDeletedMessageRate);
  while (point.next()) {
    if (point.at >= window.to) return;
    const number = first + point.position;
    if (point.at < window.from) {
      recent.push(point.at, number);
      continue;
    }
    context ??= {
      seed,
      conversationId: table.id(index),
      member: (k: number) => users.id(table.memberUser(index, k)),
      memberCount: table.memberCount(index),
      text,
      recent,
    };
    const doc = messageDocument(point, number, context);
    yield ['Message', doc];
    for (const attachment of attachmentDocuments(doc, number, text, seed)) yield ['MessageAttachment', attachment];
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** `seed --profiles`: what each scale holds, the counts its plan yields (exact for users, conversations, messages). */
export function describeScales(seed: number): { head: string[]; rows: Array<Array<string | number>> } {
  const rows = Object.values(scaleProfiles).map((p: ScaleProfile) => {
    const counts = p.name === 'large' ? undefined : planDataset(p, seed).estimatedCounts;
    return [
      p.name,
      p.users,
      conversationTypes.map((t) => `${t} ${count(p.conversations[t])}`).join(', '),
      counts?.Message ?? `≈${count(p.messages)}`,
      counts ? `≈${count(counts.ConversationMember)}` : '≈3,000,000',
      `${p.powerUsers.count} × ${count(p.powerUsers.memberships[0])}–${count(p.powerUsers.memberships[1])}`,
      p.purpose,
    ];
  });
  return { head: ['scale', 'users', 'conversations', 'messages', 'memberships', 'power users (memberships)', 'for'], rows };
}
