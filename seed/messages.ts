import type { Document, ObjectId } from 'mongodb';
import { collectionCodes, objectIdAt } from './ids.js';
import { Rng, streams } from './random.js';
import { dataShape } from './profiles.js';
import { type Language, languages, messageText, pickLanguage, type TextPool } from './text.js';

export const messageTypes = { text: 0.88, image: 0.06, file: 0.03, audio: 0.02, system: 0.01 } as const;
export const messageSources = { user: 0.96, agent: 0.02, system: 0.01, ads: 0.01 } as const;

/** One message's place in its conversation's history. */
export interface TimelinePoint {
  /** 0-based position among all messages of the conversation, oldest first. */
  readonly position: number;
  /** Milliseconds since 1970, strictly increasing along the timeline. */
  readonly at: number;
  readonly deleted: boolean;
}

/**
 * The conversation's message times, oldest first: the order statistics of `count`
 * uniform draws over [start, end], produced one at a time (no array of `count` dates),
 * made strictly increasing so that "after the cursor" is never ambiguous. A walker, not a
 * generator: the seeder walks timelines once per time window, and one object per point
 * would be most of its garbage.
 */
export class Timeline implements TimelinePoint {
  position = -1;
  at = -Infinity;
  deleted = false;
  private readonly rng: Rng;
  private readonly span: number;
  private u = 0;

  constructor(
    seed: number,
    conversation: number,
    private readonly count: number,
    private readonly start: number,
    end: number,
    /** Share of soft-deleted messages (a profile's, or the built-in shape's). */
    private readonly deletedRate: number = dataShape.softDeletedMessageRate,
  ) {
    this.rng = Rng.for(seed, streams.timeline, conversation);
    this.span = Math.max(0, end - start);
  }

  /** Moves to the next message; false past the last. */
  next(): boolean {
    const k = this.position + 1;
    if (k >= this.count) return false;
    // Next order statistic of the remaining (count - k) uniforms on [u, 1].
    this.u += (1 - this.u) * (1 - (1 - this.rng.next()) ** (1 / (this.count - k)));
    this.at = Math.max(Math.floor(this.start + this.u * this.span), this.at + 1);
    this.position = k;
    this.deleted = this.rng.chance(this.deletedRate);
    return true;
  }
}

export interface TimelineSummary {
  readonly nonDeleted: number;
  /** createdAt of the newest non-deleted message; undefined when there is none. */
  readonly lastNonDeletedAt: number | undefined;
}

/** A cheap first walk of the timeline: what the conversation and the read cursors need. */
export function summarizeTimeline(
  seed: number,
  conversation: number,
  count: number,
  start: number,
  end: number,
  deletedRate: number = dataShape.softDeletedMessageRate,
): TimelineSummary {
  let nonDeleted = 0;
  let lastNonDeletedAt: number | undefined;
  const point = new Timeline(seed, conversation, count, start, end, deletedRate);
  while (point.next()) {
    if (!point.deleted) {
      nonDeleted++;
      lastNonDeletedAt = point.at;
    }
  }
  return { nonDeleted, lastNonDeletedAt };
}

/**
 * A message's own random stream, keyed by its number in the dataset (the conversation's
 * first number plus its position), so that any message can be built on its own: the
 * seeder writes messages in global time order, window by window, not conversation by
 * conversation.
 */
export function messageRng(seed: number, number: number): Rng {
  return Rng.for(seed, streams.messageContent, number);
}

/** The `_id` of a message, from its time and number alone (the first draw of its stream). */
export function messageId(seed: number, at: number, number: number): ObjectId {
  return objectIdAt(at, collectionCodes.Message, number, messageRng(seed, number).u32());
}

/** The last `capacity` messages of a conversation (time and number, oldest first): what a reply can point to. */
export class RecentMessages {
  private readonly at: Float64Array;
  private readonly numbers: Float64Array;
  private start = 0;
  size = 0;

  constructor(private readonly capacity = 20) {
    this.at = new Float64Array(capacity);
    this.numbers = new Float64Array(capacity);
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }

  push(at: number, number: number): void {
    const slot = (this.start + this.size) % this.capacity;
    this.at[slot] = at;
    this.numbers[slot] = number;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The id of the k-th kept message, oldest first. */
  id(seed: number, k: number): ObjectId {
    const slot = (this.start + k) % this.capacity;
    return messageId(seed, this.at[slot] ?? 0, this.numbers[slot] ?? 0);
  }
}

export interface MessageContext {
  readonly seed: number;
  readonly conversationId: ObjectId;
  /** The user id of the conversation's k-th membership (left members included), k < memberCount. */
  readonly member: (k: number) => ObjectId;
  readonly memberCount: number;
  readonly text: TextPool;
  /** The conversation's messages before this one. */
  readonly recent: RecentMessages;
}

/** Message number `number` of the dataset at its place in its conversation's timeline. */
export function messageDocument(point: TimelinePoint, number: number, ctx: MessageContext): Document {
  const { text } = ctx;
  const rng = messageRng(ctx.seed, number);
  const id = objectIdAt(point.at, collectionCodes.Message, number, rng.u32());
  const messageType = rng.weighted(messageTypes);
  const messageSource = messageType === 'system' ? 'system' : rng.weighted(messageSources);
  const language: Language = pickLanguage(rng);
  const doc: Document = {
    _id: id,
    conversationId: ctx.conversationId,
    senderId: messageSource === 'system' ? null : ctx.member(rng.int(ctx.memberCount)),
    content: messageType === 'text' || messageType === 'system' ? messageText(text, rng, language) : '',
    originalLanguage: language,
    messageType,
    messageSource,
  };
  const edited = rng.chance(0.05);
  doc.isEdited = edited;
  if (edited) doc.editedAt = new Date(point.at + rng.range(1_000, 3_600_000));
  doc.isDeleted = point.deleted;
  if (point.deleted) doc.deletedAt = new Date(Math.min(dataShape.epoch, point.at + rng.range(1_000, 172_800_000)));
  if (ctx.recent.size > 0 && rng.chance(0.08)) doc.replyToId = ctx.recent.id(ctx.seed, rng.int(ctx.recent.size));
  doc.createdAt = new Date(point.at);
  doc.updatedAt = new Date(edited ? (doc.editedAt as Date).getTime() : point.at);
  doc.readCount = rng.int(Math.max(1, ctx.memberCount));
  doc.reactionCount = rng.geometric(0.6);
  if (doc.content !== '' && rng.chance(0.25)) {
    const translations: Record<string, unknown> = {};
    const targets = rng.range(1, 3);
    for (let t = 0; t < targets; t++) {
      const to = rng.pick(languages);
      if (to !== language)
        translations[to] = { content: messageText(text, rng, to), model: 'basic', translatedAt: new Date(point.at + 2_000) };
    }
    if (Object.keys(translations).length > 0) doc.translations = translations;
  }
  ctx.recent.push(point.at, number);
  return doc;
}

const mimeTypes: Readonly<Record<string, readonly string[]>> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  file: ['application/pdf', 'application/zip', 'text/plain'],
  audio: ['audio/webm', 'audio/mpeg'],
};
const extensions: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'text/plain': 'txt',
  'audio/webm': 'webm',
  'audio/mpeg': 'mp3',
};

/**
 * The `MessageAttachment` rows of a message (Prisma model `MessageAttachment`, relation
 * `Message.attachments`): an image, file or audio message carries 1 to 3 of them (a share
 * `dataShape.attachmentRate` of all messages), text and system messages none. Drawn from
 * the attachments' own stream, keyed like the message's by its number; the k-th
 * attachment's sequence is 3 × number + k.
 */
export function attachmentDocuments(message: Document, number: number, text: TextPool, seed: number): Document[] {
  const kinds = mimeTypes[message.messageType as string];
  if (!kinds) return [];
  const rng = Rng.for(seed, streams.attachments, number);
  const createdAt = message.createdAt as Date;
  const count = rng.range(1, 3);
  const docs: Document[] = [];
  for (let i = 0; i < count; i++) {
    const sequence = number * 3 + i;
    const mimeType = rng.pick(kinds);
    const image = mimeType.startsWith('image/');
    const name = `${rng.pick(['photo', 'scan', 'document', 'note', 'voice', 'export', 'IMG', 'Screenshot'])}_${rng.range(1000, 99_999)}.${extensions[mimeType] ?? 'bin'}`;
    docs.push({
      _id: objectIdAt(createdAt.getTime(), collectionCodes.MessageAttachment, sequence, rng.u32()),
      messageId: message._id,
      fileName: `${rng.u32().toString(16)}-${name}`,
      originalName: name,
      mimeType,
      fileSize: image ? rng.range(40_000, 4_000_000) : rng.range(2_000, 20_000_000),
      fileUrl: `${rng.pick(text.avatars)}?a=${sequence}`,
      thumbnailUrl: image ? `${rng.pick(text.avatars)}?thumb=${sequence}` : null,
      ...(image ? { width: rng.range(320, 4032), height: rng.range(240, 3024) } : {}),
      ...(mimeType.startsWith('audio/') ? { duration: rng.range(1, 300) } : {}),
      uploadedBy: message.senderId ?? null,
      createdAt,
    });
  }
  return docs;
}
