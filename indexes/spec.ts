import type { SeededCollection } from '../seed/collections.js';

export const priorities = ['P0', 'P1', 'P2'] as const;
export type Priority = (typeof priorities)[number];

/** Ascending or descending, as createIndex takes them. */
export type KeyPattern = Readonly<Record<string, 1 | -1>>;

/** One index, as data: what to create and what it is meant to do. */
export interface IndexSpec {
  readonly name: string;
  readonly collection: SeededCollection;
  readonly key: KeyPattern;
  readonly unique?: boolean;
  /** Only for the six: the runbook's priority and expected impact. */
  readonly priority?: Priority;
  readonly expectedImpact?: string;
  readonly purpose?: string;
}
