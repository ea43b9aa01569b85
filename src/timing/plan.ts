import type { UserClass } from '../users/user-classes.js';

export const sides = ['before', 'after'] as const;
export type Side = (typeof sides)[number];

/** One timed call, as it happened: the raw record result.json keeps, in call order. */
export interface TimedCall {
  /** 1-based order of the call in the whole timing stage. */
  seq: number;
  round: number;
  side: Side;
  /** 0-based position of the call within its side's block of the round. */
  position: number;
  /** `route` only in results of schema version 2 (the driver route was timed with the patterns). */
  kind: 'route' | 'pattern';
  /** The pattern id ("route" in older results). */
  id: string;
  userClass: UserClass;
  ms: number;
}

/**
 * The fixed statistical plan: how many calls of each kind, whatever the clock says. The
 * time budget only caps it (a capped run is inconclusive for what it could not measure).
 */
export interface TimingPlan {
  /** Rounds; the order of the sides alternates ABBA-style (before, after | after, before | …). */
  rounds: number;
  /** Timed calls per cheap pattern per class per round. */
  patternSamplesPerRound: number;
  /**
   * A pattern whose one call costs more than this (ms, from its explain) on a side is not
   * executed again: the explain's own execution is its one sample (reported without an
   * interval).
   */
  dearMs: number;
}

export const defaultTimingPlan: TimingPlan = { rounds: 2, patternSamplesPerRound: 3, dearMs: 1000 };
