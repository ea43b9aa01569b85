import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planDataset } from '../../seed/generate.js';
import { checkScale, scaleNames, scaleProfiles } from '../../seed/profiles.js';
import { averageDocumentBytes, scaledScale, type ScaleFileData } from '../../seed/scale-file.js';
import { builtInDataset } from '../../seed/dataset.js';
import type { DataProfiles } from '../../src/workload.js';

const fileOf = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../seed/scales/${name}.json`, import.meta.url), 'utf8')) as ScaleFileData;
const changed = (edit: (s: Record<string, unknown>) => void): unknown => {
  const copy = structuredClone(fileOf('small')) as unknown as Record<string, unknown>;
  edit(copy);
  return copy;
};
const profiles = builtInDataset.profiles as DataProfiles;

describe('the built-in scales are files in seed/scales/', () => {
  it.each(scaleNames)('%s: the file is a scale, and --scale seeds what it holds', (name) => {
    const checked = checkScale(fileOf(name));
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(scaleProfiles[name]).toEqual(checked.scale);
  });

  it('a scale file at factor 1 plans the same data as its built-in scale', () => {
    const checked = profiles.check(fileOf('tiny'));
    if (!checked.ok) throw new Error(checked.reason);
    const viaFile = profiles.fitted(checked.profile, 1);
    const scale = scaledScale(fileOf('tiny'), 1);
    const [a, b] = [planDataset(scale, 11), planDataset(scaleProfiles.tiny, 11)];
    expect(a.estimatedCounts).toEqual(b.estimatedCounts);
    expect(Array.from({ length: 725 }, (_, c) => a.planner.plan(c))).toEqual(Array.from({ length: 725 }, (_, c) => b.planner.plan(c)));
    expect(viaFile.estimate.documents).toBe(Object.values(planDataset(scale, 0).estimatedCounts).reduce((n, v) => n + v, 0));
  });

  it('a factor scales what grows with the application and keeps its rooms', () => {
    const half = scaledScale(fileOf('small'), 0.5);
    expect(half.users).toBe(2000);
    expect(half.conversations).toEqual({ direct: 3500, group: 600, public: 10, global: 2 });
    expect(half.messages).toBe(60_000);
    expect(half.powerUsers).toEqual({ count: 5, memberships: [300, 750] });
    expect(half.publicMembers).toEqual([150, 750]);
  });
});

describe('a scale file is checked before anything is seeded', () => {
  it.each([
    [
      'a group larger than the users',
      changed((s) => Object.assign(s, { users: 100 })),
      /^groupSize\.max: 200 members in a group, more than the 100 users/,
    ],
    [
      'power users in more conversations than there are',
      changed((s) => Object.assign(s, { powerUsers: { count: 5, memberships: [600, 99_999] } })),
      /^powerUsers\.memberships: 99999 memberships, more than the 8212 conversations/,
    ],
    [
      'a range upside down',
      changed((s) => Object.assign(s, { publicMembers: [1500, 300] })),
      /^publicMembers: the first number must not exceed the second/,
    ],
    [
      'a median above the largest group',
      changed((s) => Object.assign(s, { groupSize: { median: 50, max: 20 } })),
      /^groupSize: the median 50/,
    ],
    ['a negative count', changed((s) => Object.assign(s, { messages: -3 })), /^messages: /],
    ['a name that is not one', changed((s) => Object.assign(s, { name: 'My Scale' })), /^name: lower-case letters/],
    ['another version', changed((s) => Object.assign(s, { version: 2 })), /^version: /],
  ])('refuses %s in one line', (_what, content, reason) => {
    const checked = profiles.check(content);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.reason).toMatch(reason);
      expect(checked.reason).not.toContain('\n');
    }
  });
});

describe("a scale file's size estimate", () => {
  it('takes its bytes per document from the profile of `small` (test/fixtures/profiles/small.json), rounded', () => {
    const profile = JSON.parse(readFileSync(new URL('../fixtures/profiles/small.json', import.meta.url), 'utf8')) as {
      documentBytes: Record<string, { average: number }>;
    };
    const averages = Object.fromEntries(Object.entries(profile.documentBytes).map(([c, b]) => [c, Math.round(b.average)]));
    expect(averageDocumentBytes).toEqual(averages);
  });
});
