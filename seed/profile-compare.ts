import { seededCollections } from './collections.js';
import type { DataProfile } from './data-profile.js';
import { openTypes } from './fitted.js';
import { conversationTypes } from './profiles.js';
import { profileProbabilities, type Quantiles } from '../src/data/quantiles.js';

/** One figure of a profile beside the same figure of the data seeded from it. */
export interface FitRow {
  readonly what: string;
  /** The profile's figure, times the scale factor where it is a count. */
  readonly profiled: number;
  readonly seeded: number;
  /** |seeded − profiled| / profiled; 0 when both are 0, null when only the profile's is 0. */
  readonly offBy: number | null;
}

const offBy = (profiled: number, seeded: number): number | null =>
  profiled === 0 ? (seeded === 0 ? 0 : null) : Math.abs(seeded - profiled) / profiled;

const row = (what: string, profiled: number, seeded: number): FitRow => ({ what, profiled, seeded, offBy: offBy(profiled, seeded) });

/**
 * How close data seeded from a profile is to it: the counts (the profile's times `factor`),
 * each quantile of each distribution (open conversations' members times `factor` too), and
 * the shares. `seeded` is the profile of the seeded
 * database, read the same way.
 */
export function compareProfiles(profiled: DataProfile, seeded: DataProfile, factor: number): FitRow[] {
  const rows: FitRow[] = [];
  for (const c of seededCollections) rows.push(row(`count ${c}`, Math.round(profiled.counts[c] * factor), seeded.counts[c]));
  const quantileRows = (what: string, a: Quantiles, b: Quantiles) =>
    profileProbabilities.forEach((p, i) => rows.push(row(`${what} p${p * 100}`, a.q[i] ?? 0, b.q[i] ?? 0)));
  for (const t of conversationTypes) {
    const [a, b] = [profiled.conversations[t], seeded.conversations[t]];
    if (a.count === 0) continue;
    // Open conversations' members and messages scale with the users (seed/fitted.ts): compared at the factor.
    const atFactor = (q: Quantiles) => (openTypes.has(t) ? { ...q, q: q.q.map((v) => v * factor) } : q);
    quantileRows(`${t} members per conversation`, atFactor(a.members), b.members);
    quantileRows(`${t} messages per conversation`, atFactor(a.messages), b.messages);
    rows.push(row(`${t} inactive share`, a.inactiveShare, b.inactiveShare));
    rows.push(row(`${t} ended membership share`, a.endedShare, b.endedShare));
  }
  quantileRows('memberships per user', profiled.users.memberships, seeded.users.memberships);
  rows.push(row('deleted message share', profiled.messages.deletedShare, seeded.messages.deletedShare));
  // The span is kept at any factor (seed/fitted.ts).
  rows.push(row('messages span days', profiled.messages.spanDays, seeded.messages.spanDays));
  rows.push(row('read cursors per active membership', profiled.perActiveMembership.readCursors, seeded.perActiveMembership.readCursors));
  rows.push(row('preferences per active membership', profiled.perActiveMembership.preferences, seeded.perActiveMembership.preferences));
  return rows;
}
