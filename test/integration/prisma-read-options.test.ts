import { readFileSync } from 'node:fs';
import { BSON, type Db, type Document, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { Recorder } from '../../src/route-engine/recorder.js';
import { testDb } from '../support/mongo.js';

/**
 * The read options of prisma-read-options.test.ts (unit) sent to the real mongod, on a small
 * hand-filled database of test/fixtures/prisma/read-options.prisma written with the BSON types
 * Prisma writes (an Int an int64, ids ObjectIds); each answer compared with the same question
 * answered by hand over the same documents, with Prisma's semantics spelled out beside it (a
 * missing field fails every condition but `isSet`: filter.rs `exclude_undefineds`).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
const id = (n: number, kind: number) =>
  new ObjectId(`65f5a6e0${kind.toString(16).padStart(2, '0')}000000000000${n.toString(16).padStart(2, '0')}`);
const long = (n: number) => BSON.Long.fromNumber(n);
const day = (d: number) => new Date(Date.UTC(2026, 0, d));

interface UserDoc {
  _id: ObjectId;
  name: string;
  role: string;
  tags?: string[];
  scores?: number[];
  address?: { street: string; city: string; zip?: string; geo?: { lat: number; lng: number } };
  labels?: { name: string; weight: number }[];
}
const users: UserDoc[] = [
  {
    _id: id(1, 1),
    name: 'ann',
    role: 'ADMIN',
    tags: ['a', 'b'],
    scores: [1, 2],
    address: { street: 's1', city: 'Paris', geo: { lat: 1, lng: 2 } },
    labels: [{ name: 'x', weight: 2 }],
  },
  {
    _id: id(2, 1),
    name: 'bob',
    role: 'MEMBER',
    tags: ['b'],
    scores: [],
    address: { street: 's2', city: 'Lyon' },
    labels: [
      { name: 'x', weight: 0 },
      { name: 'y', weight: 5 },
    ],
  },
  { _id: id(3, 1), name: 'cid', role: 'GUEST', tags: [], scores: [3], labels: [] },
  { _id: id(4, 1), name: 'dee', role: 'MEMBER', address: { street: 's4', city: 'Paris', zip: '75001' } },
  { _id: id(5, 1), name: 'eve', role: 'ADMIN', tags: ['c', 'a'], scores: [2], labels: [{ name: 'z', weight: 1 }] },
];
interface PostDoc {
  _id: ObjectId;
  title: string;
  rank: number;
  authorId: ObjectId;
  createdAt: Date;
  published: boolean;
}
// Ranks repeat (an unstable ordering); createdAt repeats for posts 3/4 and 6/7 (the cursor's equality branch).
const posts: PostDoc[] = [
  [1, 'p1', 1, 1, 1],
  [2, 'p2', 2, 1, 2],
  [3, 'p3', 2, 2, 3],
  [4, 'p4', 3, 2, 3],
  [5, 'p5', 4, 3, 5],
  [6, 'p6', 4, 5, 6],
  [7, 'p7', 5, 5, 6],
  [8, 'p8', 6, 1, 8],
].map(([n, title, rank, author, d]) => ({
  _id: id(n as number, 2),
  title: title as string,
  rank: rank as number,
  authorId: id(author as number, 1),
  createdAt: day(d as number),
  published: (n as number) % 2 === 0,
}));
const conversations = [1, 2, 3].map((n) => ({ _id: id(n, 3), title: `c${n}` }));
const participants = [
  [1, 1, 1, true],
  [2, 1, 2, false],
  [3, 1, 3, true],
  [4, 2, 1, true],
  [5, 2, 4, false],
].map(([n, c, u, active]) => ({
  _id: id(n as number, 4),
  conversationId: id(c as number, 3),
  userId: id(u as number, 1),
  isActive: active as boolean,
}));

// Many-to-many kept as id lists on both sides, consistent: ann in g1, bob in g1 and g2, g3 with no list at all.
const groups: { _id: ObjectId; name: string; userIds?: ObjectId[] }[] = [
  { _id: id(1, 5), name: 'g1', userIds: [id(1, 1), id(2, 1)] },
  { _id: id(2, 5), name: 'g2', userIds: [id(2, 1)] },
  { _id: id(3, 5), name: 'g3' },
];
const groupIdsOf = (u: ObjectId) => groups.filter((g) => g.userIds?.some((x) => x.equals(u))).map((g) => g._id);

let db: Db;
beforeAll(async () => {
  db = await testDb('readoptions');
  await db.collection('User').insertMany(
    users.map((u, i) => ({
      ...u,
      email: `${u.name}@x`,
      age: long(20 + i),
      ...(u.scores ? { scores: u.scores.map(long) } : {}),
      ...(u.labels ? { labels: u.labels.map((l) => ({ ...l, weight: long(l.weight) })) } : {}),
    })),
  );
  await db.collection('Post').insertMany(posts.map((p) => ({ ...p, rank: long(p.rank) })));
  await db.collection('Conversation').insertMany(conversations);
  await db.collection('Group').insertMany(groups);
  for (const u of users) {
    const ids = groupIdsOf(u._id);
    if (ids.length > 0) await db.collection('User').updateOne({ _id: u._id }, { $set: { groupIds: ids } });
  }
  await db.collection('Participant').insertMany(participants);
});

function client() {
  const recorder = new Recorder(db, { maxTimeMS: 30_000 });
  return { prisma: createPrismaClient(dm, recorder), recorder };
}
const hex = (o: ObjectId) => o.toHexString();
const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
const userIds = (list: readonly UserDoc[]) => list.map((u) => ({ id: hex(u._id) }));

describe('cursor', () => {
  it('orderBy createdAt desc, id asc, cursor on p4, skip 1, take 3: the three after the cursor in that order', async () => {
    const { prisma } = client();
    const sorted = [...posts].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || cmp(hex(a._id), hex(b._id)));
    const at = sorted.findIndex((p) => p.title === 'p4');
    const got = await prisma.post.findMany({
      cursor: { id: hex(id(4, 2)) },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: 1,
      take: 3,
      select: { title: true },
    });
    expect(got).toEqual(sorted.slice(at + 1, at + 4).map((p) => ({ title: p.title })));
  });

  it('take -2 from the cursor p5 (implicit order by id): the cursor and the one before, in ascending order', async () => {
    const { prisma } = client();
    const got = await prisma.post.findMany({ cursor: { id: hex(id(5, 2)) }, take: -2, select: { title: true } });
    expect(got).toEqual([{ title: 'p4' }, { title: 'p5' }]);
  });

  it('a compound unique cursor (authorId_rank)', async () => {
    const { prisma } = client();
    const got = await prisma.post.findMany({
      cursor: { authorId_rank: { authorId: hex(id(2, 1)), rank: 2 } },
      take: 2,
      select: { title: true },
    });
    // Implicit order by id from p3 on.
    expect(got).toEqual([{ title: 'p3' }, { title: 'p4' }]);
  });

  it('an unstable ordering (rank, not unique): skip and take applied by the in-memory processor after the cursor row', async () => {
    const { prisma } = client();
    // The cursor p4 has rank 3, the only one; the rows of rank >= 3 in rank order, the cursor first.
    const after = posts.filter((p) => p.rank >= 3).sort((a, b) => a.rank - b.rank);
    const got = (await prisma.post.findMany({
      cursor: { id: hex(id(4, 2)) },
      orderBy: { rank: 'asc' },
      skip: 1,
      take: 2,
      select: { id: true, rank: true },
    })) as { rank: number }[];
    expect(got.map((p) => p.rank)).toEqual(after.slice(1, 3).map((p) => p.rank));
  });
});

describe('distinct', () => {
  it('distinct authorId ordered by createdAt: the first post of each author, then skip 1 take 2', async () => {
    const { prisma, recorder } = client();
    const seen = new Set<string>();
    const firsts = [...posts]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || cmp(hex(a._id), hex(b._id)))
      .filter((p) => (seen.has(hex(p.authorId)) ? false : (seen.add(hex(p.authorId)), true)));
    const got = await prisma.post.findMany({
      distinct: ['authorId'],
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      skip: 1,
      take: 2,
      select: { title: true },
    });
    expect(got).toEqual(firsts.slice(1, 3).map((p) => ({ title: p.title })));
    // Every match was fetched: no $skip/$limit sent.
    expect(recorder.runs.get('post.findMany')?.returnedDocs).toBe(posts.length);
  });
});

describe('orderBy on a relation', () => {
  it("a to-one relation's field: posts by their author's name, then id", async () => {
    const { prisma } = client();
    const name = (p: PostDoc) => users.find((u) => u._id.equals(p.authorId))?.name ?? '';
    const expected = [...posts].sort((a, b) => cmp(name(b), name(a)) || cmp(hex(a._id), hex(b._id))).map((p) => ({ title: p.title }));
    expect(await prisma.post.findMany({ orderBy: [{ author: { name: 'desc' } }, { id: 'asc' }], select: { title: true } })).toEqual(
      expected,
    );
  });

  it("a to-many relation's _count: users by their number of posts, then name", async () => {
    const { prisma } = client();
    const count = (u: UserDoc) => posts.filter((p) => p.authorId.equals(u._id)).length;
    const expected = [...users].sort((a, b) => count(b) - count(a) || cmp(a.name, b.name)).map((u) => ({ name: u.name }));
    expect(await prisma.user.findMany({ orderBy: [{ posts: { _count: 'desc' } }, { name: 'asc' }], select: { name: true } })).toEqual(
      expected,
    );
  });
});

describe('_count with a where per relation', () => {
  it('each conversation with its active participants counted', async () => {
    const { prisma } = client();
    const got = await prisma.conversation.findMany({
      orderBy: { title: 'asc' },
      select: { title: true, _count: { select: { participants: { where: { active: true } } } } },
    });
    expect(got).toEqual(
      conversations.map((c) => ({
        title: c.title,
        _count: { participants: participants.filter((p) => p.conversationId.equals(c._id) && p.isActive).length },
      })),
    );
  });
});

describe('scalar lists and enums (a user without the list fails every list condition but isSet)', () => {
  const has = (u: UserDoc, t: string) => u.tags?.includes(t) ?? false;
  it.each<[string, Document, (u: UserDoc) => boolean]>([
    ['has', { tags: { has: 'a' } }, (u) => has(u, 'a')],
    ['hasEvery', { tags: { hasEvery: ['a', 'b'] } }, (u) => has(u, 'a') && has(u, 'b')],
    ['hasSome', { scores: { hasSome: [2, 3] } }, (u) => (u.scores ?? []).some((s) => s === 2 || s === 3)],
    ['isEmpty', { tags: { isEmpty: true } }, (u) => u.tags !== undefined && u.tags.length === 0],
    ['NOT has', { NOT: { tags: { has: 'a' } } }, (u) => u.tags !== undefined && !has(u, 'a')],
    ['equals', { tags: { equals: ['b'] } }, (u) => JSON.stringify(u.tags) === '["b"]'],
    ['isSet false', { tags: { isSet: false } }, (u) => u.tags === undefined],
    ['an enum in a list', { role: { in: ['ADMIN', 'GUEST'] } }, (u) => u.role === 'ADMIN' || u.role === 'GUEST'],
  ])('%s', async (_label, where, keep) => {
    const { prisma } = client();
    expect(await prisma.user.findMany({ where, orderBy: { id: 'asc' }, select: { id: true } })).toEqual(userIds(users.filter(keep)));
  });
});

describe('composite types', () => {
  const labels = (u: UserDoc) => u.labels;
  it.each<[string, Document, (u: UserDoc) => boolean]>([
    ['is', { address: { is: { city: 'Paris' } } }, (u) => u.address?.city === 'Paris'],
    [
      'isNot (a missing address fails it)',
      { address: { isNot: { city: 'Paris' } } },
      (u) => u.address !== undefined && u.address.city !== 'Paris',
    ],
    [
      'equals shorthand',
      { address: { street: 's2', city: 'Lyon' } },
      (u) => u.address?.street === 's2' && u.address.city === 'Lyon' && Object.keys(u.address).length === 2,
    ],
    ['isSet', { address: { isSet: false } }, (u) => u.address === undefined],
    ['a nested composite field', { address: { is: { geo: { is: { lat: { gte: 1 } } } } } }, (u) => (u.address?.geo?.lat ?? -1) >= 1],
    ['some', { labels: { some: { weight: { gt: 1 } } } }, (u) => (labels(u) ?? []).some((l) => l.weight > 1)],
    [
      'every (an empty list passes, a missing one fails)',
      { labels: { every: { name: 'x' } } },
      (u) => labels(u) !== undefined && (labels(u) ?? []).every((l) => l.name === 'x'),
    ],
    ['none', { labels: { none: { name: 'x' } } }, (u) => labels(u) !== undefined && !(labels(u) ?? []).some((l) => l.name === 'x')],
    ['isEmpty', { labels: { isEmpty: true } }, (u) => labels(u) !== undefined && (labels(u) ?? []).length === 0],
  ])('%s', async (_label, where, keep) => {
    const { prisma } = client();
    expect(await prisma.user.findMany({ where, orderBy: { id: 'asc' }, select: { id: true } })).toEqual(userIds(users.filter(keep)));
  });

  it('a select of embedded fields', async () => {
    const { prisma } = client();
    const got = await prisma.user.findMany({
      orderBy: { id: 'asc' },
      select: { address: { select: { city: true, zip: true } }, labels: true },
    });
    expect(got).toEqual(
      users.map((u) => ({
        address: u.address ? { city: u.address.city, zip: u.address.zip ?? null } : null,
        labels: u.labels ?? [],
      })),
    );
  });
});

describe('many-to-many relations kept as id lists', () => {
  const members = (g: (typeof groups)[number]) => users.filter((u) => g.userIds?.some((x) => x.equals(u._id)));
  it('users with some group named g2; groups none of whose users is ann (a group without a list has none)', async () => {
    const { prisma } = client();
    expect(
      await prisma.user.findMany({ where: { groups: { some: { name: 'g2' } } }, orderBy: { id: 'asc' }, select: { id: true } }),
    ).toEqual(userIds(users.filter((u) => groupIdsOf(u._id).some((g) => g.equals(id(2, 5))))));
    expect(
      await prisma.group.findMany({ where: { users: { none: { name: 'ann' } } }, orderBy: { id: 'asc' }, select: { name: true } }),
    ).toEqual(groups.filter((g) => !members(g).some((u) => u.name === 'ann')).map((g) => ({ name: g.name })));
  });

  it("each user's groups (include), read by the user's id list, in name order; a group's users with a where and a take", async () => {
    const { prisma } = client();
    const got = await prisma.user.findMany({
      orderBy: { id: 'asc' },
      select: { name: true, groups: { orderBy: { name: 'asc' }, select: { name: true } } },
    });
    expect(got).toEqual(
      users.map((u) => ({
        name: u.name,
        groups: groups
          .filter((g) => groupIdsOf(u._id).some((x) => x.equals(g._id)))
          .sort((a, b) => cmp(a.name, b.name))
          .map((g) => ({ name: g.name })),
      })),
    );
    const back = await prisma.group.findMany({
      orderBy: { id: 'asc' },
      select: { name: true, users: { where: { role: { not: 'GUEST' } }, orderBy: { name: 'desc' }, take: 1, select: { name: true } } },
    });
    expect(back).toEqual(
      groups.map((g) => ({
        name: g.name,
        users: members(g)
          .filter((u) => u.role !== 'GUEST')
          .sort((a, b) => cmp(b.name, a.name))
          .slice(0, 1)
          .map((u) => ({ name: u.name })),
      })),
    );
  });

  it('_count of the users of each group, groups ordered by it', async () => {
    const { prisma } = client();
    const got = await prisma.group.findMany({
      orderBy: [{ users: { _count: 'desc' } }, { name: 'asc' }],
      select: { name: true, _count: { select: { users: true } } },
    });
    expect(got).toEqual(
      [...groups]
        .sort((a, b) => members(b).length - members(a).length || cmp(a.name, b.name))
        .map((g) => ({ name: g.name, _count: { users: members(g).length } })),
    );
  });
});

describe('refused before anything is sent', () => {
  it.each<[string, (p: ReturnType<typeof createPrismaClient>) => Promise<unknown>, RegExp]>([
    ['an unknown field', (p) => p.post.findMany({ where: { nope: 1 } }), /no field nope/],
    ['a cursor on a non-unique field', (p) => p.post.findMany({ cursor: { rank: 1 } }), /not a unique field/],
    ['distinct on a relation', (p) => p.post.findMany({ distinct: ['author'] }), /relation field/],
  ])('%s', async (_label, call, message) => {
    const { prisma, recorder } = client();
    const error = await call(prisma).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(recorder.runs.size).toBe(0);
  });
});
