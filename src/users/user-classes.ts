import type { Db, ObjectId } from 'mongodb';
import { TargetStateError } from '../errors.js';
import type { UserDefinition } from '../workload.js';

/** Who the route is measured for: a median user, a p99 user, and the user in the most conversations. */
export const userClasses = ['typical', 'heavy', 'heaviest'] as const;
export type UserClass = (typeof userClasses)[number];

export const userClassPercentile: Readonly<Record<UserClass, number>> = { typical: 50, heavy: 99, heaviest: 100 };

export interface SampledUser {
  readonly userClass: UserClass;
  readonly userId: ObjectId;
  /** Active memberships of that user. */
  readonly memberships: number;
}

/**
 * Picks one user per class from the target's own data, deterministically: users ranked
 * by active memberships (ties by id), then the one at the class's percentile. Read-only.
 */
export async function sampleUsers(db: Db, users: UserDefinition, classes: readonly UserClass[] = userClasses): Promise<SampledUser[]> {
  const { collection, userField, activeFilter } = users.memberships;
  const ranked = await db
    .collection(collection)
    .aggregate<{ _id: ObjectId; n: number }>(
      [{ $match: activeFilter }, { $group: { _id: `$${userField}`, n: { $sum: 1 } } }, { $sort: { n: 1, _id: 1 } }],
      {
        allowDiskUse: true,
      },
    )
    .toArray();
  if (ranked.length === 0)
    throw new TargetStateError(db.databaseName, `${collection} holds no active membership: nothing to measure the route with`);
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
