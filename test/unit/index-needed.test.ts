import { describe, expect, it } from 'vitest';
import {
  defaultNeededRule,
  judgeWithout,
  leftOutByNeeded,
  type PlanFacts,
  planFacts,
  verdictWithout,
  withNeeded,
} from '../../src/indexing/needed.js';
import type { HiddenEffect, IndexPrice, IndexSetPrice } from '../../src/indexing/price.js';

/** Whether a used index is needed: a command's plan with the index beside its plan with the index hidden. */

const plan = (over: Partial<PlanFacts> = {}): PlanFacts => ({
  collscan: false,
  blockingSort: false,
  work: 30,
  indexesUsed: ['idx_cursor_user_conv'],
  ...over,
});
const cursorIndexes = ['_id_', 'ConversationReadCursor_conversationId_userId_key', 'ConversationReadCursor_userId_idx'];

describe('judgeWithout', () => {
  it('a collection scan or a blocking sort that appears without the index loses the plan', () => {
    expect(judgeWithout(plan(), plan({ collscan: true, work: 4000, indexesUsed: [] }), cursorIndexes)).toEqual({
      lost: true,
      why: 'a collection scan',
      switchedTo: null,
    });
    expect(
      judgeWithout(plan(), plan({ blockingSort: true, work: 31, indexesUsed: ['ConversationReadCursor_userId_idx'] }), cursorIndexes),
    ).toEqual({ lost: true, why: 'a blocking sort', switchedTo: 'ConversationReadCursor_userId_idx' });
    // One the command already had is no news: the work decides.
    expect(judgeWithout(plan({ collscan: true }), plan({ collscan: true, work: 40, indexesUsed: ['_id_'] }), cursorIndexes).lost).toBe(
      false,
    );
  });

  it('more work loses the plan past the factor and by the floor, not short of either', () => {
    const { factor, floor } = defaultNeededRule;
    expect([factor, floor]).toEqual([2, 100]);
    const other = ['ConversationReadCursor_userId_idx'];
    expect(judgeWithout(plan({ work: 1000 }), plan({ work: 2001, indexesUsed: other }), cursorIndexes)).toMatchObject({
      lost: true,
      why: 'keys + documents examined 1,000 → 2,001',
    });
    // Exactly twice: not past the factor.
    expect(judgeWithout(plan({ work: 1000 }), plan({ work: 2000, indexesUsed: other }), cursorIndexes).lost).toBe(false);
    // Ten times, but 90 more: under the floor (a page of 10 that becomes 100).
    expect(judgeWithout(plan({ work: 10 }), plan({ work: 100, indexesUsed: other }), cursorIndexes).lost).toBe(false);
    expect(judgeWithout(plan({ work: 10 }), plan({ work: 110, indexesUsed: other }), cursorIndexes).lost).toBe(true);
  });

  it('over the limit without it (and not with it) loses the plan; over it on both sides only the plan is compared', () => {
    expect(judgeWithout(plan(), plan({ work: null, indexesUsed: [] }), cursorIndexes)).toMatchObject({
      lost: true,
      why: 'no longer finishes within the command limit',
    });
    expect(
      judgeWithout(plan({ work: null }), plan({ work: null, indexesUsed: ['ConversationReadCursor_userId_idx'] }), cursorIndexes),
    ).toEqual({ lost: false, why: 'its plan on ConversationReadCursor_userId_idx', switchedTo: 'ConversationReadCursor_userId_idx' });
  });

  it('kept: names the index of the collection the plan switched to, one it did not use before first', () => {
    const withIt = plan({ indexesUsed: ['idx_cursor_user_conv', 'Conversation_isActive_idx'] });
    const without = plan({ work: 30, indexesUsed: ['Conversation_isActive_idx', 'ConversationReadCursor_conversationId_userId_key'] });
    expect(judgeWithout(withIt, without, cursorIndexes)).toEqual({
      lost: false,
      why: 'keys + documents examined 30 → 30 on ConversationReadCursor_conversationId_userId_key',
      switchedTo: 'ConversationReadCursor_conversationId_userId_key',
    });
  });
});

describe('planFacts', () => {
  it('work is keys + documents, unknown when the measurement was over its limit (a pattern or a route command)', () => {
    const m = { collscan: false, blockingSort: true, totalKeysExamined: 12, totalDocsExamined: 5, indexesUsed: ['a'] };
    expect(planFacts(m)).toEqual({ collscan: false, blockingSort: true, work: 17, indexesUsed: ['a'] });
    expect(planFacts({ ...m, overLimitMs: 10_000 }).work).toBeNull();
    expect(planFacts({ ...m, overLimit: { limitMs: 10_000 } }).work).toBeNull();
  });
});

const used: IndexPrice = {
  name: 'idx_cursor_user_conv',
  collection: 'ConversationReadCursor',
  serverName: 'idx_cursor_user_conv',
  sizeBytes: 1000,
  usedBy: ['route prisma unreadCounts', 'pattern unreadCounts'],
  verdict: 'used',
};
const effect = (over: Partial<HiddenEffect>): HiddenEffect => ({
  by: 'pattern unreadCounts',
  userClass: 'typical',
  lost: false,
  why: 'keys + documents examined 30 → 30 on x',
  work: { with: 30, without: 30 },
  switchedTo: 'x',
  ...over,
});

describe('verdictWithout', () => {
  it('needed when a command lost its plan: neededBy names each such command once', () => {
    const effects = [
      effect({ by: 'route prisma unreadCounts', lost: true, why: 'a collection scan', switchedTo: null }),
      effect({ by: 'route prisma unreadCounts', userClass: 'power', lost: true, why: 'a collection scan', switchedTo: null }),
      effect({ by: 'pattern unreadCounts' }),
    ];
    expect(verdictWithout(used, effects, 0)).toMatchObject({
      verdict: 'needed',
      neededBy: ['route prisma unreadCounts'],
      whenHidden: effects,
    });
  });

  it('redundant with the index the plans chose when none lost its plan and every command was explained again', () => {
    const effects = [
      effect({ by: 'route prisma unreadCounts', switchedTo: 'ConversationReadCursor_conversationId_userId_key' }),
      effect({ switchedTo: 'ConversationReadCursor_conversationId_userId_key' }),
      effect({ userClass: 'power', switchedTo: 'ConversationReadCursor_userId_idx' }),
    ];
    const judged = verdictWithout(used, effects, 0);
    expect(judged).toMatchObject({
      verdict: 'redundant',
      redundantWith: { name: 'ConversationReadCursor_conversationId_userId_key', reason: 'the queries chose it when hidden' },
    });
    expect(judged.neededBy).toBeUndefined();
    expect(leftOutByNeeded(judged)).toBe(true);
  });

  it('still used when a command that used it could not be explained again, or no other index served', () => {
    expect(verdictWithout(used, [effect({})], 1)).toMatchObject({ verdict: 'used', whenHidden: [effect({})] });
    expect(verdictWithout(used, [effect({ switchedTo: null })], 0).verdict).toBe('used');
    expect(verdictWithout(used, [], 0).verdict).toBe('used');
  });
});

describe('withNeeded', () => {
  it('replaces the indexes judged and records how', () => {
    const price: IndexSetPrice = {
      cacheBytes: null,
      cacheOf: { kind: 'target' },
      indexesFitCache: null,
      collections: [],
      setBytes: 1000,
      indexes: [used, { ...used, name: 'other', serverName: 'other', verdict: 'unused', usedBy: [] }],
    };
    const judged = { ...used, verdict: 'needed' as const, neededBy: ['pattern unreadCounts'] };
    const check = { checked: true as const, explains: 2, ms: 40, rule: defaultNeededRule, limitMs: 10_000 };
    const out = withNeeded(price, new Map([['ConversationReadCursor.idx_cursor_user_conv', judged]]), check);
    expect(out.indexes.map((p) => p.verdict)).toEqual(['needed', 'unused']);
    expect(out.neededCheck).toEqual(check);
  });
});
