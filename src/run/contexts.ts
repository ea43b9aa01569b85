import type { Db, Document } from 'mongodb';
import { executeQuery } from './pattern-query.js';
import type { ClassContext, SampledUser } from '../users/user-classes.js';
import type { PatternSet, QueryPattern, RunPattern } from '../workload.js';

export type { ClassContext } from '../users/user-classes.js';

export function driverRunner(db: Db, maxTimeMS?: number): RunPattern {
  return (pattern: QueryPattern, ctx: unknown): Promise<Document[]> =>
    executeQuery(db, pattern.collection, pattern.build(ctx), { maxTimeMS });
}

/**
 * Follows the route's first steps once per sampled user (memberships, the page, the
 * members shown): those real ids are what every pattern is then explained and timed with.
 */
export async function discoverContexts(db: Db, patterns: PatternSet, users: readonly SampledUser[]): Promise<ClassContext[]> {
  const run = driverRunner(db);
  const out: ClassContext[] = [];
  for (const user of users) {
    const { context, pageSize } = await patterns.context(run, user.userId);
    out.push({ user, context, pageSize });
  }
  return out;
}
