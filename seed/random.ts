/**
 * The built-in application's random streams; the generator itself (`Rng`, `hash32`) is the
 * engine's (src/data/random.ts).
 */
export { hash32, Rng } from '../src/data/random.js';

/** Named streams, so that two kinds of entity never share random numbers. */
export const streams = {
  user: 1,
  userWeight: 2,
  conversation: 3,
  members: 4,
  timeline: 5,
  messageContent: 6,
  cursors: 7,
  preferences: 8,
  typeShuffle: 9,
  textPool: 10,
  attachments: 11,
  /** The order in which a profile's drawn values are dealt (seed/conversations.ts, seed/members.ts). */
  fitted: 12,
} as const;
