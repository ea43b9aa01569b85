import { readFileSync } from 'node:fs';
import { BSON, type Db, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { Recorder } from '../../src/route-engine/recorder.js';
import { testDb } from '../support/mongo.js';

/**
 * Orderings by a composite's field, a composite list's `_count` and a list's `_count` behind a
 * to-one hop (prisma-composite-order.test.ts) sent to the real mongod; each order compared with
 * the same order computed by hand over the documents the driver reads (ties broken by the id).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const oid = (n: number, kind: number) =>
  new ObjectId(`65f5a6e0${kind.toString(16).padStart(2, '0')}000000000000${n.toString(16).padStart(2, '0')}`);
const hex = (o: ObjectId) => o.toHexString();
const cities = ['Paris', 'Lyon', 'Nice', 'Brest'];
const labelCounts = [2, 0, 3, 1];
const postCounts = [1, 3, 0, 2];

let db: Db;
beforeAll(async () => {
  db = await testDb('compositeorder');
  await db.collection('User').insertMany(
    cities.map((city, i) => ({
      _id: oid(i + 1, 1),
      email: `u${i}@x`,
      name: `u${i}`,
      age: BSON.Long.fromNumber(i),
      role: 'MEMBER',
      address: { street: 's', city },
      labels: Array.from({ length: labelCounts[i] as number }, (_, k) => ({ name: `l${k}`, weight: BSON.Long.fromNumber(k) })),
    })),
  );
  let n = 0;
  const posts = cities.flatMap((_, i) =>
    Array.from({ length: postCounts[i] as number }, () => {
      n += 1;
      return {
        _id: oid(n, 2),
        title: `p${n}`,
        rank: BSON.Long.fromNumber(n),
        published: true,
        authorId: oid(i + 1, 1),
        createdAt: new Date(0),
      };
    }),
  );
  await db.collection('Post').insertMany(posts);
});
const client = (): Client => createPrismaClient(dm, new Recorder(db, { maxTimeMS: 30_000 }));
const ids = (list: { id: string }[]) => list.map((x) => x.id);

describe('composite orderings on mongod', () => {
  it('users by address.city desc', async () => {
    const got = (await client().user.findMany({ orderBy: { address: { city: 'desc' } }, select: { id: true } })) as { id: string }[];
    const byHand = (await db.collection('User').find().toArray())
      .sort((a, b) => (b.address.city as string).localeCompare(a.address.city as string))
      .map((u) => hex(u._id as ObjectId));
    expect(ids(got)).toEqual(byHand);
  });

  it('users by their labels _count asc', async () => {
    const got = (await client().user.findMany({ orderBy: [{ labels: { _count: 'asc' } }, { id: 'asc' }], select: { id: true } })) as {
      id: string;
    }[];
    const byHand = (await db.collection('User').find().toArray())
      .sort((a, b) => (a.labels as unknown[]).length - (b.labels as unknown[]).length)
      .map((u) => hex(u._id as ObjectId));
    expect(ids(got)).toEqual(byHand);
  });

  it("posts by their author's city, then by id", async () => {
    const got = (await client().post.findMany({
      orderBy: [{ author: { address: { city: 'asc' } } }, { id: 'asc' }],
      select: { id: true },
    })) as {
      id: string;
    }[];
    const users = new Map((await db.collection('User').find().toArray()).map((u) => [hex(u._id as ObjectId), u.address.city as string]));
    const byHand = (await db.collection('Post').find().toArray())
      .map((p) => ({ id: hex(p._id as ObjectId), city: users.get(hex(p.authorId as ObjectId)) as string }))
      .sort((a, b) => a.city.localeCompare(b.city) || a.id.localeCompare(b.id))
      .map((p) => p.id);
    expect(ids(got)).toEqual(byHand);
  });

  it("posts by their author's post count desc, then by id", async () => {
    const got = (await client().post.findMany({
      orderBy: [{ author: { posts: { _count: 'desc' } } }, { id: 'asc' }],
      select: { id: true },
    })) as {
      id: string;
    }[];
    const posts = await db.collection('Post').find().toArray();
    const countOf = (author: ObjectId) => posts.filter((p) => (p.authorId as ObjectId).equals(author)).length;
    const byHand = posts
      .map((p) => ({ id: hex(p._id as ObjectId), n: countOf(p.authorId as ObjectId) }))
      .sort((a, b) => b.n - a.n || a.id.localeCompare(b.id))
      .map((p) => p.id);
    expect(ids(got)).toEqual(byHand);
  });
});
