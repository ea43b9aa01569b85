/**
 * Scale profiles: how much data each `--scale` seeds (its file in seed/scales/), and the
 * shape of the chat application's data that does not change with scale. `indexgate seed
 * --profiles` prints the scales; docs/workload.md explains the choices.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Quantiles } from '../src/data/quantiles.js';

export const scaleNames = ['tiny', 'small', 'medium', 'large'] as const;
export type ScaleName = (typeof scaleNames)[number];

export const conversationTypes = ['direct', 'group', 'public', 'global'] as const;
export type ConversationType = (typeof conversationTypes)[number];

export interface ScaleProfile {
  /** A built-in scale's name, or `profile` for a profile's fitted scale. */
  readonly name: string;
  readonly purpose: string;
  readonly users: number;
  readonly conversations: Readonly<Record<ConversationType, number>>;
  /** Target total of messages; the seeded total is within a fraction of a percent of it. */
  readonly messages: number;
  /** Users in thousands of conversations (the route's worst case). */
  readonly powerUsers: { readonly count: number; readonly memberships: readonly [min: number, max: number] };
  /** Group sizes: log-normal around `median`, at least 3, at most `max`. */
  readonly groupSize: { readonly median: number; readonly max: number };
  /** Members of each public conversation. */
  readonly publicMembers: readonly [min: number, max: number];
  /** Fitted to a data profile (seed/fitted.ts): distributions and shares drawn from it instead of the shapes below. */
  readonly fitted?: FittedShape;
  /** Days of history before the epoch: a profile's span of messages; absent, `dataShape.historyDays` (the built-in scales). */
  readonly historyDays?: number;
}

/** Days of history a scale's data covers, ending at the epoch. */
export const historyDaysOf = (profile: ScaleProfile): number => profile.historyDays ?? dataShape.historyDays;

/**
 * What a data profile sets for the generators: the per-type distributions of members and
 * messages per conversation and of memberships per user (drawn at evenly spaced ranks of
 * their quantile functions, see seed/quantiles.ts), and the shares that `dataShape` holds
 * for the built-in scales.
 */
export interface FittedShape {
  readonly members: Readonly<Record<ConversationType, Quantiles>>;
  readonly messages: Readonly<Record<ConversationType, Quantiles>>;
  readonly memberships: Quantiles;
  /** The power users' memberships, largest first. */
  readonly topMemberships: readonly number[];
  /** No other user has more memberships than this (the largest of the profile's top users after the power users). */
  readonly tailCeiling?: number;
  readonly inactiveRate: Readonly<Record<ConversationType, number>>;
  readonly leftRate: Readonly<Record<ConversationType, number>>;
  readonly softDeletedMessageRate: number;
  readonly readCursorRate: number;
  readonly preferencesRate: number;
}

/** The shares a dataset is generated with: the profile's where it is fitted, else `dataShape`'s. */
export function sharesOf(profile: ScaleProfile): {
  readonly leftRate: Readonly<Record<ConversationType, number>>;
  readonly softDeletedMessageRate: number;
  readonly readCursorRate: number;
  readonly preferencesRate: number;
} {
  return profile.fitted ?? dataShape;
}

/** A scale file: a scale's sizes as data (`seed/scales/<name>.json` for the built-in ones; `--profile` reads one too). */
export const scaleFormat = 'indexgate-scale';
export const scaleVersion = 1;

const count = z.number().int().nonnegative();
const range = z.tuple([count, count]).refine(([min, max]) => min <= max, { message: 'the first number must not exceed the second' });
const scaleFileSchema = z.object({
  format: z.literal(scaleFormat),
  version: z.literal(scaleVersion),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case letters, digits and dashes' }),
  purpose: z.string(),
  users: count.min(1),
  conversations: z.object({ direct: count, group: count, public: count, global: count }),
  messages: count,
  powerUsers: z.object({ count, memberships: range }),
  groupSize: z.object({ median: z.number().min(3), max: count.min(3) }),
  publicMembers: range,
});

/**
 * A scale file's content checked: its format, then what makes it impossible to seed (a group
 * or a room larger than the users, power users in more conversations than there are). Returns
 * the scale, or its first problem in one line, naming the field.
 */
export function checkScale(content: unknown): { ok: true; scale: ScaleProfile } | { ok: false; reason: string } {
  const parsed = scaleFileSchema.safeParse(content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'scale'}: ${issue?.message ?? 'invalid'}` };
  }
  const { format: _format, version: _version, ...scale } = parsed.data;
  const conversations = conversationTypes.reduce((n, t) => n + scale.conversations[t], 0);
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (conversations < 1) return fail('conversations: at least one conversation');
  if (scale.groupSize.median > scale.groupSize.max)
    return fail(`groupSize: the median ${scale.groupSize.median} is above the largest group, ${scale.groupSize.max}`);
  if (scale.conversations.group > 0 && scale.groupSize.max > scale.users)
    return fail(`groupSize.max: ${scale.groupSize.max} members in a group, more than the ${scale.users} users`);
  if (scale.conversations.public > 0 && scale.publicMembers[1] > scale.users)
    return fail(`publicMembers: ${scale.publicMembers[1]} members in a room, more than the ${scale.users} users`);
  if (scale.powerUsers.count > scale.users)
    return fail(`powerUsers.count: ${scale.powerUsers.count} power users, more than the ${scale.users} users`);
  if (scale.powerUsers.memberships[1] > conversations)
    return fail(`powerUsers.memberships: ${scale.powerUsers.memberships[1]} memberships, more than the ${conversations} conversations`);
  return { ok: true, scale };
}

/** Where the built-in scale files are, from this module's source (seed/) or its build (dist/seed/). */
const scaleFile = (name: string) =>
  new URL(import.meta.url.includes('/dist/') ? `../../seed/scales/${name}.json` : `./scales/${name}.json`, import.meta.url);

function builtInScale(name: ScaleName): ScaleProfile {
  const file = fileURLToPath(scaleFile(name));
  const checked = checkScale(JSON.parse(readFileSync(file, 'utf8')));
  if (!checked.ok) throw new Error(`${file}: ${checked.reason}`);
  if (checked.scale.name !== name) throw new Error(`${file}: its name is ${checked.scale.name}, not ${name}`);
  return checked.scale;
}

/** The built-in scales, read from their files (seed/scales/): `--scale tiny` seeds what `seed/scales/tiny.json` holds. */
export const scaleProfiles: Readonly<Record<ScaleName, ScaleProfile>> = Object.fromEntries(
  scaleNames.map((name) => [name, builtInScale(name)]),
) as Record<ScaleName, ScaleProfile>;

/**
 * The shape of the data, the same at every scale. Shares are fractions of 1.
 */
export const dataShape = {
  /** "Now" for the dataset: every date is relative to it, never to the clock. */
  epoch: Date.UTC(2026, 0, 26),
  historyDays: 730,
  /** Log-normal spread of per-user popularity (how often a user is picked as a member). */
  userWeightSigma: 1.0,
  /** Share of all messages written in each conversation type. */
  messageShare: { direct: 0.35, group: 0.4, public: 0.1, global: 0.15 } satisfies Record<ConversationType, number>,
  /** Log-normal spread of messages per conversation within a type: a few conversations hold a large share. */
  messagesPerConversationSigma: 1.5,
  /** Share of users who join each global conversation (the app's `mee_meeshy`). */
  globalJoinRate: 0.9,
  /** Share of memberships that ended (isActive: false, leftAt set). */
  leftRate: { direct: 0, group: 0.08, public: 0.1, global: 0.04 } satisfies Record<ConversationType, number>,
  /** Share of conversations that are no longer active (globals always are). */
  inactiveConversationRate: 0.02,
  softDeletedMessageRate: 0.03,
  /** Share of active memberships with a read cursor, and with a preferences row. */
  readCursorRate: 0.85,
  preferencesRate: 0.35,
  /** Share of read cursors with nothing unread; the others have a geometric number of unread messages. */
  fullyReadRate: 0.7,
  meanUnreadWhenBehind: 6,
} as const;
