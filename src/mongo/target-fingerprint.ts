import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';

/**
 * Names the data of a database indexgate did not seed, cheaply and read-only: counts and
 * the first and last _id of each collection (read from the _id index). Equal data gives
 * an equal fingerprint; a changed collection almost always changes it.
 */
export async function targetFingerprint(db: Db, collections: readonly string[], counts: Readonly<Record<string, number>>): Promise<string> {
  const parts: unknown[] = [];
  for (const name of collections) {
    const coll = db.collection(name);
    const [first] = await coll
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(1)
      .toArray();
    const [last] = await coll
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .limit(1)
      .toArray();
    parts.push([name, counts[name] ?? 0, String(first?._id ?? ''), String(last?._id ?? '')]);
  }
  return `target-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16)}`;
}

/** Exact document counts per collection (the runbook's step 6). */
export async function countDocuments(db: Db, collections: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of collections) counts[name] = await db.collection(name).countDocuments({});
  return counts;
}
