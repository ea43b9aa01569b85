import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkProfile, type DataProfile } from '../../seed/data-profile.js';
import { fittedScale, minHistoryDays } from '../../seed/fitted.js';
import { generateDataset, planDataset } from '../../seed/generate.js';
import { dataShape } from '../../seed/profiles.js';

/** The profile of the built-in `small` scale at seed 20260126, as `indexgate profile` wrote it. */
const small = JSON.parse(readFileSync(new URL('../fixtures/profiles/small.json', import.meta.url), 'utf8')) as DataProfile;
const changed = (edit: (p: DataProfile) => void): unknown => {
  const copy = structuredClone(small) as DataProfile;
  edit(copy);
  return copy;
};

describe('a profile file is checked before anything is seeded', () => {
  it('accepts the profile indexgate profile wrote', () => {
    expect(checkProfile(small)).toMatchObject({ ok: true });
  });

  it.each([
    ['another JSON document', { hello: 'world' }, /not an indexgate profile/],
    ['a negative count', changed((p) => Object.assign(p.counts, { Message: -5 })), /^counts\.Message: /],
    ['a share above 1', changed((p) => Object.assign(p.messages, { deletedShare: 1.5 })), /^messages\.deletedShare: /],
    [
      'decreasing quantiles',
      changed((p) => Object.assign(p.conversations.group.messages, { q: [...p.conversations.group.messages.q].reverse() })),
      /^conversations\.group\.messages: quantiles must not decrease/,
    ],
    [
      'more members in a conversation than users',
      changed((p) => Object.assign(p.counts, { User: 1000 })),
      /conversations\.public\.members: 1195 members in a conversation, more than the 1000 users/,
    ],
    [
      'types that do not add up to the conversations',
      changed((p) => Object.assign(p.counts, { Conversation: 9000 })),
      /the types add up to 8212, counts\.Conversation is 9000/,
    ],
    [
      'a top user in more conversations than there are',
      changed((p) => Object.assign(p.users, { topMemberships: [99_999] })),
      /users\.topMemberships: 99999 memberships/,
    ],
    ['another version', changed((p) => Object.assign(p, { version: 2 })), /^version: /],
  ])('refuses %s in one line', (_what, content, reason) => {
    const checked = checkProfile(content);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.reason).toMatch(reason);
      expect(checked.reason).not.toContain('\n');
    }
  });
});

describe('the scale fitted to a profile', () => {
  it('plans the profile times the factor: users, directs and groups, messages and memberships; the open rooms kept, their members scaled', () => {
    const scale = fittedScale(small, 0.5);
    expect(scale.users).toBe(2000);
    expect(scale.conversations).toEqual({ direct: 3500, group: 600, public: 10, global: 2 });
    const globalMembers = small.conversations.global.members.q;
    expect(scale.fitted?.members.global.q).toEqual(globalMembers.map((v) => Math.min(2000, v * 0.5)));
    const { estimatedCounts } = planDataset(scale, 7);
    for (const c of ['Message', 'ConversationMember'] as const) {
      const expected = small.counts[c] * 0.5;
      expect(Math.abs(estimatedCounts[c] - expected) / expected, c).toBeLessThan(0.02);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const scale = fittedScale(small, 0.2);
    const counts = (seed: number) => {
      const { planner } = planDataset(scale, seed);
      return Array.from({ length: 200 }, (_, c) => planner.plan(c).messageCount);
    };
    expect(counts(1)).toEqual(counts(1));
    expect(counts(2)).not.toEqual(counts(1));
  });

  it("covers the profile's span of messages, ending at the epoch, at any factor", () => {
    const day = 86_400_000;
    const span = (spanDays: number, factor: number) => {
      const scale = fittedScale(changed((p) => Object.assign(p.messages, { spanDays })) as DataProfile, factor);
      let first = Infinity;
      let last = -Infinity;
      for (const [collection, doc] of generateDataset(planDataset(scale, 3))) {
        if (collection !== 'Message') continue;
        const at = (doc.createdAt as Date).getTime();
        first = Math.min(first, at);
        last = Math.max(last, at);
      }
      return {
        historyDays: scale.historyDays,
        first: (dataShape.epoch - first) / day,
        last: (dataShape.epoch - last) / day,
        days: (last - first) / day,
      };
    };
    const short = span(60, 0.05);
    expect(short.historyDays).toBe(60);
    // Read back as `indexgate profile` reads a span (first message to last): within 10% of the profile's.
    expect(Math.abs(short.days - 60) / 60).toBeLessThanOrEqual(0.1);
    expect(short.first).toBeLessThanOrEqual(60 + 3);
    expect(short.last).toBeGreaterThanOrEqual(0);
    expect(span(2, 0.05).historyDays).toBe(minHistoryDays);
    // A profile without messages has no span: the built-in history.
    expect(fittedScale(changed((p) => Object.assign(p.messages, { spanDays: 0 })) as DataProfile, 1).historyDays).toBeUndefined();
    expect(span(730, 0.05).days).toBeGreaterThan(657);
  });
});
