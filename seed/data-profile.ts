import { z } from 'zod';
import { seededCollections } from './collections.js';
import { type ConversationType, conversationTypes } from './profiles.js';
import { profileProbabilities, type Quantiles } from '../src/data/quantiles.js';

/**
 * A data profile: the shape of a database of the chat application, as `indexgate profile`
 * reads it from staging, in counts, shares and quantiles only. No document, id, name or text
 * is in it (docs/profiles.md); the generators can be fitted to it (seed/fitted.ts).
 */
export const profileFormat = 'indexgate-profile';
export const profileVersion = 1;

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);
const quantiles = z
  .object({
    n: count,
    sum: z.number().nonnegative(),
    q: z.array(z.number().nonnegative()).length(profileProbabilities.length).readonly(),
  })
  .refine((d) => d.q.every((v, i) => i === 0 || v >= (d.q[i - 1] ?? 0)), { message: 'quantiles must not decrease' });

const conversationShape = z.object({
  count,
  /** Share of the type's conversations with isActive false. */
  inactiveShare: share,
  /** Memberships (ConversationMember documents, active or ended) per conversation, conversations without one included. */
  members: quantiles,
  /** Share of the type's memberships that ended (isActive false). */
  endedShare: share,
  /** Messages per conversation (deleted ones included), conversations without one included. */
  messages: quantiles,
});

const documentBytes = z.object({ average: z.number().nonnegative(), sampled: quantiles });

export const dataProfileSchema = z.object({
  format: z.literal(profileFormat),
  version: z.literal(profileVersion),
  source: z.object({ database: z.string(), serverVersion: z.string(), profiledAt: z.string() }),
  counts: z.object(
    Object.fromEntries(seededCollections.map((c) => [c, count])) as Record<(typeof seededCollections)[number], typeof count>,
  ),
  conversations: z.object(
    Object.fromEntries(conversationTypes.map((t) => [t, conversationShape])) as Record<ConversationType, typeof conversationShape>,
  ),
  /** Conversation types the generators do not know, and how many of each. */
  otherConversationTypes: z.record(z.string(), count),
  users: z.object({
    /** Memberships (active or ended) per user, users without one included. */
    memberships: quantiles,
    /** The largest users' membership counts, largest first (numbers only, never who). */
    topMemberships: z.array(count).max(100),
  }),
  messages: z.object({
    deletedShare: share,
    /** Days from the first message to the last, and both days (UTC, to the day). */
    spanDays: z.number().nonnegative(),
    firstDay: z.string().nullable(),
    lastDay: z.string().nullable(),
  }),
  /** Read cursors and preference rows per active membership. */
  perActiveMembership: z.object({ readCursors: z.number().nonnegative(), preferences: z.number().nonnegative() }),
  documentBytes: z.object(
    Object.fromEntries(seededCollections.map((c) => [c, documentBytes])) as Record<
      (typeof seededCollections)[number],
      typeof documentBytes
    >,
  ),
});

export type DataProfile = z.infer<typeof dataProfileSchema>;
export type DistributionQuantiles = Quantiles;

/**
 * A profile file's content checked: its format, then what makes it impossible to seed
 * (more members in a conversation than users, counts that do not add up). Returns the first
 * problem in one line, naming the field.
 */
export function checkProfile(content: unknown): { ok: true; profile: DataProfile } | { ok: false; reason: string } {
  if (typeof content !== 'object' || content === null || (content as { format?: unknown }).format !== profileFormat)
    return {
      ok: false,
      reason: `not an indexgate profile (no "format": "${profileFormat}") nor a scale file ("format": "indexgate-scale"); write one with \`indexgate profile\`, or copy seed/scales/medium.json`,
    };
  const parsed = dataProfileSchema.safeParse(content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'profile'}: ${issue?.message ?? 'invalid'}` };
  }
  const profile = parsed.data;
  const users = profile.counts.User;
  for (const type of conversationTypes) {
    const c = profile.conversations[type];
    const max = c.members.q[c.members.q.length - 1] ?? 0;
    if (max > users)
      return { ok: false, reason: `conversations.${type}.members: ${max} members in a conversation, more than the ${users} users` };
    if (c.members.n !== c.count || c.messages.n !== c.count)
      return { ok: false, reason: `conversations.${type}: members and messages must be over its ${c.count} conversations` };
  }
  const conversations = conversationTypes.reduce((n, t) => n + profile.conversations[t].count, 0);
  const others = Object.values(profile.otherConversationTypes).reduce((n, c) => n + c, 0);
  if (conversations + others !== profile.counts.Conversation)
    return {
      ok: false,
      reason: `conversations: the types add up to ${conversations + others}, counts.Conversation is ${profile.counts.Conversation}`,
    };
  const top = profile.users.topMemberships[0] ?? 0;
  if (top > profile.counts.Conversation)
    return { ok: false, reason: `users.topMemberships: ${top} memberships, more than the ${profile.counts.Conversation} conversations` };
  if (profile.users.memberships.n !== users) return { ok: false, reason: `users.memberships must be over the ${users} users` };
  return { ok: true, profile };
}
