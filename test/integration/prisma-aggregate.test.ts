import { BSON, type Db, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { Recorder } from '../../src/route-engine/recorder.js';
import { testDb } from '../support/mongo.js';

/**
 * aggregate, groupBy, batched findUnique and $transaction of reads, run on the real mongod
 * on a small hand-filled database, each answer compared with the same question answered by
 * hand over the same documents (written with the BSON types Prisma writes: an Int an int64,
 * a Float a double, a BigInt an int64).
 */

const schema = `
datasource db {
  provider = "mongodb"
  url      = env("DATABASE_URL")
}
model User {
  id        String   @id @default(auto()) @map("_id") @db.ObjectId
  email     String   @unique
  age       Int
  name      String?
  score     Float?
  big       BigInt?
  createdAt DateTime
  posts     Post[]
}
model Post {
  id        String  @id @default(auto()) @map("_id") @db.ObjectId
  title     String
  published Boolean
  likes     Int
  authorId  String  @db.ObjectId
  author    User    @relation(fields: [authorId], references: [id])
}
model Membership {
  id      String @id @default(auto()) @map("_id") @db.ObjectId
  userId  String @db.ObjectId
  groupId String @db.ObjectId
  role    String
  @@unique([userId, groupId])
}
`;
const dm = dataModelOf(schema, 'test.prisma');
const long = (n: number) => BSON.Long.fromNumber(n);
const id = (n: number) => new ObjectId(`65f5a6e011000000000000${String(n).padStart(2, '0')}`);

interface U {
  _id: ObjectId;
  email: string;
  age: number;
  name: string | null;
  score: number | null;
  big: bigint | null;
  createdAt: Date;
}
// A name missing (u5) is a null to the client; age 0 (u4) is an Int Prisma's field count does not count (see below).
const users: U[] = [
  { _id: id(1), email: 'a@x', age: 30, name: 'ann', score: 1.5, big: 5_000_000_000n, createdAt: new Date('2024-01-03') },
  { _id: id(2), email: 'b@x', age: 20, name: 'bob', score: 2.25, big: 7n, createdAt: new Date('2024-01-01') },
  { _id: id(3), email: 'c@x', age: 41, name: 'ann', score: null, big: null, createdAt: new Date('2024-01-05') },
  { _id: id(4), email: 'd@x', age: 0, name: 'cid', score: 4, big: 1n, createdAt: new Date('2024-01-02') },
  { _id: id(5), email: 'e@x', age: 18, name: null, score: 0.5, big: 2n, createdAt: new Date('2024-01-04') },
];
const posts = [
  { _id: id(6), title: 't1', published: true, likes: 3, authorId: id(1) },
  { _id: id(7), title: 't2', published: false, likes: 5, authorId: id(1) },
  { _id: id(8), title: 't3', published: true, likes: 8, authorId: id(2) },
  { _id: id(9), title: 't4', published: true, likes: 1, authorId: id(3) },
];

async function seeded(label: string): Promise<Db> {
  const db = await testDb(label);
  await db.collection('User').insertMany(
    users.map((u) => ({
      _id: u._id,
      email: u.email,
      age: long(u.age),
      ...(u.name === null ? {} : { name: u.name }),
      ...(u.score === null ? { score: null } : { score: new BSON.Double(u.score) }),
      big: u.big === null ? null : BSON.Long.fromBigInt(u.big),
      createdAt: u.createdAt,
    })),
  );
  await db.collection('Post').insertMany(posts.map((p) => ({ ...p, likes: long(p.likes) })));
  await db.collection('Membership').insertMany([
    { _id: id(10), userId: id(1), groupId: id(9), role: 'owner' },
    { _id: id(11), userId: id(2), groupId: id(9), role: 'member' },
  ]);
  return db;
}

function client(db: Db) {
  const recorder = new Recorder(db, { maxTimeMS: 30_000 });
  return { prisma: createPrismaClient(dm, recorder), recorder };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const present = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);

describe('aggregate on mongod', () => {
  it('where, orderBy, skip, take, then every aggregate: the same as by hand; one command', async () => {
    const db = await seeded('aggr');
    const { prisma, recorder } = client(db);
    const result = await prisma.user.aggregate({
      where: { age: { gte: 18 } },
      orderBy: { createdAt: 'asc' },
      skip: 1,
      take: 3,
      _count: { _all: true, name: true, score: true },
      _avg: { age: true, score: true },
      _sum: { age: true, score: true, big: true },
      _min: { createdAt: true, email: true },
      _max: { age: true, big: true },
    });
    const picked = users
      .filter((u) => u.age >= 18)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(1, 4);
    const scores = present(picked.map((u) => u.score));
    const bigs = present(picked.map((u) => u.big));
    expect(result).toEqual({
      // Prisma's field count on MongoDB counts the truthy values ($cond if "$f"): here the non-null ones.
      _count: { _all: picked.length, name: present(picked.map((u) => u.name)).length, score: scores.length },
      _avg: { age: sum(picked.map((u) => u.age)) / picked.length, score: sum(scores) / scores.length },
      _sum: { age: sum(picked.map((u) => u.age)), score: sum(scores), big: bigs.reduce((a, b) => a + b, 0n) },
      _min: {
        createdAt: new Date(Math.min(...picked.map((u) => u.createdAt.getTime()))),
        email: [...picked.map((u) => u.email)].sort()[0],
      },
      _max: { age: Math.max(...picked.map((u) => u.age)), big: bigs.reduce((a, b) => (a > b ? a : b)) },
    });
    expect([...recorder.runs.keys()]).toEqual(['user.aggregate']);
  });

  it('_count: true is a number; a relation filter joins; no match: counts 0 and nulls', async () => {
    const db = await seeded('aggr2');
    const { prisma } = client(db);
    expect(await prisma.user.aggregate({ where: { posts: { some: { published: true } } }, _count: true })).toEqual({
      _count: new Set(posts.filter((p) => p.published).map((p) => p.authorId.toHexString())).size,
    });
    expect(
      await prisma.user.aggregate({
        where: { age: { gt: 100 } },
        _count: { _all: true, age: true },
        _avg: { age: true },
        _max: { name: true },
      }),
    ).toEqual({ _count: { age: 0, _all: 0 }, _avg: { age: null }, _max: { name: null } });
  });

  it("a field count on MongoDB counts truthy values only: an Int 0 is not counted (group_by_builder.rs count_field_pair's $cond)", async () => {
    const db = await seeded('aggr3');
    const { prisma } = client(db);
    const result = await prisma.user.aggregate({ _count: { age: true, _all: true } });
    expect(result).toEqual({ _count: { age: users.filter((u) => u.age !== 0).length, _all: users.length } });
    // count({ select }) is the same aggregate, its _count returned.
    expect(await prisma.user.count({ select: { _all: true, name: true } })).toEqual({
      name: present(users.map((u) => u.name)).length,
      _all: users.length,
    });
  });
});

describe('groupBy on mongod', () => {
  it('by, where, having on an aggregate and a by field, orderBy an aggregate then a by field, skip, take: the same rows as by hand', async () => {
    const db = await seeded('group');
    const { prisma, recorder } = client(db);
    const rows = await prisma.post.groupBy({
      by: ['authorId', 'published'],
      where: { likes: { gte: 1 } },
      _count: { _all: true },
      _sum: { likes: true },
      _avg: { likes: true },
      having: { likes: { _sum: { gte: 3 } }, published: true },
      orderBy: [{ _sum: { likes: 'desc' } }, { authorId: 'asc' }],
      skip: 0,
      take: 10,
    });
    const groups = new Map<string, (typeof posts)[number][]>();
    for (const p of posts.filter((x) => x.likes >= 1)) {
      const key = `${p.authorId.toHexString()}|${p.published}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const expected = [...groups.values()]
      .map((g) => ({
        _count: { _all: g.length },
        _sum: { likes: sum(g.map((p) => p.likes)) },
        _avg: { likes: sum(g.map((p) => p.likes)) / g.length },
        authorId: (g[0] as (typeof posts)[number]).authorId.toHexString(),
        published: (g[0] as (typeof posts)[number]).published,
      }))
      .filter((r) => r._sum.likes >= 3 && r.published)
      .sort((a, b) => b._sum.likes - a._sum.likes || (a.authorId < b.authorId ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(recorder.runs.size).toBe(1);
  });

  it('_count of a String in having, _min/_max per group, by a nullable field: the same as by hand', async () => {
    const db = await seeded('group2');
    const { prisma } = client(db);
    const rows = (await prisma.user.groupBy({
      by: ['name'],
      where: { name: { not: null } },
      _min: { age: true },
      _max: { createdAt: true },
      having: { email: { _count: { gte: 1 } } },
      orderBy: { name: 'asc' },
    })) as Document[];
    const names = [...new Set(present(users.map((u) => u.name)))].sort();
    expect(rows).toEqual(
      names.map((name) => {
        const g = users.filter((u) => u.name === name);
        return {
          _min: { age: Math.min(...g.map((u) => u.age)) },
          _max: { createdAt: new Date(Math.max(...g.map((u) => u.createdAt.getTime()))) },
          name,
        };
      }),
    );
  });

  it('a document without the by field is in the null group (mongod writes the missing value as null in _id)', async () => {
    const db = await seeded('group3');
    const { prisma } = client(db);
    const rows = (await prisma.user.groupBy({ by: ['name'], _count: { _all: true }, orderBy: { name: 'asc' } })) as Document[];
    const names = [...new Set(users.map((u) => u.name))];
    expect(rows).toHaveLength(names.length);
    expect(rows.find((r) => r.name === null)).toEqual({ _count: { _all: users.filter((u) => u.name === null).length }, name: null });
  });
});

describe('batched findUnique on mongod', () => {
  it('three findUnique in one tick: one command, each caller the record found by hand (or null)', async () => {
    const db = await seeded('batch');
    const { prisma, recorder } = client(db);
    const emails = ['c@x', 'a@x', 'nobody@x'];
    const found = await Promise.all(emails.map((email) => prisma.user.findUnique({ where: { email }, select: { id: true, age: true } })));
    expect(found).toEqual(
      emails.map((email) => {
        const u = users.find((x) => x.email === email);
        return u ? { id: u._id.toHexString(), age: u.age } : null;
      }),
    );
    expect(recorder.runs.size).toBe(1);
    expect([...recorder.runs.values()][0]?.shapes).toHaveLength(1);
  });

  it('a compound unique and an include: one command for the batch, the nested reads after it; records as by hand', async () => {
    const db = await seeded('batch2');
    const { prisma, recorder } = client(db);
    const [m1, m2] = await Promise.all([
      prisma.membership.findUnique({ where: { userId_groupId: { userId: id(1).toHexString(), groupId: id(9).toHexString() } } }),
      prisma.membership.findUnique({ where: { userId_groupId: { userId: id(2).toHexString(), groupId: id(9).toHexString() } } }),
    ]);
    expect([m1?.role, m2?.role]).toEqual(['owner', 'member']);
    expect(recorder.runs.size).toBe(1);
    const [a, b] = await Promise.all([
      prisma.user.findUnique({ where: { id: id(1).toHexString() }, include: { posts: true } }),
      prisma.user.findUnique({ where: { id: id(2).toHexString() }, include: { posts: true } }),
    ]);
    expect(a?.posts.map((p: Document) => p.title)).toEqual(posts.filter((p) => p.authorId.equals(id(1))).map((p) => p.title));
    expect(b?.posts.map((p: Document) => p.title)).toEqual(posts.filter((p) => p.authorId.equals(id(2))).map((p) => p.title));
  });
});

describe('$transaction of reads on mongod', () => {
  it('the reads in order, their answers as by hand', async () => {
    const db = await seeded('tx');
    const { prisma, recorder } = client(db);
    const [count, list, agg] = await prisma.$transaction([
      prisma.post.count({ where: { published: true } }),
      prisma.user.findMany({ where: { age: { lt: 25 } }, orderBy: { age: 'asc' }, select: { email: true } }),
      prisma.post.aggregate({ _sum: { likes: true } }),
    ]);
    expect(count).toBe(posts.filter((p) => p.published).length);
    expect(list).toEqual(
      users
        .filter((u) => u.age < 25)
        .sort((a, b) => a.age - b.age)
        .map((u) => ({ email: u.email })),
    );
    expect(agg).toEqual({ _sum: { likes: sum(posts.map((p) => p.likes)) } });
    expect([...recorder.runs.keys()]).toEqual(['post.count', 'user.findMany', 'post.aggregate']);
  });

  it('a call Prisma rejects fails the batch when its turn comes: the reads before it were sent (the engine builds and runs each in turn, execute_many_operations), it is not', async () => {
    const db = await seeded('tx2');
    const { prisma, recorder } = client(db);
    const error = await prisma
      .$transaction([prisma.user.count(), prisma.user.groupBy({ by: ['name'], having: { age: { gt: 1 } } })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String(error)).toMatch(/Missing fields: age/);
    // The count before it was sent (Prisma validates each operation as it builds it, in order).
    expect([...recorder.runs.keys()]).toEqual(['user.count']);
  });

  it('groupBy with an unknown by field: refused, nothing sent', async () => {
    const db = await seeded('tx3');
    const { prisma, recorder } = client(db);
    await expect(prisma.user.groupBy({ by: ['nickname'] })).rejects.toBeInstanceOf(PrismaCallError);
    expect(recorder.runs.size).toBe(0);
  });
});
