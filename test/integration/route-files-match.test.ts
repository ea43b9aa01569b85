import { readFile } from 'node:fs/promises';
import { patterns, workload } from '../support/workload.js';
import { BSON, type Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PatternQuery } from '../../src/workload.js';
import { remedyIndexes } from '../../indexes/remedies.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { discoverContexts } from '../../src/run/contexts.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, callFor } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';

/**
 * The built-in routes became route files rendered by indexgate's Prisma client; before, they
 * were pipelines written by hand (bench/routes/prisma.ts and prisma-rewrite.ts as of eebccd1).
 * The hand-built commands were recorded on this very dataset (test/fixtures/routes/); the
 * route files must send the same commands, call for call, with two differences by design:
 *  - the order of the ids in an `in` list where Prisma's in-memory processor orders the parents
 *    by parent id (inmemory_record_processor.rs `order_by_parent`) and the hand-built model kept
 *    the server's order: the lists are compared as sets;
 *  - the rewrite's 5 members project `isActive`, as the handler's select does, and its last
 *    messages are put in page order by its code rather than by a `$sort` after the `$group`
 *    (a sort of unknown size for the gate);
 *  - the read cursors' `findMany` is sent before the members' `user.findMany`: a Prisma call is
 *    a lazy thenable sent when `.then` is first called (prisma/prisma
 *    packages/client/src/runtime/core/request/createPrismaPromise.ts, `then` → `_callback`), and
 *    in the handler's `Promise.all([prisma.user.findMany(…), unreadCounts(…), …])` the
 *    `await` inside `unreadCounts` asks for the cursors' `.then` before `Promise.all` asks for
 *    the users' (each a microtask, in that order); likewise the rewrite's attachments, whose
 *    `findMany(…).then(…)` is called while the array is built. The hand-built model sent them in
 *    array order.
 * The driver route file sends the query patterns of bench/patterns.ts, each under its id.
 */

interface Recorded {
  routes: Record<
    string,
    { userClass: string; userId: string; commands: { step: string; shapes: { kind: string; pipeline?: Document[] }[] }[] }[]
  >;
}

/** A command with the order of its id lists left out: every array of ObjectIds (or of `$eq` over them) sorted. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    const keyed = items.map((i) => JSON.stringify(i));
    const ids = keyed.every((k) => k.includes('$oid'));
    return ids ? [...keyed].sort().map((k) => JSON.parse(k) as unknown) : items;
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Document).map(([k, v]) => [k, canonical(v)]));
  return value;
}
const relaxed = (v: unknown) => canonical(BSON.EJSON.serialize(v as Document, { relaxed: true }));

let db: Awaited<ReturnType<typeof seededDb>>['db'];
let recorded: Recorded;

beforeAll(async () => {
  ({ db } = await seededDb('routefiles', 'tiny', 20260126));
  await applyIndexes(db, [...runbookIndexes, ...remedyIndexes]);
  recorded = JSON.parse(await readFile(new URL('../fixtures/routes/handbuilt-tiny-20260126.json', import.meta.url), 'utf8')) as Recorded;
}, 300_000);

describe('the built-in route files send what the hand-built models sent', () => {
  it.each(['prisma', 'prisma-rewrite'])('%s: the same commands, in the same order, for every user class', async (id) => {
    const route = builtIn(id);
    for (const want of recorded.routes[id] ?? []) {
      const call = await callFor(db, route, new BSON.ObjectId(want.userId), {}, want.userClass);
      const got = call.commands.map((c) => ({ step: c.step, shapes: c.shapes.map((s) => (s.kind === 'aggregate' ? s.pipeline : s)) }));
      const expected = want.commands.map((c) => ({
        step: c.step,
        shapes: c.shapes.map((s) =>
          BSON.EJSON.deserialize(s.kind === 'aggregate' ? (s.pipeline as Document[] as never) : (s as never), { relaxed: false }),
        ),
      }));
      // Prisma's lazy calls: a read whose `.then` is called while the array is built (awaited inside a helper, or chained
      // with `.then`) goes ahead of the users' read that precedes it in the array (see above).
      for (const ahead of ['conversationReadCursor.findMany', 'messageAttachment.findMany']) {
        const users = expected.findIndex((c, k) => c.step.startsWith('user.findMany') && expected[k + 1]?.step.startsWith(ahead));
        if (users >= 0)
          expected.splice(users, 2, expected[users + 1] as (typeof expected)[number], expected[users] as (typeof expected)[number]);
      }
      const call_ = (step: string) => step.replace(/ \(.*\)$/, '').replace(/ #\d+$/, '');
      expect(got.map((c) => call_(c.step))).toEqual(expected.map((c) => call_(c.step)));
      for (const [i, c] of got.entries()) {
        let shapes = JSON.stringify(relaxed(c.shapes));
        let want_ = JSON.stringify(relaxed(expected[i]?.shapes));
        if (id === 'prisma-rewrite' && c.step.includes('5 members'))
          shapes = shapes.replace(',"isActive":1}}],"as":"members"', '}}],"as":"members"');
        if (id === 'prisma-rewrite' && c.step.includes('last per conversation')) want_ = want_.replace(',{"$sort":{"_id":1}}]', ']');
        expect(shapes, `${want.userClass} ${c.step}`).toEqual(want_);
      }
    }
  });

  it('driver: each command is the query pattern of its name, as bench/patterns.ts builds it for the same user', async () => {
    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users));
    for (const klass of classes) {
      const call = await callFor(db, builtIn('driver'), klass.user.userId, {}, klass.user.userClass);
      expect(call.commands.map((c) => c.step)).toEqual([
        'memberships',
        'conversationsPage',
        'lastMessage',
        'pageMembers',
        'preferences',
        'memberUsers',
        'readCursors',
        'conversationsCount',
      ]);
      for (const c of call.commands) {
        const pattern = patterns.find((p) => p.id === c.step);
        const q = pattern?.build(klass.context) as (PatternQuery & { projection?: Document; sort?: Document; limit?: number }) | undefined;
        const shape = c.shapes[0];
        if (!q || !shape) throw new Error(`no pattern ${c.step}`);
        if (q.kind === 'find') {
          expect(shape.kind).toBe('find');
          const options = shape.kind === 'find' ? (shape.options ?? {}) : {};
          expect(
            relaxed({
              filter: shape.kind === 'find' ? shape.filter : null,
              projection: options.projection,
              sort: options.sort,
              limit: options.limit,
            }),
          ).toEqual(relaxed({ filter: q.filter, projection: q.projection, sort: q.sort, limit: q.limit }));
        } else {
          expect(c.collection).toBe(q.on ?? pattern?.collection);
          expect(relaxed(shape.kind === 'aggregate' ? shape.pipeline : null)).toEqual(relaxed(q.pipeline));
        }
      }
    }
  });
});
