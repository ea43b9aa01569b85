import { EJSON } from 'bson';
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { generateDataset, planDataset } from '../../seed/generate.js';
import { scaleProfiles } from '../../seed/profiles.js';

const seed = 20260126;
const plan = planDataset(scaleProfiles.tiny, seed);
const collect = (messagesPerWindow?: number) => [...generateDataset(plan, { messagesPerWindow })];
const canonical = (entries: ReadonlyArray<readonly [string, Document]>) =>
  entries.map(([collection, doc]) => `${collection} ${EJSON.stringify(doc, { relaxed: false })}`).sort();

describe('the load order: messages by time windows', () => {
  const one = collect(Number.MAX_SAFE_INTEGER);
  const windowed = collect(1_000);

  it('the windows change the order of the documents, never the documents', () => {
    expect(plan.messageOffsets.at(-1)).toBeGreaterThan(10_000);
    expect(windowed.length).toBe(one.length);
    expect(canonical(windowed)).toEqual(canonical(one));
    expect(windowed.map(([, d]) => String(d._id))).not.toEqual(one.map(([, d]) => String(d._id)));
  });

  it('messages come window after window: every message of a window is older than every message of the next', () => {
    const times = windowed.filter(([c]) => c === 'Message').map(([, d]) => (d.createdAt as Date).getTime());
    // Cut the stream wherever everything before is older than everything after: the windows' borders.
    const suffixMin = new Float64Array(times.length + 1).fill(Infinity);
    for (let i = times.length - 1; i >= 0; i--) suffixMin[i] = Math.min(times[i] as number, suffixMin[i + 1] as number);
    const blocks: number[] = [];
    let prefixMax = -Infinity;
    let size = 0;
    for (const [i, t] of times.entries()) {
      prefixMax = Math.max(prefixMax, t);
      size++;
      if (prefixMax <= (suffixMin[i + 1] as number)) {
        blocks.push(size);
        size = 0;
      }
    }
    const windows = Math.ceil(times.length / 1_000);
    expect(blocks.length).toBeGreaterThanOrEqual(windows);
    expect(Math.max(...blocks)).toBeLessThanOrEqual(2_000);
    // Within a window the order is conversation by conversation, not time.
    expect(times.some((t, i) => i > 0 && t < (times[i - 1] as number))).toBe(true);
  });

  it('every reference to a message names a generated message, whatever the windows', () => {
    const ids = new Set(windowed.filter(([c]) => c === 'Message').map(([, d]) => String(d._id)));
    const replies = windowed.filter(([c, d]) => c === 'Message' && d.replyToId).map(([, d]) => String(d.replyToId));
    const reads = windowed
      .filter(([c, d]) => c === 'ConversationReadCursor' && d.lastReadMessageId)
      .map(([, d]) => String(d.lastReadMessageId));
    const attached = windowed.filter(([c]) => c === 'MessageAttachment').map(([, d]) => String(d.messageId));
    expect(replies.length).toBeGreaterThan(100);
    expect(reads.length).toBeGreaterThan(100);
    expect(attached.length).toBeGreaterThan(100);
    for (const id of [...replies, ...reads, ...attached]) expect(ids.has(id)).toBe(true);
  });

  it('a message replies to one of the 20 messages before it in its conversation', () => {
    const messages = one.filter(([c]) => c === 'Message').map(([, d]) => d);
    const position = new Map(messages.map((d, i) => [String(d._id), { i, conversation: String(d.conversationId) }]));
    for (const [i, d] of messages.entries()) {
      if (!d.replyToId) continue;
      const target = position.get(String(d.replyToId));
      expect(target?.conversation).toBe(String(d.conversationId));
      expect(i - (target?.i ?? -100)).toBeGreaterThan(0);
      expect(i - (target?.i ?? 100)).toBeLessThanOrEqual(20);
    }
  });
});
