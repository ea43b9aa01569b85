import type { Db, Document } from 'mongodb';
import type { PatternContext, QueryPattern } from '../../bench/patterns.js';
import { patternContext, type RunPattern } from '../../bench/patterns.js';
import { executeQuery } from '../patterns/execute.js';
import type { ClassContext, SampledUser } from '../users/user-classes.js';

export type { ClassContext } from '../users/user-classes.js';

export function driverRunner(db: Db, maxTimeMS?: number): RunPattern {
  return (pattern: QueryPattern, ctx: PatternContext): Promise<Document[]> =>
    executeQuery(db, pattern.collection, pattern.build(ctx), { maxTimeMS });
}

/**
 * Follows the route's first steps once per sampled user (memberships, the page, the
 * members shown): those real ids are what every pattern is then explained and timed with.
 */
export async function discoverContexts(db: Db, users: readonly SampledUser[]): Promise<ClassContext[]> {
  const run = driverRunner(db);
  const out: ClassContext[] = [];
  for (const user of users) {
    const { context, pageSize } = await patternContext(run, { userId: user.userId });
    out.push({ user, context, pageSize });
  }
  return out;
}
