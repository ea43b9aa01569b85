import type { Db, Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeWork } from '../../src/result.js';
import type { Route } from '../../src/route.js';
import { type PatternContext, patterns } from '../../bench/patterns.js';
import {
  audiencesOf,
  captureRoute,
  type CommandSide,
  defaultRoutePlan,
  explainCommand,
  type MeasureContext,
  probesOfExplained,
} from '../../src/route-engine/measure.js';
import { indexKeyResolver } from '../../src/plan/measurement.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

/**
 * A capture looks at a join before sending it: where its probe alone decides that the command cannot finish within the
 * limit, the command is not sent (it would only wait for the limit) but reported over it, with why. The probe decides only
 * where it measures the command's own join: a $lookup that scans the collection for each outer document (each costs the
 * same), or a probe that let every outer document in. A $lookup served by an index is sent, whatever its probe says.
 * The limits are tiny so that nothing here depends on the machine's speed: the joins judged examine tens of thousands of
 * documents per outer document, far beyond what a millisecond or two allows.
 */
async function capture(db: Db, routeOrId: string | Route, maxTimeMS: number): Promise<Map<string, CommandSide>> {
  const [typical] = await sampleUsers(db, workload.users, ['typical']);
  if (!typical) throw new Error('no user');
  const route = typeof routeOrId === 'string' ? builtIn(routeOrId) : routeOrId;
  const [audience] = audiencesOf(route, [{ userClass: 'typical', userId: typical.userId.toHexString() }], {});
  const ctx: MeasureContext = {
    db,
    dm: await dataModel(),
    plan: { ...defaultRoutePlan, maxTimeMS },
    probes: new Map<string, ProbeWork>(),
    joinsOverLimit: new Map<string, string>(),
  };
  const { commands } = await captureRoute(ctx, route, audience as NonNullable<typeof audience>);
  return new Map(commands.map((c) => [c.step, c]));
}

/** The driver's last-message join for 15 conversations (fewer than a probe lets in), Message unindexed at bare. */
let lastMessagesPipeline: Document[] = [];
async function lastMessages(db: Db): Promise<Route> {
  const ids = (
    await db
      .collection('Conversation')
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .limit(15)
      .toArray()
  ).map((c) => c._id);
  // The lastMessage pattern's own pipeline (the driver route sends the same).
  const query = patterns.find((p) => p.id === 'lastMessage')?.build({ pageIds: ids } as unknown as PatternContext);
  if (query?.kind !== 'aggregate') throw new Error('the lastMessage pattern is not an aggregate');
  lastMessagesPipeline = [...query.pipeline];
  const pipeline = lastMessagesPipeline;
  return {
    id: 'last-messages',
    title: 'the last message of 15 conversations',
    description: '',
    params: {},
    file: 'test/integration/prejudge.test.ts',
    async run({ db: recorded }) {
      await recorded.collection('Conversation').aggregate(pipeline).toArray();
    },
  };
}

describe('a join judged by its probe before it is sent', () => {
  let bare: Db;
  let prisma: Db;
  beforeAll(async () => {
    ({ db: bare } = await seededDb('prejudge-bare', 'tiny', 20260126));
    ({ db: prisma } = await seededDb('prejudge-prisma', 'tiny', 20260126, 'prisma'));
  }, 240_000);

  it('a $lookup scanning the collection per outer document, projected over the limit, is not sent: over the limit, with its probe and why', async () => {
    const page = (await capture(bare, 'prisma', 5)).get('conversation.findMany');
    const over = page?.overLimit;
    expect(over?.inferred).toMatch(
      /^not sent: its \$lookup from Conversation into ConversationMember scans the collection for each of its \d+ documents and is projected at [\d.]+ s/,
    );
    expect(over?.probe?.collectionScans).toBeGreaterThan(0);
    expect(over?.probe?.totalOuterDocs).toBeGreaterThan(defaultRoutePlan.probeDocs);
    expect(page?.samplesMs).toEqual([]);
  }, 120_000);

  it('a probe that let every outer document in is the join itself: over the limit by its own time, the command is not sent', async () => {
    const over = (await capture(bare, await lastMessages(bare), 1)).get('Conversation.aggregate')?.overLimit;
    expect(over?.inferred).toMatch(
      /^not sent: its \$lookup from Conversation into Message alone took [\d.]+ s on this state for all 15 documents/,
    );
    expect(over?.probe?.totalOuterDocs).toBe(15);
  }, 120_000);

  it("a join a pattern's explain already measured whole is the probe it would make: the same work, no probe of its own", async () => {
    const route = await lastMessages(bare);
    const probes = new Map<string, ProbeWork>();
    await captureRoute(
      { db: bare, dm: await dataModel(), plan: { ...defaultRoutePlan, maxTimeMS: 60_000 }, probes, joinsOverLimit: new Map() },
      route,
      { userClass: 'typical', input: { user: { id: 'u', class: 'typical' }, params: {} } },
    );
    expect(probes.size).toBe(1);
    const [[key, probed]] = [...probes] as [[string, ProbeWork]];
    const measurement = await explainCommand(
      bare,
      'Conversation',
      [{ kind: 'aggregate', pipeline: lastMessagesPipeline }],
      60_000,
      indexKeyResolver(bare),
    );
    const seeded = await probesOfExplained(bare, defaultRoutePlan, [
      { collection: 'Conversation', pipeline: lastMessagesPipeline, measurement },
    ]);
    const work = ({ probeMs: _p, projectedMs: _m, ...counts }: ProbeWork) => counts;
    expect(work(seeded.get(key) as ProbeWork)).toEqual(work(probed));
    expect(probed.collectionScans).toBeGreaterThan(0);
    // More documents into the join than a probe lets in: the explain is not what the probe would measure.
    const wide = [{ $limit: 40 }, ...lastMessagesPipeline.slice(1)];
    const wider = await explainCommand(bare, 'Conversation', [{ kind: 'aggregate', pipeline: wide }], 60_000, indexKeyResolver(bare));
    expect(
      (await probesOfExplained(bare, defaultRoutePlan, [{ collection: 'Conversation', pipeline: wide, measurement: wider }])).size,
    ).toBe(0);
  }, 120_000);

  it('a $lookup served by an index is sent, whatever its probe projects (its first outer documents may be the dearest)', async () => {
    const page = (await capture(prisma, 'prisma', 5)).get('conversation.findMany');
    expect(page?.overLimit?.inferred).toBeUndefined();
    if (page?.overLimit) expect(page.overLimit.probe?.collectionScans).toBe(0);
    else expect(page?.measurement?.lookups?.[0]?.collectionScans).toBe(0);
  }, 120_000);
});
