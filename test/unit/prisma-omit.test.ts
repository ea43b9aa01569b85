import { readFileSync } from 'node:fs';
import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * `omit` (GA in Prisma 6): the client sends the implicit selection `{$composites, $scalars}` with
 * `field: false` for each omitted field (prisma/prisma 6.19.0 serializeJsonQuery.ts
 * `createImplicitSelection`, `omitFields`); the engine removes it from the selection
 * (request-handlers protocol_adapter.rs `convert_selection`: `push_nested_exclusion`,
 * `remove_nested_selection`), so the `$project` lacks it; the id and the relation link fields are
 * still projected (core read/utils.rs `collect_selected_fields`), not returned.
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;
const U1 = '65f5a6e01100000000000001';
const U2 = '65f5a6e01100000000000002';
const oid = (hex: string) => new ObjectId(hex);

async function render(call: (prisma: Client) => Promise<unknown>, answer?: (s: Sent) => Document[]) {
  const transport = new FakeTransport(answer);
  const out = await call(createPrismaClient(dm, transport));
  return { sent: transport.sent, out };
}
const last = (pipeline: Document[] | undefined) => pipeline?.[pipeline.length - 1];
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as Document, { relaxed: false }));

describe('omit (serializeJsonQuery.ts omitFields; protocol_adapter.rs convert_selection)', () => {
  it('the omitted scalars and composites are not projected, and not returned', async () => {
    const doc = { _id: oid(U1), email: 'a@x', name: 'ann', age: 3, role: 'ADMIN', tags: [], scores: [], labels: [] };
    const { sent, out } = await render(
      (p) => p.user.findMany({ omit: { email: true, address: true, groupIds: false, nickname: undefined } }),
      () => [doc],
    );
    // The id first (collect_selected_fields), then composites and scalars in declaration order (convert_selection); omitted ones left out.
    same(last(sent[0]?.pipeline), {
      $project: { _id: 1, 'labels.name': 1, 'labels.weight': 1, name: 1, age: 1, nickname: 1, role: 1, tags: 1, scores: 1, groupIds: 1 },
    });
    expect(Object.keys((out as Document[])[0] as Document)).toEqual([
      'labels',
      'id',
      'name',
      'age',
      'nickname',
      'role',
      'tags',
      'scores',
      'groupIds',
    ]);
  });

  it('omitting the id: still projected (the engine reads records by it), not returned', async () => {
    const { sent, out } = await render(
      (p) => p.post.findFirst({ omit: { id: true, createdAt: true } }),
      () => [{ _id: oid(U1), title: 't', rank: 1, published: true, authorId: oid(U2) }],
    );
    same(last(sent[0]?.pipeline), { $project: { _id: 1, title: 1, rank: 1, published: 1, authorId: 1 } });
    expect(out).toEqual({ title: 't', rank: 1, published: true, authorId: U2 });
  });

  it('with include: the relation is read; a link field omitted is still projected for it but not returned', async () => {
    const { sent, out } = await render(
      (p) => p.post.findMany({ omit: { authorId: true, createdAt: true }, include: { author: { omit: { address: true, labels: true } } } }),
      (s) =>
        s.collection === 'Post'
          ? [{ _id: oid(U1), title: 't', rank: 1, published: false, authorId: oid(U2) }]
          : [{ _id: oid(U2), email: 'b@x', name: 'bob', age: 4, role: 'MEMBER', tags: [], scores: [] }],
    );
    same(last(sent[0]?.pipeline), { $project: { _id: 1, title: 1, rank: 1, published: 1, authorId: 1 } });
    same(last(sent[1]?.pipeline), {
      $project: { _id: 1, email: 1, name: 1, age: 1, nickname: 1, role: 1, tags: 1, scores: 1, groupIds: 1 },
    });
    const [post] = out as Document[];
    expect(Object.keys(post as Document)).toEqual(['id', 'title', 'rank', 'published', 'author']);
    expect((post as { author: Document }).author.name).toBe('bob');
  });

  it('findUnique calls with the same omit are one findMany; an omitted where field is selected for the match and removed again', async () => {
    const { sent, out } = await render(
      (p) =>
        Promise.all([
          p.user.findUnique({ where: { email: 'a@x' }, omit: { email: true, address: true, labels: true } }),
          p.user.findUnique({ where: { email: 'b@x' }, omit: { email: true, address: true, labels: true } }),
        ]),
      () => [{ _id: oid(U2), email: 'b@x', name: 'bob', age: 4, role: 'MEMBER', tags: [], scores: [], groupIds: [] }],
    );
    expect(sent).toHaveLength(1);
    expect(Object.keys(last(sent[0]?.pipeline)?.$project as Document)).toContain('email');
    expect(out).toEqual([null, { id: U2, name: 'bob', age: 4, nickname: null, role: 'MEMBER', tags: [], scores: [], groupIds: [] }]);
  });

  it('findUnique calls with different omits are different batches (getBatchId.ts: the selection keys)', async () => {
    const { sent } = await render((p) =>
      Promise.all([p.user.findUnique({ where: { email: 'a@x' }, omit: { age: true } }), p.user.findUnique({ where: { email: 'b@x' } })]),
    );
    expect(sent).toHaveLength(2);
  });

  it.each<[string, (p: Client) => Promise<unknown>, RegExp]>([
    [
      'omit with select',
      (p) => p.user.findMany({ select: { id: true }, omit: { email: true } }),
      /omit and select cannot be used together/,
    ],
    ['an unknown field', (p) => p.user.findMany({ omit: { password: true } }), /omit: User has no field password/],
    ['a relation', (p) => p.user.findMany({ omit: { posts: true } }), /omit: posts is a relation/],
    ['not a boolean', (p) => p.user.findMany({ omit: { email: 1 } }), /omit: email takes true or false/],
  ])('refused before anything is sent: %s', async (_label, call, message) => {
    const transport = new FakeTransport();
    const error = await call(createPrismaClient(dm, transport)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(transport.sent).toHaveLength(0);
  });
});
