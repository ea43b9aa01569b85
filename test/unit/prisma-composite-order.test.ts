import { readFileSync } from 'node:fs';
import { BSON, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { FakeTransport } from '../support/fake-transport.js';

/**
 * Orderings over composite hops and counts behind hops, as the MongoDB connector builds them
 * (mongodb-query-connector orderby.rs `OrderByData::compute`, `compute_prefix`,
 * `full_reference_path`, `OrderByBuilder::build`, `unwind_aggregate_joins`); what Prisma's schema
 * offers (query-engine/schema build/input_types/objects/order_by_objects.rs `orderby_field_mapper`):
 * a composite by its own fields, a composite list or a to-many relation by `_count`, a to-one
 * relation by its model's orderings (its lists' `_count` included).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));
async function pipelineOf(call: (p: Client) => Promise<unknown>): Promise<Document[] | undefined> {
  const transport = new FakeTransport();
  await call(createPrismaClient(dm, transport));
  return transport.sent[0]?.pipeline;
}
const authorJoin = (inner: Document[] = []) => ({
  $lookup: {
    from: 'User',
    let: { left_0: '$authorId' },
    pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$_id', '$$left_0'] }] } } }, ...inner],
    as: 'orderby_PostToUser_0',
  },
});
const unwindAuthor = { $unwind: { path: '$orderby_PostToUser_0', preserveNullAndEmptyArrays: true } };

describe('orderBy a composite field', () => {
  it("a composite's scalar: the dotted path, no join", async () => {
    same(await pipelineOf((p) => p.user.findMany({ orderBy: { address: { city: 'asc' } }, select: { id: true } })), [
      { $sort: { 'address.city': 1 } },
      { $project: { _id: 1 } },
    ]);
  });

  it("a nested composite's scalar, after a scalar ordering", async () => {
    same(
      await pipelineOf((p) =>
        p.user.findMany({ orderBy: [{ name: 'asc' }, { address: { geo: { lat: 'desc' } } }], take: 2, select: { id: true } }),
      ),
      [{ $sort: { name: 1, 'address.geo.lat': -1 } }, { $limit: BSON.Long.fromNumber(2) }, { $project: { _id: 1 } }],
    );
  });

  it("a related record's composite: the relation's join (aliased), then the composite's path inside it", async () => {
    same(await pipelineOf((p) => p.post.findMany({ orderBy: { author: { address: { city: 'desc' } } }, select: { id: true } })), [
      authorJoin(),
      unwindAuthor,
      { $sort: { 'orderby_PostToUser_0.address.city': -1 } },
      { $project: { _id: 1 } },
    ]);
  });

  it('a composite list by _count: its $size cloned to orderby_<field>_<index> and sorted by it', async () => {
    same(await pipelineOf((p) => p.user.findMany({ orderBy: { labels: { _count: 'desc' } }, select: { id: true } })), [
      { $addFields: { orderby_labels_0: { $size: { $ifNull: ['$labels', []] } } } },
      { $sort: { orderby_labels_0: -1 } },
      { $project: { _id: 1 } },
    ]);
  });

  it("a composite ordering with a cursor: the composite bound by its first part (binding_names), compared by its path; an optional composite's field makes it a null cursor (in memory)", async () => {
    const pipeline = await pipelineOf((p) =>
      p.user.findMany({
        cursor: { id: '65f5a6e01100000000000001' },
        orderBy: { address: { city: 'asc' } },
        take: 1,
        select: { id: true, address: true },
      }),
    );
    const lookup = (pipeline?.[1] as { $lookup: { let: Document; pipeline: Document[] } }).$lookup;
    same(lookup.let, { address: '$address' });
    same(lookup.pipeline.slice(0, 2), [
      { $match: { $expr: { $gte: ['$address.city', '$$address.city'] } } },
      { $sort: { 'address.city': 1 } },
    ]);
  });
});

describe("orderBy a list's _count behind a to-one hop", () => {
  it('the joins nested, the alias unwound to the list (unwind_aggregate_joins), then its $size', async () => {
    same(await pipelineOf((p) => p.post.findMany({ orderBy: { author: { posts: { _count: 'asc' } } }, select: { id: true } })), [
      authorJoin([
        {
          $lookup: {
            from: 'Post',
            let: { left_0: '$_id' },
            pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$authorId', '$$left_0'] }] } } }],
            as: 'PostToUser',
          },
        },
      ]),
      unwindAuthor,
      { $addFields: { orderby_PostToUser_0: '$orderby_PostToUser_0.PostToUser' } },
      { $addFields: { orderby_PostToUser_0: { $size: { $ifNull: ['$orderby_PostToUser_0', []] } } } },
      // The to-one join's own $unwind (JoinStage::build), after the post-join stages, as read_query_builder.rs places it.
      unwindAuthor,
      { $sort: { orderby_PostToUser_0: 1 } },
      { $project: { _id: 1 } },
    ]);
  });
});
