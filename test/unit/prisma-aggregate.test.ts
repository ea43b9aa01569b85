import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * aggregate, groupBy, batched findUnique and $transaction of reads, rendered: each expected
 * shape is the one Prisma 6.19's MongoDB connector writes, read from prisma/prisma-engines
 * @2ba551f3 (file and function beside each case). Values are compared as BSON.
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
  active    Boolean  @default(true)
  nick      String?  @map("nick_name")
  createdAt DateTime @default(now())
  posts     Post[]
}
model Post {
  id        String  @id @default(auto()) @map("_id") @db.ObjectId
  title     String
  published Boolean @default(false)
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
type Client = ReturnType<typeof createPrismaClient>;
const U1 = '65f5a6e01100000000000001';
const U2 = '65f5a6e01100000000000002';
const G1 = '65f5a6e01300000000000001';
const oid = (hex: string) => new ObjectId(hex);
const lit = (v: unknown) => ({ $literal: v });
const G = (cond: Document, f: string) => ({ $and: [cond, { $ne: [f, '$$REMOVE'] }] });
const eq = (f: string, v: unknown) => G({ $eq: [f, lit(v)] }, f);
const long = (n: number) => BSON.Long.fromNumber(n);
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));

async function render(call: (prisma: Client) => Promise<unknown>, answer?: (s: Sent) => Document[]) {
  const transport = new FakeTransport(answer);
  const result = await call(createPrismaClient(dm, transport));
  return { sent: transport.sent, result };
}

describe('aggregate: the where, order, skip and take on the documents, then one $group (root_queries/aggregate.rs; read_query_builder.rs into_pipeline_stages, !is_group_by_query)', () => {
  it('_count: true is _count: { _all: true } (client aggregate.ts desugarCountInUserArgs): $group count_all, no $project; unpacked to a number', async () => {
    const { sent, result } = await render(
      (p) => p.user.aggregate({ where: { age: { gt: 18 } }, _count: true }),
      () => [{ _id: null, count_all: 7 }],
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.step).toBe('user.aggregate');
    same(sent[0]?.pipeline, [
      { $match: { $expr: G({ $gt: ['$age', lit(long(18))] }, '$age') } },
      { $group: { _id: null, count_all: { $sum: 1 } } },
    ]);
    expect(result).toEqual({ _count: 7 });
  });

  it('every aggregate: <kind>_<db name> keys; a field count pushes a $cond per document and a $project sums it (group_by_builder.rs GroupByBuilder::render, count_field_pair); take without orderBy orders by _id (finalize_arguments)', async () => {
    const { sent } = await render((p) =>
      p.user.aggregate({
        skip: 1,
        take: 10,
        _count: { _all: true, name: true },
        _avg: { age: true },
        _sum: { age: true, score: true },
        _min: { createdAt: true },
        _max: { age: true },
      }),
    );
    same(sent[0]?.pipeline, [
      { $sort: { _id: 1 } },
      { $skip: long(1) },
      { $limit: long(10) },
      {
        $group: {
          _id: null,
          count_all: { $sum: 1 },
          push_name: { $push: '$name' },
          count_name: { $push: { $cond: { if: '$name', then: 1, else: 0 } } },
          avg_age: { $avg: '$age' },
          sum_age: { $sum: '$age' },
          sum_score: { $sum: '$score' },
          min_createdAt: { $min: '$createdAt' },
          max_age: { $max: '$age' },
        },
      },
      {
        $project: {
          count_all: 1,
          count_name: { $sum: '$count_name' },
          avg_age: 1,
          sum_age: 1,
          sum_score: 1,
          min_createdAt: 1,
          max_age: 1,
        },
      },
    ]);
  });

  it('orderBy and a negative take: the $sort reversed, the $limit its absolute value, before the $group', async () => {
    const { sent } = await render((p) => p.user.aggregate({ orderBy: { age: 'desc' }, take: -3, _max: { age: true } }));
    same(sent[0]?.pipeline, [{ $sort: { age: 1 } }, { $limit: long(3) }, { $group: { _id: null, max_age: { $max: '$age' } } }]);
  });

  it('a relation filter: its $lookup and the post-join $match before the $group', async () => {
    const { sent } = await render((p) => p.user.aggregate({ where: { posts: { some: { published: true } } }, _count: { _all: true } }));
    const stages = (sent[0]?.pipeline ?? []).map((s) => Object.keys(s)[0]);
    expect(stages).toEqual(['$lookup', '$match', '$group']);
  });

  it('results as the connector reads them (value.rs read_scalar_value): _avg a Float, _sum of an Int an Int, of a BigInt a bigint, _min of a DateTime a Date, counts numbers', async () => {
    const { result } = await render(
      (p) =>
        p.user.aggregate({
          _count: { _all: true, name: true },
          _avg: { age: true },
          _sum: { age: true, big: true },
          _min: { createdAt: true },
        }),
      () => [
        {
          _id: null,
          count_all: 3,
          count_name: 2,
          avg_age: 20.5,
          sum_age: long(41),
          sum_big: BSON.Long.fromString('9007199254740993'),
          min_createdAt: new Date(0),
        },
      ],
    );
    expect(result).toEqual({
      _count: { name: 2, _all: 3 },
      _avg: { age: 20.5 },
      _sum: { age: 41, big: 9007199254740993n },
      _min: { createdAt: new Date(0) },
    });
  });

  it('count({ select: { _all, field } }): the aggregate with _count: select, its _count returned (client aggregates/count.ts)', async () => {
    const { sent, result } = await render(
      (p) => p.user.count({ where: { age: 3 }, select: { _all: true, name: true } }),
      () => [{ _id: null, count_all: 4, count_name: 3 }],
    );
    same(sent[0]?.pipeline, [
      { $match: { $expr: eq('$age', long(3)) } },
      {
        $group: {
          _id: null,
          count_all: { $sum: 1 },
          push_name: { $push: '$name' },
          count_name: { $push: { $cond: { if: '$name', then: 1, else: 0 } } },
        },
      },
      { $project: { count_all: 1, count_name: { $sum: '$count_name' } } },
    ]);
    expect(sent[0]?.step).toBe('user.count');
    expect(result).toEqual({ name: 3, _all: 4 });
  });

  it('no document: empty_aggregation (aggregate.rs): counts 0, every other aggregate null', async () => {
    const { result } = await render((p) =>
      p.user.aggregate({ _count: { _all: true, age: true }, _sum: { age: true }, _max: { email: true } }),
    );
    expect(result).toEqual({ _count: { age: 0, _all: 0 }, _sum: { age: null }, _max: { email: null } });
  });
});

describe('groupBy: $group by the by fields under _id, having, then the order, skip and take on the groups (read_query_builder.rs with_groupings, into_pipeline_stages is_group_by_query)', () => {
  it('by, where, _count, _sum, having, orderBy by a by field and by an aggregate, skip, take', async () => {
    const { sent, result } = await render(
      (p) =>
        p.user.groupBy({
          by: ['name'],
          where: { active: true },
          _count: { _all: true },
          _sum: { age: true },
          having: { age: { _avg: { gt: 20 } }, name: { not: 'x' } },
          orderBy: [{ _sum: { age: 'desc' } }, { name: 'asc' }],
          skip: 0,
          take: 5,
        }),
      () => [
        { _id: { name: 'b' }, count_all: 2, sum_age: 50, avg_age: 25 },
        { _id: { name: null }, count_all: 1, sum_age: 21, avg_age: 21 },
      ],
    );
    same(sent[0]?.pipeline, [
      { $match: { $expr: eq('$active', true) } },
      // having's aggregate joins the $group (group_by_builder.rs with_having_filter)
      { $group: { _id: { name: '$name' }, count_all: { $sum: 1 }, sum_age: { $sum: '$age' }, avg_age: { $avg: '$age' } } },
      // filter.rs aggregate_conditions: `$avg_age`, the value a $literal of the field's type; a by field under `$_id.`
      {
        $match: {
          $expr: { $and: [G({ $gt: ['$avg_age', lit(long(20))] }, '$avg_age'), G({ $ne: ['$_id.name', lit('x')] }, '$_id.name')] },
        },
      },
      // orderby.rs build(is_group_by): `sum_age`, `_id.name`
      { $sort: { sum_age: -1, '_id.name': 1 } },
      { $skip: long(0) },
      { $limit: long(5) },
    ]);
    expect(result).toEqual([
      { _count: { _all: 2 }, _sum: { age: 50 }, name: 'b' },
      { _count: { _all: 1 }, _sum: { age: 21 }, name: null },
    ]);
  });

  it('having _count of a non-numeric field: the value a bare int64, no $literal (filter.rs coerce_to_bson_for_filter); the count pushed and summed', async () => {
    const { sent } = await render((p) => p.user.groupBy({ by: ['age'], having: { email: { _count: { gte: 2 } } } }));
    same(sent[0]?.pipeline, [
      {
        $group: {
          _id: { age: '$age' },
          push_email: { $push: '$email' },
          count_email: { $push: { $cond: { if: '$email', then: 1, else: 0 } } },
        },
      },
      { $project: { count_email: { $sum: '$count_email' } } },
      { $match: { $expr: G({ $gte: ['$count_email', long(2)] }, '$count_email') } },
    ]);
  });

  it('a mapped field: its database name in _id, the keys and the references; its client name in the row', async () => {
    const { sent, result } = await render(
      (p) => p.user.groupBy({ by: ['nick'], _max: { nick: true }, having: { nick: { startsWith: 'a' } }, orderBy: { nick: 'desc' } }),
      () => [{ _id: { nick_name: 'ab' }, max_nick_name: 'ab' }],
    );
    same(sent[0]?.pipeline, [
      { $group: { _id: { nick_name: '$nick_name' }, max_nick_name: { $max: '$nick_name' } } },
      { $match: { $expr: G({ $regexMatch: { input: '$_id.nick_name', regex: '^a', options: '' } }, '$_id.nick_name') } },
      { $sort: { '_id.nick_name': -1 } },
    ]);
    expect(result).toEqual([{ _max: { nick: 'ab' }, nick: 'ab' }]);
  });

  it('having with OR and NOT over a by field and aggregates (filter.rs visit_boolean_operator, aggregate_conditions inverted under NOT)', async () => {
    const { sent } = await render((p) =>
      p.user.groupBy({
        by: ['age'],
        having: { OR: [{ age: 1 }, { score: { _max: { lt: 2 } } }], NOT: { age: { _count: { equals: 0 } } } },
      }),
    );
    same(sent[0]?.pipeline?.slice(1), [
      {
        $project: { max_score: 1, count_age: { $sum: '$count_age' } },
      },
      {
        $match: {
          $expr: {
            $and: [
              { $or: [eq('$_id.age', long(1)), G({ $lt: ['$max_score', lit(new BSON.Double(2))] }, '$max_score')] },
              { $and: [G({ $ne: ['$count_age', lit(long(0))] }, '$count_age')] },
            ],
          },
        },
      },
    ]);
  });

  it('_count: true on groupBy: each row unpacked to a number (client groupBy.ts createUnpacker); by as a single string', async () => {
    const { result } = await render(
      (p) => p.post.groupBy({ by: 'published', _count: true }),
      () => [{ _id: { published: true }, count_all: 4 }],
    );
    expect(result).toEqual([{ _count: 4, published: true }]);
  });

  it('by an ObjectId field: the hex string back; no group: []', async () => {
    const { result } = await render(
      (p) => p.post.groupBy({ by: ['authorId'], _count: { _all: true } }),
      () => [{ _id: { authorId: oid(U1) }, count_all: 1 }],
    );
    expect(result).toEqual([{ _count: { _all: 1 }, authorId: U1 }]);
    expect((await render((p) => p.post.groupBy({ by: ['authorId'] }))).result).toEqual([]);
  });
});

describe('batched findUnique: one tick, one batch id, one findMany (query_document/mod.rs BatchDocument::compact; selection.rs In)', () => {
  const users = [
    { _id: oid(U1), email: 'a' },
    { _id: oid(U2), email: 'b' },
  ];

  it('two findUnique by the same field: one command, `in` rendered as an $or of $eq with its guard, the field selected and removed, each caller its record', async () => {
    const { sent, result } = await render(
      (p) =>
        Promise.all([
          p.user.findUnique({ where: { email: 'b' }, select: { id: true } }),
          p.user.findUnique({ where: { email: 'a' }, select: { id: true } }),
          p.user.findUnique({ where: { email: 'z' }, select: { id: true } }),
        ]),
      () => users,
    );
    expect(sent).toHaveLength(1);
    same(sent[0]?.pipeline, [
      {
        $match: {
          $expr: G({ $or: [{ $eq: ['$email', lit('b')] }, { $eq: ['$email', lit('a')] }, { $eq: ['$email', lit('z')] }] }, '$email'),
        },
      },
      { $project: { _id: 1, email: 1 } },
    ]);
    expect(result).toEqual([{ id: U2 }, { id: U1 }, null]);
  });

  it('a compound unique: an OR of ANDs of equals (SelectionSet::Multi)', async () => {
    const { sent } = await render((p) =>
      Promise.all([
        p.membership.findUnique({ where: { userId_groupId: { userId: U1, groupId: G1 } } }),
        p.membership.findUnique({ where: { userId_groupId: { userId: U2, groupId: G1 } } }),
      ]),
    );
    expect(sent).toHaveLength(1);
    same(sent[0]?.pipeline?.[0], {
      $match: {
        $expr: {
          $or: [{ $and: [eq('$userId', oid(U1)), eq('$groupId', oid(G1))] }, { $and: [eq('$userId', oid(U2)), eq('$groupId', oid(G1))] }],
        },
      },
    });
  });

  it('not compacted, sent as separate commands: findUnique with findUniqueOrThrow (the operation names differ), other nested selections, a filter that is not an equality', async () => {
    const twice = async (call: (p: Client) => Promise<unknown>) => (await render(call, () => users)).sent.length;
    expect(
      await twice((p) => Promise.all([p.user.findUnique({ where: { email: 'a' } }), p.user.findUniqueOrThrow({ where: { email: 'b' } })])),
    ).toBe(2);
    expect(
      await twice((p) =>
        Promise.all([
          p.user.findUnique({ where: { email: 'a' }, include: { posts: { take: 1 } } }),
          p.user.findUnique({ where: { email: 'b' }, include: { posts: { take: 2 } } }),
        ]),
      ),
    ).toBe(4);
    expect(
      await twice((p) =>
        Promise.all([
          p.user.findUnique({ where: { email: 'a', age: { gt: 1 } } }),
          p.user.findUnique({ where: { email: 'b', age: { gt: 2 } } }),
        ]),
      ),
    ).toBe(2);
  });

  it('awaited one by one: each sent alone, as before', async () => {
    const { sent } = await render(async (p) => {
      await p.user.findUnique({ where: { email: 'a' } });
      await p.user.findUnique({ where: { email: 'b' } });
    });
    expect(sent).toHaveLength(2);
    same(sent[0]?.pipeline?.[0], { $match: { $expr: { $and: [{ $and: [eq('$email', 'a')] }, {}] } } });
  });

  it('findUniqueOrThrow compacted: the caller whose record is missing gets P2025, the others their records', async () => {
    const transport = new FakeTransport(() => [users[0] as Document]);
    const p = createPrismaClient(dm, transport);
    const [a, b] = await Promise.allSettled([
      p.user.findUniqueOrThrow({ where: { email: 'a' }, select: { email: true } }),
      p.user.findUniqueOrThrow({ where: { email: 'b' }, select: { email: true } }),
    ]);
    expect(transport.sent).toHaveLength(1);
    expect(a).toEqual({ status: 'fulfilled', value: { email: 'a' } });
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/P2025/);
  });
});

describe('$transaction([...]) of reads (interpreting_executor.rs execute_all; DataLoader singleLoader for one call)', () => {
  it('sent in the array order, one after the other; the results in order', async () => {
    const { sent, result } = await render(
      (p) => p.$transaction([p.post.count({ where: { published: true } }), p.user.findMany({ select: { id: true } })]),
      (s) => (s.collection === 'Post' ? [{ _id: null, count_all: 2 }] : [users()[0] as Document]),
    );
    expect(sent.map((s) => s.step)).toEqual(['post.count', 'user.findMany']);
    expect(result).toEqual([2, [{ id: U1 }]]);
  });

  it('findUnique calls the engine can compact: one findMany, as outside a transaction', async () => {
    const { sent } = await render((p) =>
      p.$transaction([p.user.findUnique({ where: { email: 'a' } }), p.user.findUnique({ where: { email: 'b' } })]),
    );
    expect(sent).toHaveLength(1);
  });

  it('nothing is sent before the transaction takes the calls (PrismaPromise is lazy)', async () => {
    const transport = new FakeTransport();
    const p = createPrismaClient(dm, transport);
    const call = p.user.findMany();
    await Promise.resolve();
    expect(transport.sent).toHaveLength(0);
    await p.$transaction([call]);
    expect(transport.sent).toHaveLength(1);
  });
});

function users(): Document[] {
  return [{ _id: oid(U1), email: 'a' }];
}

describe('what Prisma itself rejects is refused before anything is sent', () => {
  it.each<[string, (p: Client) => Promise<unknown>, RegExp]>([
    ['an unknown field in by', (p) => p.user.groupBy({ by: ['nickname'] }), /by: User has no scalar field nickname/],
    ['an empty by', (p) => p.user.groupBy({ by: [] }), /At least one selection is required for the `by` argument/],
    [
      'having on a field not in by, without an aggregate',
      (p) => p.user.groupBy({ by: ['name'], having: { age: { gt: 3 } } }),
      /Every field used in `having` filters must either be an aggregation filter or be included in the selection of the query\. Missing fields: age/,
    ],
    [
      'orderBy a field not in by',
      (p) => p.user.groupBy({ by: ['name'], orderBy: { age: 'asc' } }),
      /Every field used for orderBy must be included in the by-arguments of the query\. Missing fields: age/,
    ],
    [
      'take without orderBy: the implicit order by the id is not in by',
      (p) => p.user.groupBy({ by: ['name'], take: 2 }),
      /Missing fields: id/,
    ],
    ['_avg of a String', (p) => p.user.aggregate({ _avg: { email: true } }), /_avg: email is not a numeric field/],
    ['_sum of an unknown field', (p) => p.user.aggregate({ _sum: { nope: true } }), /_sum: User has no scalar field nope/],
    ['a cursor', (p) => p.user.aggregate({ cursor: { id: U1 }, _count: true }), /cursor is not supported/],
    ['an argument aggregate does not take', (p) => p.user.aggregate({ by: ['age'], _count: true }), /by is not an argument/],
    [
      'a write in an interactive transaction',
      (p) => p.$transaction(async (tx: Client) => tx.user.create({ data: {} })),
      /interactive transaction/,
    ],
    ['a write in a transaction', (p) => p.$transaction([p.user.create({ data: {} })]), /writes are not supported|reads/],
    ['isolationLevel', (p) => p.$transaction([p.user.count()], { isolationLevel: 'Serializable' }), /isolation levels/],
  ])('%s', async (_label, call, message) => {
    const transport = new FakeTransport();
    const error = await Promise.resolve()
      .then(() => call(createPrismaClient(dm, transport)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(transport.sent).toEqual([]);
  });
});
