import { readFileSync } from 'node:fs';
import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * `cursor` and `distinct` in a nested read (`include: { posts: { cursor, distinct, … } }`): the
 * relation's arguments are a model read's (schema build/input_types/fields/arguments.rs
 * `relation_to_many_selection_arguments`: `ManyRecordsSelectionArgumentsBuilder…include_distinct`).
 * core nested_read.rs `one2m` reads the children of every parent in one query (the link `in` the
 * parents' values) and runs Prisma's in-memory processor when there are several parents or the
 * arguments need it (`requires_inmemory_processing`: any distinct on MongoDB, an unstable or null
 * cursor); the cursor stays in the query (read_query_builder.rs `cursored_pipeline_stages`), and the
 * processor (inmemory_record_processor.rs `apply`) keeps per parent the first row of each distinct
 * value, drops the rows before the cursor's row, then skips and takes.
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const hexOf = (n: number, kind: number) => `65f5a6e0${kind.toString(16).padStart(2, '0')}000000000000${n.toString(16).padStart(2, '0')}`;
const oid = (n: number, kind: number) => new ObjectId(hexOf(n, kind));
const long = (n: number) => BSON.Long.fromNumber(n);
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));

async function render(call: (prisma: Client) => Promise<unknown>, answer: (s: Sent) => Document[]) {
  const transport = new FakeTransport(answer);
  const out = await call(createPrismaClient(dm, transport));
  return { sent: transport.sent, out };
}
const users = (...ns: number[]) => ns.map((n) => ({ _id: oid(n, 1) }));
/** Posts as the database returns them for a sort by rank: [post, author, rank, title]. */
const posts = (rows: [number, number, number, string][]) =>
  rows.map(([n, a, rank, title]) => ({ _id: oid(n, 2), authorId: oid(a, 1), rank: long(rank), title }));
const inAuthors = (...ns: number[]) => ({
  $and: [{ $or: ns.map((n) => ({ $eq: ['$authorId', { $literal: oid(n, 1) }] })) }, { $ne: ['$authorId', '$$REMOVE'] }],
});

describe('distinct in a nested read', () => {
  it('no $skip/$limit sent, the distinct field projected; per parent, the first row of each value, then take', async () => {
    const { sent, out } = await render(
      (p) =>
        p.user.findMany({
          select: { id: true, posts: { distinct: ['title'], orderBy: { rank: 'asc' }, take: 2, select: { title: true } } },
        }),
      (s) =>
        s.collection === 'User'
          ? users(1, 2)
          : posts([
              [1, 1, 1, 'a'],
              [2, 2, 1, 'a'],
              [3, 1, 2, 'a'],
              [4, 2, 2, 'b'],
              [5, 1, 3, 'b'],
              [6, 1, 4, 'c'],
            ]),
    );
    same(sent[1]?.pipeline, [
      { $match: { $expr: inAuthors(1, 2) } },
      { $sort: { rank: 1 } },
      { $project: { _id: 1, title: 1, authorId: 1 } },
    ]);
    expect(out).toEqual([
      { id: hexOf(1, 1), posts: [{ title: 'a' }, { title: 'b' }] },
      { id: hexOf(2, 1), posts: [{ title: 'a' }, { title: 'b' }] },
    ]);
  });

  it('one parent: the processor all the same (a distinct always needs it), no $limit sent', async () => {
    const { sent, out } = await render(
      (p) => p.user.findUnique({ where: { id: hexOf(1, 1) }, select: { posts: { distinct: 'title', take: 1, select: { rank: true } } } }),
      (s) =>
        s.collection === 'User'
          ? users(1)
          : posts([
              [1, 1, 5, 'a'],
              [3, 1, 2, 'a'],
            ]),
    );
    // take without orderBy: the implicit order by id (query_arguments.rs finalize_arguments).
    same(sent[1]?.pipeline, [
      { $match: { $expr: inAuthors(1) } },
      { $sort: { _id: 1 } },
      { $project: { _id: 1, rank: 1, title: 1, authorId: 1 } },
    ]);
    expect(out).toEqual({ posts: [{ rank: 5 }] });
  });
});

describe('cursor in a nested read', () => {
  it('one parent, a stable ordering: the cursored pipeline with the link filter inside, skip/take in the database, no processor', async () => {
    const { sent, out } = await render(
      (p) =>
        p.user.findUnique({
          where: { id: hexOf(1, 1) },
          select: { posts: { cursor: { id: hexOf(3, 2) }, skip: 1, take: 2, select: { title: true } } },
        }),
      (s) =>
        s.collection === 'User'
          ? users(1)
          : posts([
              [5, 1, 3, 'e'],
              [6, 1, 4, 'f'],
            ]),
    );
    same(sent[1]?.pipeline, [
      { $match: { $expr: { $and: [{ $eq: ['$_id', oid(3, 2)] }] } } },
      {
        $lookup: {
          from: 'Post',
          let: { id: '$_id' },
          pipeline: [
            { $match: { $expr: inAuthors(1) } },
            { $match: { $expr: { $gte: ['$_id', '$$id'] } } },
            { $sort: { _id: 1 } },
            { $skip: long(1) },
            { $limit: long(2) },
            { $project: { _id: 1, title: 1, authorId: 1 } },
          ],
          as: 'cursor_inner',
        },
      },
      { $unwind: '$cursor_inner' },
      { $replaceRoot: { newRoot: '$cursor_inner' } },
    ]);
    expect(out).toEqual({ posts: [{ title: 'e' }, { title: 'f' }] });
  });

  it("several parents: no $skip/$limit; per parent, the rows before the cursor's row dropped (all of a parent without it), then skip/take", async () => {
    const { sent, out } = await render(
      (p) =>
        p.user.findMany({
          select: { id: true, posts: { cursor: { id: hexOf(3, 2) }, take: 2, select: { id: true } } },
        }),
      (s) =>
        s.collection === 'User'
          ? users(1, 2)
          : posts([
              [3, 1, 1, 'c'],
              [4, 2, 1, 'd'],
              [5, 1, 1, 'e'],
              [6, 1, 1, 'f'],
            ]),
    );
    const inner = (sent[1]?.pipeline?.[1] as { $lookup: { pipeline: Document[] } }).$lookup.pipeline;
    same(inner.slice(-2), [{ $sort: { _id: 1 } }, { $project: { _id: 1, authorId: 1 } }]);
    expect(out).toEqual([
      { id: hexOf(1, 1), posts: [{ id: hexOf(3, 2) }, { id: hexOf(5, 2) }] },
      { id: hexOf(2, 1), posts: [] },
    ]);
  });

  it('a negative take in a nested read: the reversed rows are put back in order (get_many_records)', async () => {
    const { out } = await render(
      (p) => p.user.findUnique({ where: { id: hexOf(1, 1) }, select: { posts: { take: -2, select: { title: true } } } }),
      (s) =>
        s.collection === 'User'
          ? users(1)
          : posts([
              [6, 1, 1, 'f'],
              [5, 1, 1, 'e'],
            ]),
    );
    expect(out).toEqual({ posts: [{ title: 'e' }, { title: 'f' }] });
  });
});
