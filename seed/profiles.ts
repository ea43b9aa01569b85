/**
 * Scale profiles: how much data each `--scale` seeds, and the shape of the chat
 * application's data that does not change with scale. `indexgate seed --profiles`
 * prints this table; docs/workload.md explains the choices.
 */
import type { Quantiles } from './quantiles.js';

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

export const scaleProfiles: Readonly<Record<ScaleName, ScaleProfile>> = {
  tiny: {
    name: 'tiny',
    purpose: 'tests: seeds in seconds',
    users: 400,
    conversations: { direct: 600, group: 120, public: 4, global: 1 },
    messages: 12_000,
    powerUsers: { count: 3, memberships: [150, 250] },
    groupSize: { median: 6, max: 60 },
    publicMembers: [40, 150],
  },
  small: {
    name: 'small',
    purpose: 'integration tests and quick local runs',
    users: 4_000,
    conversations: { direct: 7_000, group: 1_200, public: 10, global: 2 },
    messages: 120_000,
    powerUsers: { count: 5, memberships: [600, 1_500] },
    groupSize: { median: 6, max: 200 },
    publicMembers: [300, 1_500],
  },
  medium: {
    name: 'medium',
    purpose: 'default for bench: about 1 million messages',
    users: 25_000,
    conversations: { direct: 50_000, group: 8_000, public: 20, global: 3 },
    messages: 1_000_000,
    powerUsers: { count: 12, memberships: [1_500, 4_000] },
    groupSize: { median: 6, max: 300 },
    publicMembers: [1_000, 5_000],
  },
  large: {
    name: 'large',
    purpose: 'about 10 million messages: a production-sized staging copy',
    users: 200_000,
    conversations: { direct: 400_000, group: 60_000, public: 60, global: 5 },
    messages: 10_000_000,
    powerUsers: { count: 40, memberships: [3_000, 10_000] },
    groupSize: { median: 6, max: 500 },
    publicMembers: [2_000, 20_000],
  },
};

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
