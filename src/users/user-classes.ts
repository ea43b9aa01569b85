import type { Db, Document, ObjectId } from 'mongodb';
import { TargetStateError } from '../errors.js';
import type { UserDefinition } from '../workload.js';

/** Who the route is measured for: a median user, a p99 user, and the user with the most load (conversations, under the built-in rule). */
export const userClasses = ['typical', 'heavy', 'heaviest'] as const;
export type UserClass = (typeof userClasses)[number];

export const userClassPercentile: Readonly<Record<UserClass, number>> = { typical: 50, heavy: 99, heaviest: 100 };

export interface SampledUser {
  readonly userClass: UserClass;
  readonly userId: ObjectId;
  /** The load the user was ranked by: its active memberships under the workload's rule, its related records under a route's `users`. */
  readonly memberships: number;
}

/**
 * How users are ranked: one read-only aggregation on `collection` whose documents are
 * `{ _id: the user's id, n: its load }`, one per user with a load of 1 or more (the sort is
 * added by `sampleUsers`). The workload's rule (`UserDefinition`) is one; a route's `users`
 * declaration another (src/users/route-users.ts).
 */
export interface UserRanking {
  readonly collection: string;
  readonly pipeline: readonly Document[];
  /** The load in words, for messages: "active memberships". */
  readonly load: string;
}

/** The workload's rule: users ranked by their active memberships in its membership collection. */
export function builtInRanking(users: UserDefinition): UserRanking {
  const { collection, userField, activeFilter } = users.memberships;
  return {
    collection,
    pipeline: [{ $match: activeFilter }, { $group: { _id: `$${userField}`, n: { $sum: 1 } } }],
    load: 'active memberships',
  };
}

/**
 * Picks one user per class from the target's own data, deterministically: users ranked
 * ascending by their load (ties by id), then the one at the class's percentile. Users without
 * load are not ranked. Read-only, one aggregation.
 */
export async function sampleUsers(
  db: Db,
  users: UserDefinition | UserRanking,
  classes: readonly UserClass[] = userClasses,
): Promise<SampledUser[]> {
  const ranking = 'pipeline' in users ? users : builtInRanking(users);
  const ranked = await db
    .collection(ranking.collection)
    .aggregate<{ _id: ObjectId; n: number }>([...ranking.pipeline, { $sort: { n: 1, _id: 1 } }], { allowDiskUse: true })
    .toArray();
  if (ranked.length === 0)
    throw new TargetStateError(db.databaseName, `no user has ${ranking.load} (${ranking.collection}): nothing to measure the route with`);
  return classes.map((userClass) => {
    const position = Math.round((userClassPercentile[userClass] / 100) * (ranked.length - 1));
    const user = ranked[position] as { _id: ObjectId; n: number };
    return { userClass, userId: user._id, memberships: user.n };
  });
}

/** One user class with the ids its route works on (found by the run's context stage). */
export interface ClassContext {
  readonly user: SampledUser;
  /** The workload's own context (its `PatternSet.context`): what the patterns are built from. */
  readonly context: unknown;
  readonly pageSize: number;
}
