import { readFileSync } from 'node:fs';
import { BSON, type Db, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { Recorder } from '../../src/route-engine/recorder.js';
import { testDb } from '../support/mongo.js';

/**
 * `omit` and an interactive `$transaction(async (tx) => …)` of reads (prisma-omit.test.ts,
 * prisma-interactive-transaction.test.ts) sent to the real mongod over a few documents of
 * test/fixtures/prisma/read-options.prisma, each answer compared with the same question answered
 * by hand with the driver.
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const oid = (n: number, kind: number) =>
  new ObjectId(`65f5a6e0${kind.toString(16).padStart(2, '0')}000000000000${n.toString(16).padStart(2, '0')}`);
const long = (n: number) => BSON.Long.fromNumber(n);
const hex = (o: ObjectId) => o.toHexString();

let db: Db;
beforeAll(async () => {
  db = await testDb('omittx');
  await db.collection('User').insertMany(
    ['ann', 'bob', 'cid'].map((name, i) => ({
      _id: oid(i + 1, 1),
      email: `${name}@x`,
      name,
      age: long(20 + i),
      role: 'MEMBER',
      tags: [name],
      scores: [long(i)],
      address: { street: `s${i}`, city: i === 0 ? 'Paris' : 'Lyon' },
    })),
  );
  await db.collection('Post').insertMany(
    [1, 2, 3, 4].map((n) => ({
      _id: oid(n, 2),
      title: `p${n}`,
      rank: long(n),
      published: n % 2 === 0,
      authorId: oid(((n - 1) % 3) + 1, 1),
      createdAt: new Date(Date.UTC(2026, 0, n)),
    })),
  );
});

const client = (): Client => createPrismaClient(dm, new Recorder(db, { maxTimeMS: 30_000 }));

describe('omit on mongod', () => {
  it('findMany with omit returns every field but the omitted ones, as the driver reads them', async () => {
    const got = (await client().user.findMany({ omit: { email: true, address: true, scores: true }, orderBy: { name: 'asc' } })) as {
      id: string;
      name: string;
      email?: string;
      address?: unknown;
    }[];
    const byHand = await db
      .collection('User')
      .find({}, { sort: { name: 1 } })
      .toArray();
    expect(got.map((u) => u.id)).toEqual(byHand.map((u) => hex(u._id as ObjectId)));
    expect(got.map((u) => u.name)).toEqual(byHand.map((u) => u.name as string));
    for (const u of got) {
      expect(u).not.toHaveProperty('email');
      expect(u).not.toHaveProperty('address');
      expect(u).not.toHaveProperty('scores');
      expect(u).toHaveProperty('tags');
    }
  });

  it('include with an omit on both sides: the author is joined by its omitted link, neither returns the omitted fields', async () => {
    const got = (await client().post.findMany({
      where: { published: true },
      omit: { authorId: true, createdAt: true },
      include: { author: { omit: { email: true, address: true } } },
      orderBy: { rank: 'asc' },
    })) as { title: string; author: { name: string } }[];
    const posts = await db
      .collection('Post')
      .find({ published: true }, { sort: { rank: 1 } })
      .toArray();
    const names = await Promise.all(
      posts.map(async (p) => (await db.collection('User').findOne({ _id: p.authorId as ObjectId }))?.name as string),
    );
    expect(got.map((p) => [p.title, p.author.name])).toEqual(posts.map((p, i) => [p.title as string, names[i]]));
    expect(got[0]).not.toHaveProperty('authorId');
    expect(got[0]?.author).not.toHaveProperty('email');
  });
});

describe('interactive $transaction of reads on mongod', () => {
  it('the callback reads, one after the other and in one tick, answer as the driver does', async () => {
    const prisma = client();
    const got = await prisma.$transaction(async (tx: Client) => {
      const ann = (await tx.user.findUniqueOrThrow({ where: { email: 'ann@x' }, select: { id: true } })) as { id: string };
      const [count, titles] = await Promise.all([
        tx.post.count({ where: { authorId: ann.id } }),
        tx.post.findMany({ where: { published: true }, select: { title: true }, orderBy: { title: 'desc' } }),
      ]);
      return { count, titles };
    });
    const ann = await db.collection('User').findOne({ email: 'ann@x' });
    const count = await db.collection('Post').countDocuments({ authorId: ann?._id });
    const titles = (
      await db
        .collection('Post')
        .find({ published: true }, { sort: { title: -1 } })
        .toArray()
    ).map((p) => ({ title: p.title as string }));
    expect(got).toEqual({ count, titles });
  });

  it('two findUnique of one tick inside it: one command, each caller its record', async () => {
    const recorder = new Recorder(db, { maxTimeMS: 30_000 });
    const prisma = createPrismaClient(dm, recorder);
    const [a, b] = (await prisma.$transaction(async (tx: Client) =>
      Promise.all([tx.user.findUnique({ where: { email: 'bob@x' } }), tx.user.findUnique({ where: { email: 'cid@x' } })]),
    )) as { name: string }[];
    expect([a?.name, b?.name]).toEqual(['bob', 'cid']);
    expect([...recorder.runs.keys()]).toEqual(['user.findUnique']);
  });
});
