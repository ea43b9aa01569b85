import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeExplain } from '../../src/plan/analyze.js';
import type { RunResult } from '../../src/result.js';
import { runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

/**
 * A team's own route, written in a file in a folder outside the project (nothing but the file
 * is there: it imports nothing), with every kind of Prisma call the renderer supports that the
 * conversation list does not use; `bench --route-file` measures it before and after the six on
 * the run's mongod, and every plan the result reports is the one MongoDB gives for the command
 * the renderer sent (explained again here, on the same database).
 */
const inbox = `// A route a team writes: no import, a plain default export.
export default {
  id: 'inbox',
  title: 'an inbox with every filter kind',
  source: 'a test of indexgate',
  params: { take: 2 },
  async run({ prisma, user, params, phase }) {
    const conversations = await phase('list', () =>
      prisma.conversation.findMany({
        where: {
          OR: [{ members: { some: { userId: user.id, isActive: true } } }, { type: 'global' }],
          messages: { none: { isDeleted: true, content: { startsWith: 'zzz' } } },
          userPreferences: { every: { isArchived: false } },
          isActive: true,
        },
        orderBy: { lastMessageAt: 'desc' },
        take: 5,
        select: {
          id: true,
          title: true,
          _count: { select: { members: true } },
          messages: { where: { isDeleted: false }, orderBy: { createdAt: 'desc' }, take: params.take, select: { id: true, sender: { select: { username: true } } } },
        },
      }),
    );
    if (!Array.isArray(conversations)) throw new Error('findMany returned no list');
    await phase('cursor', () => prisma.conversationReadCursor.findFirst({ where: { userId: user.id, NOT: { unreadCount: 0 } }, include: { conversation: true } }));
  },
};
`;

let dir: string;
let out: string;
let dbName: string;
let result: RunResult;
let run: Awaited<ReturnType<typeof runCli>>;
let client: MongoClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-team-'));
  await writeFile(join(dir, 'inbox.ts'), inbox);
  out = join(dir, 'out');
  dbName = uniqueDbName('routefile');
  // baseline prisma: the schema's own indexes serve the joins, so that the before side of a tiny dataset finishes in seconds.
  run = await runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      dbName,
      '--scale',
      'tiny',
      '--baseline',
      'prisma',
      '--budget-seconds',
      '900',
      // What the set costs the writes and what a reader saw during the build are proven by reports.test.ts's full run.
      '--no-writes',
      '--no-build-load',
      '--route-file',
      join(dir, 'inbox.ts'),
      '--out',
      out,
    ],
    { timeoutMs: 900_000 },
  );
  result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as RunResult;
  client = await MongoClient.connect(testUri());
}, 960_000);
afterAll(async () => client?.close());

describe('a route file outside the project, measured by bench before and after the six', () => {
  it('is measured for the three user classes, before and after, alone (no built-in route without --route)', () => {
    expect([0, 1, 3]).toContain(run.code);
    const inboxes = result.routes.filter((r) => r.id === 'inbox');
    expect(inboxes.map((r) => r.userClass).sort()).toEqual(['heaviest', 'heavy', 'typical']);
    expect(result.routes.filter((r) => r.id !== 'inbox')).toEqual([]);
    for (const r of inboxes) {
      expect(r.before?.latencyMs.total.samples).toBeGreaterThan(0);
      expect(Object.keys(r.after.phases)).toEqual(['list', 'cursor']);
      expect(r.file).toBe(join(dir, 'inbox.ts'));
    }
    // Without the application's route, the answer is about the team's route: per class, and its checks.
    expect(run.stdout).toMatch(
      /^Answer: Route inbox \(.*\) with the index set: typical .*; heavy .*; heaviest .*\. (All \d+ of its checks passed|\d+ of its \d+ checks failed|No check failed)/m,
    );
  });

  it('sends what Prisma would: relation filters as $lookups named after the relations, _count, the nested take in memory, the to-one include', () => {
    const typical = result.routes.find((r) => r.id === 'inbox' && r.userClass === 'typical');
    const steps = typical?.commands.map((c) => c.step);
    expect(steps).toEqual(
      expect.arrayContaining([
        'conversation.findMany',
        'conversation.findMany › messages',
        'conversation.findMany › messages › sender',
        'conversationReadCursor.findFirst',
      ]),
    );
    const page = JSON.stringify(typical?.commands.find((c) => c.step === 'conversation.findMany')?.shape);
    for (const as of [
      'ConversationToConversationMember',
      'ConversationToMessage',
      'ConversationToUserConversationPreferences',
      '_aggr_count_members',
    ])
      expect(page).toContain(`"as":"${as}"`);
    const messages = typical?.commands.find((c) => c.step === 'conversation.findMany › messages');
    // Several parents: no $limit, the take kept per parent in memory.
    expect(JSON.stringify(messages?.shape)).not.toContain('$limit');
    expect(messages?.clientSide?.describe).toMatch(/first 2 per parent/);
  });

  it('every plan reported after the six is the one MongoDB gives for the command as sent', async () => {
    const db = client.db(dbName);
    for (const r of result.routes.filter((x) => x.id === 'inbox')) {
      for (const c of r.commands) {
        if (c.after.overLimit) continue;
        const shapes = (Array.isArray(c.shape) && Array.isArray(c.shape[0]) ? c.shape : [c.shape]) as unknown[];
        const pipeline = BSON.EJSON.deserialize(shapes[0] as Document, { relaxed: false }) as unknown as Document[];
        const raw = await db.collection(c.collection).aggregate(pipeline, { allowDiskUse: true }).explain('executionStats');
        const plan = analyzeExplain(raw, c.collection);
        expect(plan.stages, `${r.userClass} ${c.step}`).toEqual(c.after.stages);
        expect([...plan.indexesUsed].sort(), `${r.userClass} ${c.step}`).toEqual([...c.after.indexesUsed].sort());
      }
    }
  });
});
