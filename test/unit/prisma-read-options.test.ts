import { readFileSync } from 'node:fs';
import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * The read options beyond where/orderBy-on-a-scalar/skip/take, one rule per row: each expected
 * pipeline is the one prisma-engines' MongoDB connector builds, read from its source (file and
 * function beside each row; the same citations are beside the code in src/prisma/read.ts and
 * filter.ts). Values are compared as canonical extended JSON (an int64 `$limit` is not an int32).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const P1 = '65f5a6e01200000000000001';
const U1 = '65f5a6e01100000000000001';
const oid = (hex: string) => new ObjectId(hex);
const long = (n: number) => BSON.Long.fromNumber(n);
const lit = (v: unknown) => ({ $literal: v });
const removed = (f: string) => ({ $ne: [f, '$$REMOVE'] });
/** filter.rs `exclude_undefineds`. */
const G = (cond: Document, f: string) => ({ $and: [cond, removed(f)] });
const postProjection = { $project: { _id: 1, title: 1, rank: 1, published: 1, authorId: 1, createdAt: 1 } };

async function render(
  call: (prisma: Client) => Promise<unknown>,
  answer?: (s: Sent) => Document[],
): Promise<{ sent: Sent[]; out: unknown }> {
  const transport = new FakeTransport(answer);
  const out = await call(createPrismaClient(dm, transport));
  return { sent: transport.sent, out };
}
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));

describe('cursor (read_query_builder.rs cursored_pipeline_stages, cursor.rs CursorBuilder::build / cursor_conditions)', () => {
  it('a stable ordering: the cursor row pinned, a self-$lookup bound to its order values, $or of equalities then a comparison; skip/take in the database', async () => {
    const { sent } = await render((p) =>
      p.post.findMany({ cursor: { id: P1 }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: 1, take: 2 }),
    );
    same(sent[0]?.pipeline, [
      { $match: { $expr: { $and: [{ $eq: ['$_id', oid(P1)] }] } } },
      {
        $lookup: {
          from: 'Post',
          // binding_names: the client name, first letter lower-cased, bound to the database name.
          let: { createdAt: '$createdAt', id: '$_id' },
          pipeline: [
            {
              $match: {
                $expr: {
                  $or: [
                    { $and: [{ $eq: ['$createdAt', '$$createdAt'] }, { $gte: ['$_id', '$$id'] }] },
                    { $and: [{ $lt: ['$createdAt', '$$createdAt'] }] },
                  ],
                },
              },
            },
            { $sort: { createdAt: -1, _id: 1 } },
            { $skip: long(1) },
            { $limit: long(2) },
            postProjection,
          ],
          as: 'cursor_inner',
        },
      },
      { $unwind: '$cursor_inner' },
      { $replaceRoot: { newRoot: '$cursor_inner' } },
    ]);
  });

  it('no orderBy: the implicit order by the id (query_arguments.rs finalize_arguments), one comparison with equality; a where goes first in the inner pipeline', async () => {
    const { sent } = await render((p) =>
      p.post.findMany({ where: { published: true }, cursor: { id: P1 }, take: 3, select: { id: true } }),
    );
    same(sent[0]?.pipeline, [
      { $match: { $expr: { $and: [{ $eq: ['$_id', oid(P1)] }] } } },
      {
        $lookup: {
          from: 'Post',
          let: { id: '$_id' },
          pipeline: [
            { $match: { $expr: G({ $eq: ['$published', lit(true)] }, '$published') } },
            { $match: { $expr: { $gte: ['$_id', '$$id'] } } },
            { $sort: { _id: 1 } },
            { $limit: long(3) },
            { $project: { _id: 1 } },
          ],
          as: 'cursor_inner',
        },
      },
      { $unwind: '$cursor_inner' },
      { $replaceRoot: { newRoot: '$cursor_inner' } },
    ]);
  });

  it('a negative take reverses the sort and the comparison (map_orderby_condition with reverse)', async () => {
    const { sent } = await render((p) => p.post.findMany({ cursor: { id: P1 }, take: -2, select: { id: true } }));
    const inner = (sent[0]?.pipeline?.[1] as { $lookup: { pipeline: Document[] } }).$lookup.pipeline;
    same(inner.slice(0, 3), [{ $match: { $expr: { $lte: ['$_id', '$$id'] } } }, { $sort: { _id: -1 } }, { $limit: long(2) }]);
  });

  it('a compound unique cursor: one $eq per field, in the declared order (extract_cursor)', async () => {
    const { sent } = await render((p) => p.post.findMany({ cursor: { authorId_rank: { rank: 2, authorId: U1 } }, select: { id: true } }));
    same(sent[0]?.pipeline?.[0], { $match: { $expr: { $and: [{ $eq: ['$authorId', oid(U1)] }, { $eq: ['$rank', long(2)] }] } } });
  });

  it('an unstable ordering (no unique): no $skip/$limit sent; the in-memory processor drops the rows before the cursor, then skips and takes (inmemory_record_processor.rs apply_pagination)', async () => {
    const rows = [3, 4, 5, 6].map((rank, i) => ({ _id: oid(`65f5a6e0120000000000000${i + 1}`), rank, title: `t${rank}` }));
    // The database returns the rows from the cursor's rank on; a row of the same rank sorted before the cursor is dropped.
    const { sent, out } = await render(
      (p) =>
        p.post.findMany({
          cursor: { id: '65f5a6e01200000000000002' },
          orderBy: { rank: 'asc' },
          skip: 1,
          take: 1,
          select: { id: true, title: true },
        }),
      () => rows,
    );
    const inner = (sent[0]?.pipeline?.[1] as { $lookup: { pipeline: Document[] } }).$lookup.pipeline;
    same(inner, [{ $match: { $expr: { $gte: ['$rank', '$$rank'] } } }, { $sort: { rank: 1 } }, { $project: { _id: 1, title: 1 } }]);
    expect(out).toEqual([{ id: '65f5a6e01200000000000003', title: 't5' }]);
  });
});

describe('distinct (query_arguments.rs requires_inmemory_distinct: MongoDB has no DistinctOn; inmemory_record_processor.rs apply_distinct)', () => {
  it('no $skip/$limit sent, the distinct fields projected (read/utils.rs collect_selected_fields); the first row of each value kept, then skip/take', async () => {
    const docs = [
      { _id: oid(P1), title: 'a', authorId: oid(U1) },
      { _id: oid('65f5a6e01200000000000002'), title: 'b', authorId: oid(U1) },
      { _id: oid('65f5a6e01200000000000003'), title: 'c', authorId: oid('65f5a6e01100000000000002') },
      { _id: oid('65f5a6e01200000000000004'), title: 'd', authorId: oid('65f5a6e01100000000000003') },
    ];
    const { sent, out } = await render(
      (p) => p.post.findMany({ distinct: ['authorId'], orderBy: { rank: 'asc' }, skip: 1, take: 1, select: { title: true } }),
      () => docs,
    );
    same(sent[0]?.pipeline, [{ $sort: { rank: 1 } }, { $project: { _id: 1, title: 1, authorId: 1 } }]);
    expect(out).toEqual([{ title: 'c' }]);
  });
});

describe('orderBy on a relation (orderby.rs OrderByData::compute, OrderByBuilder::build)', () => {
  it("a to-one relation's field: a $lookup aliased orderby_<relation>_<index>, its $unwind, the $sort on the joined field", async () => {
    const { sent } = await render((p) =>
      p.post.findMany({ orderBy: [{ rank: 'asc' }, { author: { name: 'desc' } }], take: 2, select: { title: true } }),
    );
    same(sent[0]?.pipeline, [
      {
        $lookup: {
          from: 'User',
          let: { left_0: '$authorId' },
          pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$_id', '$$left_0'] }] } } }],
          as: 'orderby_PostToUser_1',
        },
      },
      { $unwind: { path: '$orderby_PostToUser_1', preserveNullAndEmptyArrays: true } },
      { $sort: { rank: 1, 'orderby_PostToUser_1.name': -1 } },
      { $limit: long(2) },
      { $project: { _id: 1, title: 1 } },
    ]);
  });

  it("a to-many relation's _count: the $lookup, an $addFields of its $size ($ifNull to []), the $sort on it", async () => {
    const { sent } = await render((p) => p.user.findMany({ orderBy: { posts: { _count: 'desc' } }, select: { name: true } }));
    same(sent[0]?.pipeline, [
      {
        $lookup: {
          from: 'Post',
          let: { left_0: '$_id' },
          pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$authorId', '$$left_0'] }] } } }],
          as: 'orderby_PostToUser_0',
        },
      },
      { $addFields: { orderby_PostToUser_0: { $size: { $ifNull: ['$orderby_PostToUser_0', []] } } } },
      { $sort: { orderby_PostToUser_0: -1 } },
      { $project: { _id: 1, name: 1 } },
    ]);
  });
});

describe('_count with a where per relation (read_query_builder.rs with_virtual_fields, join.rs JoinStage::build with a filter)', () => {
  it("the relation's $lookup carries the where as a last $match; the count is $size of the alias", async () => {
    const { sent, out } = await render(
      (p) => p.conversation.findMany({ select: { title: true, _count: { select: { participants: { where: { active: true } } } } } }),
      () => [{ _id: oid(P1), title: 'c', _aggr_count_participants: 2 }],
    );
    same(sent[0]?.pipeline, [
      {
        $lookup: {
          from: 'Participant',
          let: { left_0: '$_id' },
          pipeline: [
            { $match: { $expr: { $and: [{ $eq: ['$conversationId', '$$left_0'] }] } } },
            { $match: { $expr: G({ $eq: ['$isActive', lit(true)] }, '$isActive') } },
          ],
          as: '_aggr_count_participants',
        },
      },
      { $project: { _id: 1, title: 1, _aggr_count_participants: { $size: '$_aggr_count_participants' } } },
    ]);
    expect(out).toEqual([{ title: 'c', _count: { participants: 2 } }]);
  });
});

describe('scalar lists and enums (core filters/scalar.rs list-specific filters; filter.rs visit_scalar_list_filter)', () => {
  const tags = { $ifNull: ['$tags', []] };
  it.each<[string, (p: Client) => Promise<unknown>, Document]>([
    [
      'has: $in of the value in the coerced array',
      (p) => p.user.findMany({ where: { tags: { has: 'a' } }, select: { id: true } }),
      G({ $in: ['a', tags] }, '$tags'),
    ],
    [
      'hasEvery: an $and of them',
      (p) => p.user.findMany({ where: { tags: { hasEvery: ['a', 'b'] } }, select: { id: true } }),
      G({ $and: [{ $in: ['a', tags] }, { $in: ['b', tags] }] }, '$tags'),
    ],
    [
      'hasSome: an $or of them (int64 values for an Int list)',
      (p) => p.user.findMany({ where: { scores: { hasSome: [1] } }, select: { id: true } }),
      G({ $or: [{ $in: [long(1), { $ifNull: ['$scores', []] }] }] }, '$scores'),
    ],
    [
      'hasSome: []: the false stub',
      (p) => p.user.findMany({ where: { tags: { hasSome: [] } }, select: { id: true } }),
      G({ $and: false }, '$tags'),
    ],
    [
      'isEmpty',
      (p) => p.user.findMany({ where: { tags: { isEmpty: false } }, select: { id: true } }),
      G({ $gt: [{ $size: tags }, 0] }, '$tags'),
    ],
    [
      'NOT has: $not of it',
      (p) => p.user.findMany({ where: { NOT: { tags: { has: 'a' } } }, select: { id: true } }),
      { $and: [G({ $not: { $in: ['a', tags] } }, '$tags')] },
    ],
    [
      'equals: the whole list, $literal',
      (p) => p.user.findMany({ where: { tags: { equals: ['a', 'b'] } }, select: { id: true } }),
      G({ $eq: ['$tags', lit(['a', 'b'])] }, '$tags'),
    ],
    [
      'an enum: its value as a string',
      (p) => p.user.findMany({ where: { role: 'ADMIN' }, select: { id: true } }),
      G({ $eq: ['$role', lit('ADMIN')] }, '$role'),
    ],
  ])('%s', async (_label, call, expr) => {
    const { sent } = await render(call);
    same(sent[0]?.pipeline, [{ $match: { $expr: expr } }, { $project: { _id: 1 } }]);
  });
});

describe('composite types (filter.rs visit_composite_filter; core filters/composite.rs parse; projection.rs path_prefixed_selection)', () => {
  const labels = { $ifNull: ['$labels', []] };
  it.each<[string, (p: Client) => Promise<unknown>, Document]>([
    [
      'is: the type filter on the dotted path',
      (p) => p.user.findMany({ where: { address: { is: { city: 'Paris' } } }, select: { id: true } }),
      G({ $eq: ['$address.city', lit('Paris')] }, '$address.city'),
    ],
    [
      'isNot: the same, inverted',
      (p) => p.user.findMany({ where: { address: { isNot: { city: 'Paris' } } }, select: { id: true } }),
      G({ $ne: ['$address.city', lit('Paris')] }, '$address.city'),
    ],
    [
      'equals shorthand: the document, database names, not $literal-wrapped',
      (p) => p.user.findMany({ where: { address: { street: 's', city: 'c' } }, select: { id: true } }),
      G({ $eq: ['$address', { street: 's', city: 'c' }] }, '$address'),
    ],
    ['isSet', (p) => p.user.findMany({ where: { address: { isSet: false } }, select: { id: true } }), { $eq: ['$address', '$$REMOVE'] }],
    [
      'some over a list of composites: $filter on $$elem',
      (p) => p.user.findMany({ where: { labels: { some: { weight: { gt: 1 } } } }, select: { id: true } }),
      G(
        {
          $gt: [
            { $size: { $filter: { input: labels, as: 'elem', cond: G({ $gt: ['$$elem.weight', lit(long(1))] }, '$$elem.weight') } } },
            0,
          ],
        },
        '$labels',
      ),
    ],
    [
      'every: the $filter size equals the size',
      (p) => p.user.findMany({ where: { labels: { every: { name: 'x' } } }, select: { id: true } }),
      G(
        {
          $eq: [
            { $size: { $filter: { input: labels, as: 'elem', cond: G({ $eq: ['$$elem.name', lit('x')] }, '$$elem.name') } } },
            { $size: labels },
          ],
        },
        '$labels',
      ),
    ],
    [
      'none: undefined exclusion inverted',
      (p) => p.user.findMany({ where: { labels: { none: { name: 'x' } } }, select: { id: true } }),
      G(
        {
          $eq: [
            {
              $size: {
                $filter: {
                  input: labels,
                  as: 'elem',
                  cond: { $or: [{ $eq: ['$$elem.name', lit('x')] }, { $eq: ['$$elem.name', '$$REMOVE'] }] },
                },
              },
            },
            0,
          ],
        },
        '$labels',
      ),
    ],
    [
      'isEmpty: the size and a null check',
      (p) => p.user.findMany({ where: { labels: { isEmpty: true } }, select: { id: true } }),
      G({ $and: [{ $eq: [{ $size: labels }, 0] }, { $ne: [{ $ifNull: ['$labels', null] }, null] }] }, '$labels'),
    ],
  ])('%s', async (_label, call, expr) => {
    const { sent } = await render(call);
    same(sent[0]?.pipeline, [{ $match: { $expr: expr } }, { $project: { _id: 1 } }]);
  });

  it('a select of embedded fields projects dotted paths; the result is the embedded objects (missing: null, a missing list: [])', async () => {
    const { sent, out } = await render(
      (p) => p.user.findMany({ select: { address: { select: { city: true, geo: true } }, labels: true } }),
      () => [
        { _id: oid(U1), address: { city: 'Paris', geo: { lat: 1.5, lng: 2 } }, labels: [{ name: 'a', weight: long(3) }] },
        { _id: oid(P1) },
      ],
    );
    same(sent[0]?.pipeline, [
      { $project: { _id: 1, 'address.city': 1, 'address.geo.lat': 1, 'address.geo.lng': 1, 'labels.name': 1, 'labels.weight': 1 } },
    ]);
    expect(out).toEqual([
      { address: { city: 'Paris', geo: { lat: 1.5, lng: 2 } }, labels: [{ name: 'a', weight: 3 }] },
      { address: null, labels: [] },
    ]);
  });

  it('no select: every composite, then every scalar (protocol_adapter.rs convert_selection of `$composites: true, $scalars: true`)', async () => {
    const { sent } = await render((p) => p.user.findMany());
    expect(Object.keys((sent[0]?.pipeline?.[0] as { $project: Document }).$project)).toEqual([
      '_id',
      'address.street',
      'address.city',
      'address.zip',
      'address.geo.lat',
      'address.geo.lng',
      'labels.name',
      'labels.weight',
      'email',
      'name',
      'age',
      'nickname',
      'role',
      'tags',
      'scores',
      'groupIds',
    ]);
  });
});

describe('many-to-many relations kept as id lists (join.rs JoinStage::build for a TwoWayEmbeddedManyToMany relation)', () => {
  /** The other side's id list made an array, then `$in` of this side's id (left_scalars: the model's id). */
  const m2mJoin = (from: string, list: string, as: string, more: Document[] = []) => ({
    $lookup: {
      from,
      let: { left_0: '$_id' },
      pipeline: [
        { $addFields: { [list]: { $cond: { if: { $ne: [{ $type: `$${list}` }, 'array'] }, then: [], else: `$${list}` } } } },
        { $match: { $expr: { $and: [{ $in: ['$$left_0', `$${list}`] }] } } },
        ...more,
      ],
      as,
    },
  });

  it("some: the join on the other side's list, then the relation filter", async () => {
    const { sent } = await render((p) => p.user.findMany({ where: { groups: { some: { name: 'g1' } } }, select: { id: true } }));
    same(sent[0]?.pipeline, [
      m2mJoin('Group', 'userIds', 'GroupToUser'),
      {
        $match: {
          $expr: {
            $gt: [
              { $size: { $filter: { input: '$GroupToUser', as: 'elem', cond: G({ $eq: ['$$elem.name', lit('g1')] }, '$$elem.name') } } },
              0,
            ],
          },
        },
      },
      { $project: { _id: 1 } },
    ]);
  });

  it('_count of a many-to-many relation, and an ordering by it', async () => {
    const { sent } = await render((p) =>
      p.group.findMany({ orderBy: { users: { _count: 'desc' } }, select: { name: true, _count: { select: { users: true } } } }),
    );
    same(sent[0]?.pipeline, [
      m2mJoin('User', 'groupIds', '_aggr_count_users'),
      m2mJoin('User', 'groupIds', 'orderby_GroupToUser_0'),
      { $addFields: { orderby_GroupToUser_0: { $size: { $ifNull: ['$orderby_GroupToUser_0', []] } } } },
      { $sort: { orderby_GroupToUser_0: -1 } },
      { $project: { _id: 1, name: 1, _aggr_count_users: { $size: '$_aggr_count_users' } } },
    ]);
  });
});

describe('reading a many-to-many relation (core nested_read.rs m2m; root_queries/read.rs get_related_m2m_record_ids)', () => {
  const G1 = '65f5a6e01500000000000001';
  const G2 = '65f5a6e01500000000000002';
  it("a find of the parents' id lists, then the children by id; each child given to its parents", async () => {
    const { sent, out } = await render(
      (p) => p.user.findMany({ select: { name: true, groups: { select: { name: true }, orderBy: { name: 'asc' } } } }),
      (s) =>
        s.raw
          ? [
              { _id: oid(U1), groupIds: [oid(G1), oid(G2)] },
              { _id: oid(P1), groupIds: [oid(G2)] },
            ]
          : s.collection === 'User'
            ? [
                { _id: oid(U1), name: 'u', groupIds: [oid(G1), oid(G2)] },
                { _id: oid(P1), name: 'v', groupIds: [oid(G2)] },
              ]
            : [
                { _id: oid(G1), name: 'a' },
                { _id: oid(G2), name: 'b' },
              ],
    );
    same(sent[0]?.pipeline, [{ $project: { _id: 1, name: 1, groupIds: 1 } }]);
    expect(sent[1]?.raw).toMatchObject({ kind: 'find', collection: 'User', step: 'user.findMany › groups (ids)' });
    same(sent[1]?.raw?.kind === 'find' ? [sent[1].raw.filter, sent[1].raw.options] : null, [
      { _id: { $in: [oid(U1), oid(P1)] } },
      { projection: { _id: 1, groupIds: 1 } },
    ]);
    // Every child id of the pairs, duplicates kept; the sort sent, no $skip/$limit (the in-memory processor).
    same(sent[2]?.pipeline, [
      {
        $match: {
          $expr: G({ $or: [{ $eq: ['$_id', lit(oid(G1))] }, { $eq: ['$_id', lit(oid(G2))] }, { $eq: ['$_id', lit(oid(G2))] }] }, '$_id'),
        },
      },
      { $sort: { name: 1 } },
      { $project: { _id: 1, name: 1 } },
    ]);
    expect(out).toEqual([
      { name: 'u', groups: [{ name: 'a' }, { name: 'b' }] },
      { name: 'v', groups: [{ name: 'b' }] },
    ]);
  });

  it('only the id selected and no arguments: no second query, the ids are the records', async () => {
    const { sent, out } = await render(
      (p) => p.user.findMany({ select: { groups: { select: { id: true } } } }),
      (s) => (s.raw ? [{ _id: oid(U1), groupIds: [oid(G1)] }] : [{ _id: oid(U1), groupIds: [oid(G1)] }]),
    );
    expect(sent).toHaveLength(2);
    expect(out).toEqual([{ groups: [{ id: G1 }] }]);
  });
});

describe('what Prisma refuses, or indexgate does not render, is refused before anything is sent', () => {
  it.each<[string, (p: Client) => Promise<unknown>, RegExp]>([
    ['an unknown field', (p) => p.post.findMany({ where: { nope: 1 } }), /Post has no field nope/],
    ['a cursor on a non-unique field', (p) => p.post.findMany({ cursor: { title: 'x' } }), /cursor: title is not a unique field of Post/],
    ['a cursor on an unknown field', (p) => p.post.findMany({ cursor: { nope: 1 } }), /cursor: Post has no field nope/],
    ['distinct on a relation', (p) => p.post.findMany({ distinct: ['author'] }), /distinct: author is a relation field/],
    ['distinct on an unknown field', (p) => p.post.findMany({ distinct: ['nope'] }), /distinct: Post has no field nope/],
    ["a list filter not Prisma's", (p) => p.user.findMany({ where: { tags: { contains: 'a' } } }), /tags\.contains is not a list filter/],
    ['a composite envelope of two keys', (p) => p.user.findMany({ where: { address: { is: { city: 'a' }, isSet: true } } }), /exactly one/],
    ['a composite value missing a required field', (p) => p.user.findMany({ where: { address: { city: 'Paris' } } }), /needs street/],
    [
      'distinct on a relation in a nested read',
      (p) => p.user.findMany({ include: { posts: { distinct: ['author'] } } }),
      /distinct: author is a relation field/,
    ],
  ])('%s', async (_label, call, message) => {
    const transport = new FakeTransport();
    const error = await call(createPrismaClient(dm, transport)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(transport.sent).toEqual([]);
  });
});
