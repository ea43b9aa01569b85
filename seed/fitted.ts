import type { DataProfile } from './data-profile.js';
import { type ConversationType, conversationTypes, type ScaleProfile } from './profiles.js';
import type { Quantiles } from './quantiles.js';

/** The scale a profile seeds under (`--profile`): the run's scale name in reports and the dataset's fingerprint. */
export const profileScaleName = 'profile';

const perType = <T>(of: (type: ConversationType) => T): Record<ConversationType, T> =>
  Object.fromEntries(conversationTypes.map((t) => [t, of(t)])) as Record<ConversationType, T>;

/** A distribution over `factor` times as many entities: the same quantiles, n and sum scaled. */
const scaled = (q: Quantiles, factor: number): Quantiles => ({ n: Math.round(q.n * factor), sum: q.sum * factor, q: q.q });

/**
 * The scale that seeds data shaped like a profile, `factor` times its size: as many users,
 * conversations of each type and messages times the factor, each conversation's members and
 * messages drawn from the profile's quantiles per type, and the profile's shares. What is
 * per entity does not change with the factor (a conversation of the profile's median still
 * has the median's messages); the top users' memberships do, as their share of the
 * conversations is kept. Not fitted (docs/profiles.md): the time span (the built-in two
 * years), texts, and correlations between quantities (a conversation's members and messages
 * are drawn independently).
 */
export function fittedScale(profile: DataProfile, factor: number): ScaleProfile {
  const users = Math.max(1, Math.round(profile.counts.User * factor));
  const conversations = perType((t) => Math.round(profile.conversations[t].count * factor));
  const messages = perType((t) => scaled(profile.conversations[t].messages, factor));
  const members = perType((t) => scaled(profile.conversations[t].members, factor));
  const top = profile.users.topMemberships.map((n) => Math.max(1, Math.round(n * factor)));
  const powerUsers = Math.min(top.length, Math.floor(users / 10));
  const group = profile.conversations.group.members.q;
  const pub = profile.conversations.public.members.q;
  const ended = (t: ConversationType) => profile.conversations[t].endedShare;
  const endedShare =
    conversationTypes.reduce((n, t) => n + ended(t) * profile.conversations[t].members.sum, 0) /
    Math.max(
      1,
      conversationTypes.reduce((n, t) => n + profile.conversations[t].members.sum, 0),
    );
  return {
    name: profileScaleName,
    purpose: `fitted to the profile of ${profile.source.database} (${profile.source.profiledAt.slice(0, 10)}) × ${factor}`,
    users,
    conversations,
    messages: Math.round(conversationTypes.reduce((n, t) => n + messages[t].sum, 0)),
    powerUsers: { count: powerUsers, memberships: [top[powerUsers - 1] ?? 0, top[0] ?? 0] },
    groupSize: { median: group[3] ?? 0, max: group[group.length - 1] ?? 0 },
    publicMembers: [pub[0] ?? 0, pub[pub.length - 1] ?? 0],
    fitted: {
      members,
      messages,
      memberships: scaled(profile.users.memberships, factor),
      topMemberships: top.slice(0, powerUsers),
      inactiveRate: perType((t) => profile.conversations[t].inactiveShare),
      leftRate: perType(ended),
      softDeletedMessageRate: profile.messages.deletedShare,
      readCursorRate: Math.min(1, profile.perActiveMembership.readCursors),
      // Ended memberships keep a preferences row a third as often (seed/preferences.ts): per active membership, that adds a share.
      preferencesRate: Math.min(1, profile.perActiveMembership.preferences / (1 + endedShare / (3 * Math.max(1e-9, 1 - endedShare)))),
    },
  };
}
