import { openTypes, profileScaleName } from './fitted.js';
import type { DataProfile } from './data-profile.js';
import { type ConversationType, conversationTypes, type ScaleProfile, scaleFormat } from './profiles.js';
import type { FitRow } from './profile-compare.js';

/**
 * A scale file given to `--profile` (`"format": "indexgate-scale"`, the built-in ones are
 * seed/scales/*.json): sizes written by hand, for a team that cannot profile its staging
 * database but knows its counts. The generators draw from the built-in shapes at those
 * sizes; `--scale-factor f` scales them as a profile's are (seed/fitted.ts): users, direct
 * and group conversations, messages and the power users' memberships × f, the open rooms
 * kept and their members × f. At f = 1 the data is the file's exactly: `--profile
 * seed/scales/tiny.json` seeds what `--scale tiny` does.
 */
export type ScaleFileData = ScaleProfile & { readonly format: typeof scaleFormat };

export const isScaleFile = (data: { readonly format: string }): data is ScaleFileData => data.format === scaleFormat;

/** The scale `--profile <scale file> --scale-factor f` seeds. */
export function scaledScale(file: ScaleFileData, factor: number): ScaleProfile {
  const { format: _format, ...scale } = file;
  if (factor === 1) return { ...scale, name: profileScaleName, purpose: `the scale file ${scale.name}` };
  const users = Math.max(1, Math.round(scale.users * factor));
  const conversations = Object.fromEntries(
    conversationTypes.map((t) => [t, openTypes.has(t) ? scale.conversations[t] : Math.round(scale.conversations[t] * factor)]),
  ) as Record<ConversationType, number>;
  const total = conversationTypes.reduce((n, t) => n + conversations[t], 0);
  const within = (n: number, most: number) => Math.max(1, Math.min(most, Math.round(n)));
  const [fewest, most] = scale.powerUsers.memberships;
  return {
    ...scale,
    name: profileScaleName,
    purpose: `the scale file ${scale.name} × ${factor}`,
    users,
    conversations,
    messages: Math.round(scale.messages * factor),
    powerUsers: {
      count: Math.min(scale.powerUsers.count, Math.floor(users / 10)),
      memberships: [within(fewest * factor, total), within(most * factor, total)],
    },
    groupSize: { median: scale.groupSize.median, max: Math.max(3, Math.min(users, scale.groupSize.max)) },
    publicMembers: [within(scale.publicMembers[0] * factor, users), within(scale.publicMembers[1] * factor, users)],
  };
}

/** Average BSON bytes per document, measured at `small` (the profile in test/fixtures/profiles/small.json; test/unit/scale-file.test.ts keeps them equal). */
export const averageDocumentBytes: Readonly<Record<string, number>> = {
  User: 433,
  Conversation: 290,
  ConversationMember: 162,
  Message: 436,
  ConversationReadCursor: 166,
  UserConversationPreferences: 178,
  MessageAttachment: 363,
};

const offBy = (asked: number, seeded: number): number | null =>
  asked === 0 ? (seeded === 0 ? 0 : null) : Math.abs(seeded - asked) / asked;

/** The seeded data's counts beside the scale's: users and each type's conversations (exact), the messages (within a fraction of a percent). */
export function compareScale(scale: ScaleProfile, seeded: DataProfile): FitRow[] {
  const row = (what: string, asked: number, got: number): FitRow => ({ what, profiled: asked, seeded: got, offBy: offBy(asked, got) });
  return [
    row('count User', scale.users, seeded.counts.User),
    ...conversationTypes.map((t) => row(`${t} conversations`, scale.conversations[t], seeded.conversations[t].count)),
    row('count Message', scale.messages, seeded.counts.Message),
  ];
}
