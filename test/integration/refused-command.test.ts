import type { Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeWork } from '../../src/result.js';
import type { Route } from '../../src/route.js';
import { audiencesOf, captureRoute, defaultRoutePlan, type MeasureContext } from '../../src/route-engine/measure.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { dataModel, testRoute } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

/**
 * A read the server refuses because of the data it meets is a finding, as a command over its limit is, never the route's
 * error: the server refuses a result document over 16 MB (BSONObjectTooLarge, 10334) as it would refuse the application.
 * Here one conversation joined to every message of `small` (120 k, about 50 MB) and handed back meets that limit, whatever
 * the machine.
 */
const joinEverything: Route = testRoute(
  'join-everything',
  'one conversation with every message',
  'test/integration/refused-command.test.ts',
  async ({ db }) => {
    await db
      .collection('Conversation')
      .aggregate([{ $sort: { _id: 1 } }, { $limit: 1 }, { $lookup: { from: 'Message', pipeline: [], as: 'all' } }])
      .toArray();
    await db.collection('Conversation').find({}).limit(1).toArray();
  },
);

describe('a command the server refuses for the data it meets', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await seededDb('refused', 'small', 3));
  }, 240_000);

  it('ends the call as a command over the limit does: reported failed, with the code and the plan, the commands after it not sent', async () => {
    const [typical] = await sampleUsers(db, workload.users, ['typical']);
    if (!typical) throw new Error('no user');
    const [audience] = audiencesOf(joinEverything, [{ userClass: 'typical', userId: typical.userId.toHexString() }], {});
    const ctx: MeasureContext = {
      db,
      dm: await dataModel(),
      plan: { ...defaultRoutePlan, maxTimeMS: 120_000 },
      probes: new Map<string, ProbeWork>(),
      joinsOverLimit: new Map<string, string>(),
    };
    const { call, commands } = await captureRoute(ctx, joinEverything, audience as NonNullable<typeof audience>);
    expect(call.overLimit).toBe(true);
    expect(commands.map((c) => c.step)).toEqual(['Conversation.aggregate']);
    const over = commands[0]?.overLimit;
    expect(over?.failed).toMatch(/^BSONObjectTooLarge \(10334\): /);
    expect(over?.plan.length).toBeGreaterThan(0);
    expect(commands[0]?.samplesMs).toEqual([]);
  }, 240_000);
});
