import type { Db, Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeWork } from '../../src/result.js';
import type { Route } from '../../src/route.js';
import { captureRoute, type CommandSide, defaultRoutePlan, type MeasureContext, type RoutePlan } from '../../src/route-engine/measure.js';
import { dataModel, testRoute } from '../support/routes.js';
import { testDb } from '../support/mongo.js';

/**
 * A join's probe (its first 20 outer documents let into the $lookup) measures the $lookup's work, not the size of what it
 * joins: a probe that ended at the $lookup was refused by the server for its own output when one outer document joined
 * more than 16 MB (a global conversation's members at `large`), though the command, whose later stages drop the joined
 * field, is not. And a probe that does not finish within its own limit is a lower bound of every command that lets all its
 * documents into the same join: such a command is not sent. The work is sized so that nothing depends on the machine's
 * speed: 20 outer documents each scanning 50,000 inner ones (a million documents) against a 2 ms probe limit.
 */
const routeOf = (pipeline: readonly Document[]): Route =>
  testRoute('join', 'one join', 'test/integration/probe-bounds.test.ts', async ({ db }) => {
    await db
      .collection('Outer')
      .aggregate([...pipeline])
      .toArray();
  });

/** One state's measuring context: its probes and the joins known over the limit, shared by the captures made with it. */
async function contextOf(db: Db, plan: RoutePlan): Promise<MeasureContext> {
  return { db, dm: await dataModel(), plan, probes: new Map<string, ProbeWork>(), joinsOverLimit: new Map<string, string>() };
}

/** The one command of a route sending `pipeline`, captured on `ctx`'s state. */
async function capture(ctx: MeasureContext, pipeline: readonly Document[]): Promise<CommandSide | undefined> {
  const { commands } = await captureRoute(ctx, routeOf(pipeline), {
    userClass: 'typical',
    input: { user: { id: 'u', class: 'typical' }, params: {} },
  });
  return commands[0];
}

/** Every Inner document whose `key` is the outer document's: a collection scan per outer document (Inner has no index on it). */
const join = { $lookup: { from: 'Inner', let: { k: '$key' }, pipeline: [{ $match: { $expr: { $eq: ['$key', '$$k'] } } }], as: 'joined' } };

describe("a join's probe", () => {
  let wide: Db;
  let big: Db;
  beforeAll(async () => {
    wide = await testDb('probe-wide');
    await wide.collection('Outer').insertMany(Array.from({ length: 25 }, (_, i) => ({ key: i })));
    await wide.collection('Inner').insertMany(Array.from({ length: 50_000 }, (_, i) => ({ key: i % 25 })));
    // One outer document joins 1,100 documents of 16 kB: 17.6 MB in one joined field.
    big = await testDb('probe-big');
    await big.collection('Outer').insertMany([{ key: 0 }, { key: 1 }]);
    const filler = 'x'.repeat(16_000);
    for (let batch = 0; batch < 11; batch++)
      await big.collection('Inner').insertMany(Array.from({ length: 100 }, () => ({ key: 0, filler })));
  }, 120_000);

  it('measures the join when what it joins for one outer document is over 16 MB (the command drops it, and so does the probe)', async () => {
    const ctx = await contextOf(big, { ...defaultRoutePlan, maxTimeMS: 60_000 });
    const command = await capture(ctx, [join, { $project: { n: { $size: '$joined' } } }]);
    expect(command?.overLimit).toBeUndefined();
    expect(command?.returnedDocs).toBe(2);
    const probes = [...(ctx.probes?.values() ?? [])];
    expect(probes).toHaveLength(1);
    // Both outer documents let in, each scanning the 1,100 inner documents.
    expect(probes[0]).toMatchObject({ outerDocs: 2, totalOuterDocs: 2, docsExamined: 2_200, collectionScans: 2 });
  }, 120_000);

  it('that does not finish within its own limit bounds every command that joins all its documents: not sent, over the limit, with why', async () => {
    const sorted = [join, { $match: { 'joined.0': { $exists: true } } }, { $sort: { key: -1 } }, { $limit: 5 }];
    const counted = [join, { $group: { _id: null, n: { $sum: { $size: '$joined' } } } }];
    // A $limit right after the join stops pulling after 5 outer documents: the probe's 20 bound nothing.
    const firstFive = [join, { $limit: 5 }];
    const ctx = await contextOf(wide, { ...defaultRoutePlan, maxTimeMS: 1, probeMaxTimeMS: 2 });
    // The first probes the join; the second finds its probe known over the limit on this state.
    const bounds = [await capture(ctx, sorted), await capture(ctx, counted)];
    const third = await capture(ctx, firstFive);
    expect(ctx.probes?.size).toBe(0);
    for (const bounded of bounds) {
      expect(bounded?.overLimit?.inferred).toMatch(
        /^not sent: its \$lookup from Outer into Inner alone did not finish within 2 ms on the first 20 documents let into it \(its probe\), all of which it joins whoever asks: over the 1 ms limit$/,
      );
      expect(bounded?.overLimit?.probe).toBeUndefined();
      expect(bounded?.samplesMs).toEqual([]);
    }
    // Sent, and over the limit by itself (5 collection scans of 50,000 documents in 1 ms).
    expect(third?.overLimit?.inferred).toBeUndefined();
    expect(third?.overLimit?.limitMs).toBe(1);
  }, 120_000);

  it('a join known over the limit on its state is not known so for a command that stops pulling early: that one is sent', async () => {
    // A probe limit that lets the probe finish: each outer document scans the collection, projected far over 1 ms.
    const ctx = await contextOf(wide, { ...defaultRoutePlan, maxTimeMS: 1, probeMaxTimeMS: 60_000 });
    const sorted = await capture(ctx, [join, { $sort: { key: -1 } }, { $limit: 5 }]);
    expect(sorted?.overLimit?.inferred).toMatch(
      /^not sent: its \$lookup from Outer into Inner scans the collection for each of its 25 documents/,
    );
    expect(ctx.joinsOverLimit?.size).toBe(1);
    const firstFive = await capture(ctx, [join, { $limit: 5 }]);
    expect(firstFive?.overLimit?.limitMs).toBe(1);
    expect(firstFive?.overLimit?.inferred).toBeUndefined();
  }, 120_000);

  it('over a limit under 1.5 times the commands bounds nothing: the command is sent', async () => {
    const ctx = await contextOf(wide, { ...defaultRoutePlan, maxTimeMS: 2, probeMaxTimeMS: 2 });
    const command = await capture(ctx, [join, { $sort: { key: -1 } }, { $limit: 5 }]);
    expect(command?.overLimit?.limitMs).toBe(2);
    expect(command?.overLimit?.inferred).toBeUndefined();
  }, 120_000);
});
