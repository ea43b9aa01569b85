import type { Db } from 'mongodb';
import { TargetStateError } from '../errors.js';
import { userCollections } from './safety.js';

/**
 * Read-only commands measure the application's collections: refuse, before any
 * measurement, a database that does not hold them (usually a wrong --db).
 */
export async function requireApplicationCollections(
  db: Db,
  collections: readonly string[],
  required: readonly string[],
  consequence = 'the route cannot be measured',
): Promise<void> {
  const present = new Set(await userCollections(db));
  const missing = required.filter((c) => !present.has(c));
  // Nothing required (an application without driver-model patterns): one of its collections at least, or it is the wrong database.
  const noneThere = required.length === 0 ? !collections.some((c) => present.has(c)) : missing.length === required.length;
  if (noneThere) {
    const others = [...present].slice(0, 5);
    throw new TargetStateError(
      db.databaseName,
      `none of the application's collections (${collections.join(', ')}) is there${others.length > 0 ? `; it holds ${others.join(', ')}` : ', it is empty'}: check --db`,
    );
  }
  if (missing.length > 0) throw new TargetStateError(db.databaseName, `missing collections ${missing.join(', ')}: ${consequence}`);
}
