import { readFileSync } from 'node:fs';
import { BSON, type Db, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { Recorder } from '../../src/route-engine/recorder.js';
import { testDb } from '../support/mongo.js';

/**
 * `cursor` and `distinct` in a nested read (prisma-nested-cursor-distinct.test.ts) sent to the real
 * mongod; each answer compared with the same question answered by hand over the documents the
 * driver reads (Prisma's semantics: per parent, the first row of each distinct value in the
 * read's order; the rows from the cursor's row on, for the parent that holds it).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const oid = (n: number, kind: number) =>
  new ObjectId(`65f5a6e0${kind.toString(16).padStart(2, '0')}000000000000${n.toString(16).padStart(2, '0')}`);
const hex = (o: ObjectId) => o.toHexString();
interface PostDoc {
  _id: ObjectId;
  title: string;
  rank: number;
  authorId: ObjectId;
}
// Titles repeat per author (the distinct); ranks unique per author (the compound unique).
const posts: PostDoc[] = [
  [1, 1, 1, 'a'],
  [2, 1, 2, 'a'],
  [3, 1, 3, 'b'],
  [4, 2, 1, 'b'],
  [5, 2, 2, 'b'],
  [6, 1, 4, 'c'],
  [7, 2, 3, 'a'],
  [8, 3, 1, 'z'],
].map(([n, a, rank, title]) => ({ _id: oid(n as number, 2), authorId: oid(a as number, 1), rank: rank as number, title: title as string }));

let db: Db;
beforeAll(async () => {
  db = await testDb('nestedcursor');
  await db
    .collection('User')
    .insertMany([1, 2, 3].map((n) => ({ _id: oid(n, 1), email: `u${n}@x`, name: `u${n}`, age: BSON.Long.fromNumber(n), role: 'MEMBER' })));
  await db
    .collection('Post')
    .insertMany(
      posts.map((p) => ({ ...p, rank: BSON.Long.fromNumber(p.rank), published: true, createdAt: new Date(Date.UTC(2026, 0, 1)) })),
    );
});
const client = (): Client => createPrismaClient(dm, new Recorder(db, { maxTimeMS: 30_000 }));

async function postsByHand(author: ObjectId, sort: Record<string, 1 | -1>): Promise<PostDoc[]> {
  return (await db.collection('Post').find({ authorId: author }, { sort }).toArray()) as unknown as PostDoc[];
}
const firstOfEach = (list: PostDoc[]) => list.filter((p, i) => list.findIndex((q) => q.title === p.title) === i);

describe('distinct in a nested read on mongod', () => {
  it('each user: the first post of each title by rank desc, then take 2', async () => {
    const got = (await client().user.findMany({
      orderBy: { name: 'asc' },
      select: { id: true, posts: { distinct: ['title'], orderBy: { rank: 'desc' }, take: 2, select: { title: true, rank: true } } },
    })) as { id: string; posts: { title: string; rank: number }[] }[];
    const byHand = await Promise.all(
      [1, 2, 3].map(async (n) => ({
        id: hex(oid(n, 1)),
        posts: firstOfEach(await postsByHand(oid(n, 1), { rank: -1 }))
          .slice(0, 2)
          .map((p) => ({ title: p.title, rank: Number(p.rank) })),
      })),
    );
    expect(got).toEqual(byHand);
  });
});

describe('cursor in a nested read on mongod', () => {
  it('one parent: from the cursor post on, skip 1, take 2 (ordered by rank)', async () => {
    const got = (await client().user.findUnique({
      where: { id: hex(oid(1, 1)) },
      select: { posts: { cursor: { id: hex(oid(2, 2)) }, orderBy: { rank: 'asc' }, skip: 1, take: 2, select: { title: true } } },
    })) as { posts: { title: string }[] };
    const list = await postsByHand(oid(1, 1), { rank: 1 });
    const at = list.findIndex((p) => p._id.equals(oid(2, 2)));
    expect(got.posts).toEqual(list.slice(at + 1, at + 3).map((p) => ({ title: p.title })));
  });

  it("several parents: the cursor's parent gets its posts from the cursor on; the others none", async () => {
    const got = (await client().user.findMany({
      orderBy: { name: 'asc' },
      select: { name: true, posts: { cursor: { authorId_rank: { authorId: hex(oid(2, 1)), rank: 2 } }, take: 5, select: { rank: true } } },
    })) as { name: string; posts: { rank: number }[] }[];
    // Implicit order by id; the cursor is post 5 (author 2, rank 2).
    const two = await postsByHand(oid(2, 1), { _id: 1 });
    const at = two.findIndex((p) => p._id.equals(oid(5, 2)));
    expect(got).toEqual([
      { name: 'u1', posts: [] },
      { name: 'u2', posts: two.slice(at, at + 5).map((p) => ({ rank: Number(p.rank) })) },
      { name: 'u3', posts: [] },
    ]);
  });
});
