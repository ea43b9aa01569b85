import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { prismaIndexes } from '../../indexes/prisma.js';
import { seededCollections } from '../../seed/collections.js';
import { seededDb } from '../support/seeded.js';

async function indexNames(db: Db): Promise<string[]> {
  const names: string[] = [];
  for (const c of seededCollections) for (const ix of await db.collection(c).listIndexes().toArray()) names.push(`${c}.${ix.name}`);
  return names.sort();
}

describe('baselines', () => {
  it('bare leaves only the _id indexes', async () => {
    const { db, seeded } = await seededDb('bare', 'tiny', 3, 'bare');
    expect(await indexNames(db)).toEqual(seededCollections.map((c) => `${c}._id_`).sort());
    expect(seeded.baselineIndexes).toEqual([]);
  });

  it('prisma builds, after the load, exactly the indexes the Prisma schema declares', async () => {
    const { db, seeded } = await seededDb('prisma', 'tiny', 3, 'prisma');
    const expected = [...seededCollections.map((c) => `${c}._id_`), ...prismaIndexes.map((s) => `${s.collection}.${s.name}`)].sort();
    expect(await indexNames(db)).toEqual(expected);
    expect(seeded.baselineIndexes.map((o) => o.status)).toEqual(prismaIndexes.map(() => 'created'));
    const unique = await db.collection('ConversationMember').listIndexes().toArray();
    expect(unique.find((ix) => ix.name === 'ConversationMember_conversationId_userId_key')?.unique).toBe(true);
  });
});
