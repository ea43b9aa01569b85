import type { DataProfile } from './data-profile.js';
import { type ConversationType, conversationTypes, type ScaleProfile } from './profiles.js';
import { profileProbabilities, type Quantiles } from '../src/data/quantiles.js';

/** The scale a profile seeds under (`--profile`): the run's scale name in reports and the dataset's fingerprint. */
export const profileScaleName = 'profile';

const perType = <T>(of: (type: ConversationType) => T): Record<ConversationType, T> =>
  Object.fromEntries(conversationTypes.map((t) => [t, of(t)])) as Record<ConversationType, T>;

/** The shortest history a fitted scale covers: users sign up over all but its last week. */
export const minHistoryDays = 14;

/** Conversation types anyone may join: their members are a share of the users. */
export const openTypes: ReadonlySet<ConversationType> = new Set(['public', 'global']);

/**
 * The scale that seeds data shaped like a profile, `factor` times its size, every count
 * scaling linearly:
 *  - users × factor;
 *  - direct and group conversations × factor, each one's members and messages drawn from
 *    the profile's quantiles per type (a median conversation keeps the median's messages,
 *    a group its size);
 *  - public and global conversations (open to everyone, the app's rooms: the built-in
 *    scales keep a handful at any size) as many as in the profile, their members and
 *    messages × factor (a share of the users, and their activity);
 *  - the power users' memberships × factor (their share of the conversations).
 *  - the data covers the profile's span of messages (at least `minHistoryDays`), ending at
 *    the dataset's epoch, whatever the factor.
 * Not fitted (docs/profiles.md): texts, and correlations between quantities (a
 * conversation's members and messages are drawn independently).
 */
export function fittedScale(profile: DataProfile, factor: number): ScaleProfile {
  const users = Math.max(1, Math.round(profile.counts.User * factor));
  const conversations = perType((t) => {
    const count = profile.conversations[t].count;
    return openTypes.has(t) ? count : Math.round(count * factor);
  });
  const atFactor = (t: ConversationType, q: Quantiles, most = Infinity): Quantiles =>
    openTypes.has(t)
      ? { n: q.n, sum: q.sum * factor, q: q.q.map((v) => Math.min(most, v * factor)) }
      : { n: conversations[t], sum: (q.sum * conversations[t]) / Math.max(1, q.n), q: q.q };
  const messages = perType((t) => atFactor(t, profile.conversations[t].messages));
  const members = perType((t) => atFactor(t, profile.conversations[t].members, users));
  // Power users: the top users far above the 99th percentile (3 times it). They keep their share
  // of the conversations at any factor; the other top users are the distribution's tail.
  const p99 = profile.users.memberships.q[profileProbabilities.indexOf(0.99)] ?? 0;
  const outliers = profile.users.topMemberships.filter((n) => n > 3 * p99);
  const powerUsers = Math.min(outliers.length, Math.floor(users / 10));
  const top = outliers.slice(0, powerUsers).map((n) => Math.max(1, Math.round(n * factor)));
  const tail = profile.users.topMemberships[powerUsers];
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
    // A profile without messages has no span: the built-in history.
    ...(profile.messages.spanDays > 0 ? { historyDays: Math.max(minHistoryDays, Math.round(profile.messages.spanDays)) } : {}),
    publicMembers: [pub[0] ?? 0, pub[pub.length - 1] ?? 0],
    fitted: {
      members,
      messages,
      // Per user, as in the profile: the conversations a user can be in scale with the users.
      memberships: {
        n: users,
        sum: (profile.users.memberships.sum * users) / Math.max(1, profile.users.memberships.n),
        q: profile.users.memberships.q,
      },
      topMemberships: top,
      ...(tail !== undefined ? { tailCeiling: tail } : {}),
      inactiveRate: perType((t) => profile.conversations[t].inactiveShare),
      leftRate: perType(ended),
      softDeletedMessageRate: profile.messages.deletedShare,
      readCursorRate: Math.min(1, profile.perActiveMembership.readCursors),
      // Ended memberships keep a preferences row a third as often (seed/preferences.ts): per active membership, that adds a share.
      preferencesRate: Math.min(1, profile.perActiveMembership.preferences / (1 + endedShare / (3 * Math.max(1e-9, 1 - endedShare)))),
    },
  };
}
