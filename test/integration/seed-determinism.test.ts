import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { seededCollections } from '../../seed/collections.js';
import { seededDb } from '../support/seeded.js';

/** The server's own content hash of each application collection (the marker, which holds a date, is left out). */
async function hashes(db: Db): Promise<Record<string, string>> {
  const result = await db.command({ dbHash: 1, collections: [...seededCollections] });
  return result.collections as Record<string, string>;
}

describe('seeding is deterministic', () => {
  it('the same (scale, seed) gives byte-identical collections; another seed gives other data', async () => {
    const [a, b, c] = await Promise.all([seededDb('detA', 'tiny', 42), seededDb('detB', 'tiny', 42), seededDb('detC', 'tiny', 43)]);
    const [ha, hb, hc] = await Promise.all([hashes(a.db), hashes(b.db), hashes(c.db)]);
    expect(Object.keys(ha).sort()).toEqual([...seededCollections].sort());
    expect(hb).toEqual(ha);
    for (const collection of seededCollections) expect(hc[collection], collection).not.toBe(ha[collection]);
    expect(a.seeded.fingerprint).toBe(b.seeded.fingerprint);
    expect(c.seeded.fingerprint).not.toBe(a.seeded.fingerprint);
    expect(a.seeded.counts).toEqual(b.seeded.counts);
  });
});
