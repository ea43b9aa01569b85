import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * The renderer, one table per rule: each expected shape is the one Prisma 6.19's MongoDB
 * connector writes, read from prisma/prisma-engines @2ba551f3 (file and function beside each
 * row) or copied from a real Prisma query log (source beside it). Values are compared as BSON
 * (an int64 `$limit` is not an int32 one).
 */

/** The schema of Prisma's own MongoDB tests (prisma/prisma packages/client/tests/functional/0-legacy-ports/batch-find-unique) with a relation, and a to-one. */
const schema = `
datasource db {
  provider = "mongodb"
  url      = env("DATABASE_URL")
}
model User {
  id    String  @id @default(auto()) @map("_id") @db.ObjectId
  email String  @unique
  age   Int
  name  String?
  posts Post[]
}
model Post {
  id        String   @id @default(auto()) @map("_id") @db.ObjectId
  title     String
  published Boolean  @default(false)
  authorId  String   @db.ObjectId
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
}
`;
const dm = dataModelOf(schema, 'test.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const U1 = '65f5a6e01100000000000001';
const U2 = '65f5a6e01100000000000002';
const P1 = '65f5a6e01200000000000001';
const oid = (hex: string) => new ObjectId(hex);
const lit = (v: unknown) => ({ $literal: v });
/** filter.rs `exclude_undefineds`: every condition but isSet. */
const G = (cond: Document, f: string) => ({ $and: [cond, { $ne: [f, '$$REMOVE'] }] });
const eq = (f: string, v: unknown) => G({ $eq: [f, lit(v)] }, f);
const long = (n: number) => BSON.Long.fromNumber(n);

/** Renders one call, answering reads with `answer`, and returns every command sent. */
async function render(call: (prisma: Client) => Promise<unknown>, answer?: (s: Sent) => Document[]): Promise<Sent[]> {
  const transport = new FakeTransport(answer);
  await call(createPrismaClient(dm, transport));
  return transport.sent;
}
const pipelines = (sent: Sent[]) => sent.map((s) => s.pipeline);
/** Compared as canonical extended JSON: types count (int64 vs int32, ObjectId vs string). */
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));

describe('reads: one aggregate with `$match: {$expr}` (read_query_builder.rs @2ba551f3 ReadQuery::execute, into_pipeline_stages)', () => {
  it.each<[string, (p: Client) => Promise<unknown>, Document[]]>([
    [
      // prisma/prisma 6.19.0 packages/client/tests/functional/issues/15084-mongo-logging: `db.User.aggregate([ { $project: { _id: 1, }, }, ])` (its User has only an id).
      'findMany() without arguments: no $match, every scalar projected, the id first',
      (p) => p.user.findMany(),
      [{ $project: { _id: 1, email: 1, age: 1, name: 1 } }],
    ],
    [
      'findMany({ where }) of one key: the condition bare, with its $$REMOVE guard (filter.rs default_scalar_filter, exclude_undefineds)',
      (p) => p.user.findMany({ where: { email: 'a@b' } }),
      [{ $match: { $expr: eq('$email', 'a@b') } }, { $project: { _id: 1, email: 1, age: 1, name: 1 } }],
    ],
    [
      // macrozone/prisma-mongodb-collscan-repro README (Prisma 5.12.1): findFirstOrThrow → `{ $match … }, { $limit: 1, }, { $project … }`, no $sort.
      'findFirst without orderBy/skip/take: $limit 1 and no $sort (read/first.rs try_limit_to_one after finalize_arguments)',
      (p) => p.user.findFirst({ where: { id: U1 }, select: { id: true } }),
      [{ $match: { $expr: eq('$_id', oid(U1)) } }, { $limit: long(1) }, { $project: { _id: 1 } }],
    ],
    [
      // The same README: upsert's read of the unique id, `{ $and: [ { $and: [ { $and: [ eq, ne ] } ] }, { } ] }`.
      'findUnique: the unique equalities AND the (empty) rest, no $limit (extractors/filters/mod.rs extract_unique_filter; root_queries/read.rs get_single_record)',
      (p) => p.user.findUnique({ where: { id: U1 }, select: { id: true } }),
      [{ $match: { $expr: { $and: [{ $and: [eq('$_id', oid(U1))] }, {}] } } }, { $project: { _id: 1 } }],
    ],
    [
      'take without orderBy: the implicit $sort {_id: 1}; $skip and $limit as int64 (query_arguments.rs finalize_arguments)',
      (p) => p.post.findMany({ take: 3, skip: 0, select: { title: true } }),
      [{ $sort: { _id: 1 } }, { $skip: long(0) }, { $limit: long(3) }, { $project: { _id: 1, title: 1 } }],
    ],
    [
      'orderBy is sent as given, with no _id tiebreaker (orderby.rs OrderByBuilder::build)',
      (p) => p.post.findMany({ orderBy: { createdAt: 'desc' }, take: 2, select: { id: true } }),
      [{ $sort: { createdAt: -1 } }, { $limit: long(2) }, { $project: { _id: 1 } }],
    ],
    [
      'a negative take reverses the order and sends its absolute value (read.rs get_many_records, orderby.rs reverse)',
      (p) => p.post.findMany({ take: -2, select: { id: true } }),
      [{ $sort: { _id: -1 } }, { $limit: long(2) }, { $project: { _id: 1 } }],
    ],
    [
      'count({ where }): the client aggregate with _count._all, then $group count_all and no $project (client aggregates/count.ts; group_by_builder.rs GroupByBuilder::render)',
      (p) => p.post.count({ where: { published: true } }),
      [{ $match: { $expr: eq('$published', true) } }, { $group: { _id: null, count_all: { $sum: 1 } } }],
    ],
    [
      'an Int is an int64 in a filter (value.rs: Int without @db.Int → Long)',
      (p) => p.user.findMany({ where: { age: { gt: 18 } }, select: { id: true } }),
      [{ $match: { $expr: G({ $gt: ['$age', lit(long(18))] }, '$age') } }, { $project: { _id: 1 } }],
    ],
  ])('%s', async (_label, call, expected) => {
    const sent = await render(call);
    expect(sent).toHaveLength(1);
    same(sent[0]?.pipeline, expected);
  });

  it('take: 0 sends nothing (root_queries/read.rs: Take::Some(0) returns no records)', async () => {
    expect(await render((p) => p.user.findMany({ take: 0 }))).toEqual([]);
  });
});

describe('scalar filters (filter.rs @2ba551f3 default_scalar_filter, insensitive_scalar_filter; core extractors/filters/scalar.rs)', () => {
  const where = async (w: Document) =>
    (await render((p) => p.user.findMany({ where: w, select: { id: true } })))[0]?.pipeline?.[0]?.$match?.$expr;
  it.each<[string, Document, Document]>([
    // prisma/prisma 6.19.0 batch-find-unique snapshot: `{ $and: [ { $or: [ { $eq: [ "$email", { $literal: … } ] }, … ] }, { $ne: [ "$email", "$$REMOVE" ] } ] }`.
    [
      'in: an $or of $eq, not $in (engines PR #4848)',
      { email: { in: ['a', 'b'] } },
      G({ $or: [{ $eq: ['$email', lit('a')] }, { $eq: ['$email', lit('b')] }] }, '$email'),
    ],
    ['in: [] is $or: [] (always false)', { email: { in: [] } }, G({ $or: [] }, '$email')],
    ['notIn: an $and of $ne', { email: { notIn: ['a'] } }, G({ $and: [{ $ne: ['$email', lit('a')] }] }, '$email')],
    ['not: v is $ne', { email: { not: 'a' } }, G({ $ne: ['$email', lit('a')] }, '$email')],
    [
      'not: { gt } reverses the operator, no $not (ScalarFilterParser reverse)',
      { age: { not: { gt: 5 } } },
      G({ $lte: ['$age', lit(long(5))] }, '$age'),
    ],
    ['equals null: an explicit null, guarded', { name: null }, G({ $eq: ['$name', lit(null)] }, '$name')],
    [
      'contains: $regexMatch, the value not escaped',
      { email: { contains: 'a.b' } },
      G({ $regexMatch: { input: '$email', regex: '.*a.b.*', options: '' } }, '$email'),
    ],
    [
      'startsWith, insensitive',
      { email: { startsWith: 'Ab', mode: 'insensitive' } },
      G({ $regexMatch: { input: '$email', regex: '^Ab', options: 'i' } }, '$email'),
    ],
    [
      'equals, insensitive: an anchored regex',
      { email: { equals: 'x', mode: 'insensitive' } },
      G({ $regexMatch: { input: '$email', regex: '^x$', options: 'i' } }, '$email'),
    ],
    ['isSet: no guard', { name: { isSet: false } }, { $eq: ['$name', '$$REMOVE'] }],
    [
      'two operators on one field: an AND in operator order',
      { age: { gte: 1, lt: 5 } },
      { $and: [G({ $gte: ['$age', lit(long(1))] }, '$age'), G({ $lt: ['$age', lit(long(5))] }, '$age')] },
    ],
  ])('%s', async (_label, w, expected) => {
    same(await where(w), expected);
  });
});

describe('AND / OR / NOT (extractors/filters/mod.rs extract_filter, filter_fold.rs; filter.rs visit_boolean_operator)', () => {
  const where = async (w: Document) =>
    (await render((p) => p.user.findMany({ where: w, select: { id: true } })))[0]?.pipeline?.[0]?.$match?.$expr;
  it.each<[string, Document, Document]>([
    ['several keys: an AND in key order', { email: 'a', age: 3 }, { $and: [eq('$email', 'a'), eq('$age', long(3))] }],
    [
      'AND of one element is the element; nested ANDs flattened',
      { AND: [{ email: 'a' }, { AND: [{ age: 3 }] }] },
      { $and: [eq('$email', 'a'), eq('$age', long(3))] },
    ],
    ['OR of two', { OR: [{ email: 'a' }, { email: 'b' }] }, { $or: [eq('$email', 'a'), eq('$email', 'b')] }],
    [
      'NOT inverts each condition, the guard kept (De Morgan, ScalarCondition::invert)',
      { NOT: { email: 'a' } },
      { $and: [G({ $ne: ['$email', lit('a')] }, '$email')] },
    ],
    [
      'NOT of OR: an AND of the inverted conditions',
      { NOT: { OR: [{ email: 'a' }, { age: 1 }] } },
      { $and: [{ $and: [G({ $ne: ['$email', lit('a')] }, '$email'), G({ $ne: ['$age', lit(long(1))] }, '$age')] }] },
    ],
    ['OR: [] at the root: always false', { OR: [] }, { $and: false }],
    ['AND: [] at the root: always true', { AND: [] }, { $and: true }],
    ['an undefined value is left out (the client drops it)', { email: 'a', name: undefined }, eq('$email', 'a')],
  ])('%s', async (_label, w, expected) => {
    same(await where(w), expected);
  });
});

describe('relation filters: a $lookup named after the relation, the whole where after it (filter.rs visit_relation_filter; join.rs JoinStage::build; read_query_builder.rs from_args)', () => {
  const lookupPosts = {
    $lookup: {
      from: 'Post',
      let: { left_0: '$_id' },
      pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$authorId', '$$left_0'] }] } } }],
      as: 'PostToUser',
    },
  };
  const lookupAuthor = {
    $lookup: {
      from: 'User',
      let: { left_0: '$authorId' },
      pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$_id', '$$left_0'] }] } } }],
      as: 'PostToUser',
    },
  };
  const filtered = (input: string, cond: Document) => ({ $size: { $filter: { input, as: 'elem', cond } } });
  const pub = eq('$$elem.published', true);
  it.each<[string, (p: Client) => Promise<unknown>, Document[]]>([
    [
      'some: $size of the $filter > 0; a scalar of the root joins the post-join $match, nothing before the $lookup',
      (p) => p.user.findMany({ where: { posts: { some: { published: true } }, age: 3 }, select: { id: true } }),
      [
        lookupPosts,
        { $match: { $expr: { $and: [{ $gt: [filtered('$PostToUser', pub), 0] }, eq('$age', long(3))] } } },
        { $project: { _id: 1 } },
      ],
    ],
    [
      'every: the filtered size equals the size',
      (p) => p.user.findMany({ where: { posts: { every: { published: true } } }, select: { id: true } }),
      [lookupPosts, { $match: { $expr: { $eq: [filtered('$PostToUser', pub), { $size: '$PostToUser' }] } } }, { $project: { _id: 1 } }],
    ],
    [
      'none: the filtered size is 0, the nested guard inverted (a missing field counts as matching)',
      (p) => p.user.findMany({ where: { posts: { none: { published: true } } }, select: { id: true } }),
      [
        lookupPosts,
        {
          $match: {
            $expr: {
              $eq: [
                filtered('$PostToUser', { $or: [{ $eq: ['$$elem.published', lit(true)] }, { $eq: ['$$elem.published', '$$REMOVE'] }] }),
                0,
              ],
            },
          },
        },
        { $project: { _id: 1 } },
      ],
    ],
    [
      'is (to-one): every of one, and the array of size 1; an $unwind before the projection',
      (p) => p.post.findMany({ where: { author: { is: { age: 3 } } }, select: { id: true } }),
      [
        lookupAuthor,
        {
          $match: {
            $expr: {
              $and: [
                { $eq: [filtered('$PostToUser', eq('$$elem.age', long(3))), { $size: '$PostToUser' }] },
                { $eq: [{ $size: '$PostToUser' }, 1] },
              ],
            },
          },
        },
        { $unwind: { path: '$PostToUser', preserveNullAndEmptyArrays: true } },
        { $project: { _id: 1 } },
      ],
    ],
    [
      'isNot (to-one): none of one, and the array of size 1',
      (p) => p.post.findMany({ where: { author: { isNot: { age: 3 } } }, select: { id: true } }),
      [
        lookupAuthor,
        {
          $match: {
            $expr: {
              $and: [
                {
                  $eq: [filtered('$PostToUser', { $or: [{ $eq: ['$$elem.age', lit(long(3))] }, { $eq: ['$$elem.age', '$$REMOVE'] }] }), 0],
                },
                { $eq: [{ $size: '$PostToUser' }, 1] },
              ],
            },
          },
        },
        { $unwind: { path: '$PostToUser', preserveNullAndEmptyArrays: true } },
        { $project: { _id: 1 } },
      ],
    ],
    [
      'two filters on one relation: two $lookups under the same name (fold_nested: "we should really only join each relation once")',
      (p) =>
        p.user.findMany({
          where: { AND: [{ posts: { some: { published: true } } }, { posts: { some: { title: 't' } } }] },
          select: { id: true },
        }),
      [
        lookupPosts,
        lookupPosts,
        {
          $match: {
            $expr: { $and: [{ $gt: [filtered('$PostToUser', pub), 0] }, { $gt: [filtered('$PostToUser', eq('$$elem.title', 't')), 0] }] },
          },
        },
        { $project: { _id: 1 } },
      ],
    ],
    [
      'NOT some: the condition inverted to none (RelationCondition::invert)',
      (p) => p.user.findMany({ where: { NOT: { posts: { some: { published: true } } } }, select: { id: true } }),
      [
        lookupPosts,
        {
          $match: {
            $expr: {
              $and: [
                {
                  $eq: [
                    filtered('$PostToUser', { $or: [{ $eq: ['$$elem.published', lit(true)] }, { $eq: ['$$elem.published', '$$REMOVE'] }] }),
                    0,
                  ],
                },
              ],
            },
          },
        },
        { $project: { _id: 1 } },
      ],
    ],
  ])('%s', async (_label, call, expected) => {
    same(pipelines(await render(call))[0], expected);
  });
});

describe("nested reads: separate aggregates by the parents' link values, depth first (core nested_read.rs one2m, inmemory_record_processor.rs, read.rs process_nested)", () => {
  const users = [
    { _id: oid(U1), email: 'a' },
    { _id: oid(U2), email: 'b' },
  ];
  const answer = (s: Sent): Document[] =>
    s.collection === 'User'
      ? users
      : [
          { _id: oid('65f5a6e01200000000000003'), authorId: oid(U2), title: 'z' },
          { _id: oid(P1), authorId: oid(U1), title: 'x' },
          { _id: oid('65f5a6e01200000000000002'), authorId: oid(U1), title: 'y' },
        ];

  it('with several parents: the nested where AND the link in the parents (not folded), $sort kept, no $limit; the take applied per parent in memory', async () => {
    const transport = new FakeTransport(answer);
    const prisma = createPrismaClient(dm, transport);
    const result = (await prisma.user.findMany({
      select: { email: true, posts: { where: { published: true }, take: 1, select: { title: true } } },
    })) as Document[];
    same(transport.sent[1]?.pipeline, [
      {
        $match: {
          $expr: {
            $and: [
              eq('$published', true),
              G({ $or: [{ $eq: ['$authorId', lit(oid(U1))] }, { $eq: ['$authorId', lit(oid(U2))] }] }, '$authorId'),
            ],
          },
        },
      },
      { $sort: { _id: 1 } },
      { $project: { _id: 1, title: 1, authorId: 1 } },
    ]);
    // The root projects the link of its nested read (merge_relation_selections): here the id, already first.
    same(transport.sent[0]?.pipeline, [{ $project: { _id: 1, email: 1 } }]);
    // The first post per parent, in the server's order (the processor sorts by parent, stably).
    expect(result).toEqual([
      { email: 'a', posts: [{ title: 'x' }] },
      { email: 'b', posts: [{ title: 'z' }] },
    ]);
  });

  it('with one parent: take and orderBy are sent ($limit), no processor', async () => {
    const sent = await render(
      (p) => p.user.findMany({ select: { posts: { orderBy: { createdAt: 'desc' }, take: 2 } } }),
      (s) => (s.collection === 'User' ? [users[0] as Document] : []),
    );
    same(sent[1]?.pipeline, [
      { $match: { $expr: G({ $or: [{ $eq: ['$authorId', lit(oid(U1))] }] }, '$authorId') } },
      { $sort: { createdAt: -1 } },
      { $limit: long(2) },
      { $project: { _id: 1, title: 1, published: 1, authorId: 1, createdAt: 1 } },
    ]);
  });

  it("a to-one (include author): the parents' foreign keys, unique in first-appearance order; the foreign key selected at the relation's place", async () => {
    const posts = [
      { _id: oid(P1), title: 'x', authorId: oid(U2) },
      { _id: oid('65f5a6e01200000000000002'), title: 'y', authorId: oid(U2) },
      { _id: oid('65f5a6e01200000000000003'), title: 'z', authorId: oid(U1) },
    ];
    const transport = new FakeTransport((s) => (s.collection === 'Post' ? posts : users));
    const result = (await createPrismaClient(dm, transport).post.findMany({
      select: { title: true, author: { select: { email: true } } },
    })) as Document[];
    same(transport.sent[0]?.pipeline, [{ $project: { _id: 1, title: 1, authorId: 1 } }]);
    same(transport.sent[1]?.pipeline, [
      { $match: { $expr: G({ $or: [{ $eq: ['$_id', lit(oid(U2))] }, { $eq: ['$_id', lit(oid(U1))] }] }, '$_id') } },
      { $project: { _id: 1, email: 1 } },
    ]);
    expect(result.map((p) => p.author)).toEqual([{ email: 'b' }, { email: 'b' }, { email: 'a' }]);
  });

  it('no parent: no nested read is sent', async () => {
    expect(await render((p) => p.user.findMany({ include: { posts: true } }))).toHaveLength(1);
  });

  it('_count: a $lookup aliased _aggr_count_<field>, its where inside it, and $size in the projection, last (read_query_builder.rs with_virtual_fields)', async () => {
    const sent = await render((p) =>
      p.user.findMany({ select: { id: true, _count: { select: { posts: { where: { published: true } } } } } }),
    );
    same(sent[0]?.pipeline, [
      {
        $lookup: {
          from: 'Post',
          let: { left_0: '$_id' },
          pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$authorId', '$$left_0'] }] } } }, { $match: { $expr: eq('$published', true) } }],
          as: '_aggr_count_posts',
        },
      },
      { $project: { _id: 1, _aggr_count_posts: { $size: '$_aggr_count_posts' } } },
    ]);
  });

  it("results as Prisma returns them: ids as hex strings, a missing list as [], a required field's default for a missing one", async () => {
    const transport = new FakeTransport(() => [{ _id: oid(P1), authorId: oid(U1), title: 't', createdAt: new Date(0) }]);
    const [post] = (await createPrismaClient(dm, transport).post.findMany()) as Document[];
    expect(post).toEqual({ id: P1, title: 't', published: false, authorId: U1, createdAt: new Date(0) });
  });
});

describe('raw operations are sent as written (root_queries/raw.rs)', () => {
  it('aggregateRaw: the pipeline from extended JSON, its options; the results in extended JSON', async () => {
    const transport = new FakeTransport(() => [{ _id: oid(U1) }]);
    const out = await createPrismaClient(dm, transport).user.aggregateRaw({
      pipeline: [{ $match: { _id: { $oid: U1 } } }],
      options: { comment: 'mine' },
    });
    expect(transport.sent[0]?.step).toBe('user.aggregateRaw (mine)');
    same(transport.sent[0]?.raw?.kind === 'aggregate' ? transport.sent[0].raw.pipeline : null, [{ $match: { _id: oid(U1) } }]);
    expect(out).toEqual([{ _id: { $oid: U1 } }]);
  });
});

describe('what the renderer does not render is refused, naming the call', () => {
  it.each<[string, (p: Client) => Promise<unknown>, RegExp]>([
    ['an unknown model', (p) => p.comment.findMany(), /prisma\.comment: no model comment/],
    ['an unknown field', (p) => p.user.findMany({ where: { nickname: 'x' } }), /prisma\.user\.findMany: where: User has no field nickname/],
    ['an unsupported argument', (p) => p.user.findMany({ relationLoadStrategy: 'join' }), /relationLoadStrategy is not supported/],
    [
      'an unsupported operation',
      (p) => p.$transaction(async (tx: Client) => tx.user.create({ data: {} })),
      /an interactive transaction of reads/,
    ],
    ['a write in a read route', (p) => p.user.create({ data: { email: 'x', age: 1 } }), /writes are not supported/],
    ['a malformed ObjectId', (p) => p.user.findMany({ where: { id: 'nope' } }), /not a 24-digit hex string/],
    ['a list filter', (p) => p.user.findMany({ where: { posts: { has: 1 } } }), /list relation: use some, every or none/],
    ['orderBy on a list relation by other than _count', (p) => p.user.findMany({ orderBy: { posts: { title: 'asc' } } }), /_count/],
  ])('%s', async (_label, call, message) => {
    const error = await render(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
  });
});

describe("the application's route rendered from its own calls (bench/routes/list-conversations.ts, schema seed/schema.prisma)", () => {
  it("the page: $lookup of every Conversation's members named ConversationToConversationMember, the where in the key order of the handler's object", async () => {
    const { readFile } = await import('node:fs/promises');
    const shipped = dataModelOf(await readFile(new URL('../../seed/schema.prisma', import.meta.url), 'utf8'), 'seed/schema.prisma');
    const transport = new FakeTransport();
    const prisma = createPrismaClient(shipped, transport);
    await prisma.conversation.findMany({
      where: { members: { some: { userId: U1, isActive: true } }, isActive: true },
      skip: 0,
      take: 15,
      orderBy: { lastMessageAt: 'desc' },
      select: { id: true, title: true },
    });
    same(transport.sent[0]?.pipeline, [
      {
        $lookup: {
          from: 'ConversationMember',
          let: { left_0: '$_id' },
          pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$conversationId', '$$left_0'] }] } } }],
          as: 'ConversationToConversationMember',
        },
      },
      {
        $match: {
          $expr: {
            $and: [
              {
                $gt: [
                  {
                    $size: {
                      $filter: {
                        input: '$ConversationToConversationMember',
                        as: 'elem',
                        cond: { $and: [eq('$$elem.userId', oid(U1)), eq('$$elem.isActive', true)] },
                      },
                    },
                  },
                  0,
                ],
              },
              eq('$isActive', true),
            ],
          },
        },
      },
      { $sort: { lastMessageAt: -1 } },
      { $skip: long(0) },
      { $limit: long(15) },
      { $project: { _id: 1, title: 1 } },
    ]);
  });
});
