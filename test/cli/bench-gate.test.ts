import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { defaultRoutePlan } from '../../src/route-engine/measure.js';
import { benchContract } from '../support/contract.js';
import { expectOneLineRefusal, runCli, thresholdsWithoutRouteSpeedup } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let dir: string;
let relaxed: string;
let client: MongoClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-gate-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
  client = await MongoClient.connect(testUri());
});
afterAll(() => client.close());

async function bench(
  label: string,
  extra: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; result: ReturnType<typeof benchContract.parse> }> {
  const out = join(dir, label);
  const run = await runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      uniqueDbName(label),
      '--scale',
      'tiny',
      '--budget-seconds',
      '600',
      '--route',
      'driver',
      // No test here reads what a concurrent reader saw during the build (reports.test.ts does).
      '--no-build-load',
      '--out',
      out,
      ...extra,
    ],
    { timeoutMs: 600_000 },
  );
  const result = benchContract.parse(JSON.parse(await readFile(join(out, 'result.json'), 'utf8')));
  return { ...run, result };
}

// Generous caps and limits: the verdicts here are facts of the state, never of a run squeezed by its neighbours on two cores.
describe('the gate', { timeout: 620_000 }, () => {
  it('passes on the correct state: exit 0, every contract field filled, a readable table', async () => {
    const run = await bench('correct', ['--thresholds', relaxed]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.result.gate).toEqual({ verdict: 'pass', passed: true, failures: [] });
    expect(run.stdout).toMatch(/^VERDICT: PASS/m);
    expect(run.stdout).toMatch(/^Routes$/m);
    expect(run.stdout).toMatch(/^Commands of route driver after the indexes/m);
    expect(run.result.indexes.map((i) => i.status)).toEqual(runbookIndexes.map(() => 'created'));
  });

  it('prices the set: each index its size, what used it, and a verdict (at the prisma baseline #2 and #5 are redundant)', async () => {
    const run = await bench('price', ['--thresholds', relaxed, '--baseline', 'prisma', '--no-writes']);
    expect([0, 1, 3]).toContain(run.code);
    const raw = JSON.parse(await readFile(join(dir, 'price', 'result.json'), 'utf8')) as {
      price: {
        cacheBytes: number | null;
        setBytes: number;
        collections: Array<{ collection: string; dataBytes: number; indexBytes: number }>;
        indexes: Array<{
          name: string;
          sizeBytes: number | null;
          usedBy: string[];
          verdict: string;
          redundantWith?: { name: string; reason: string };
          neededBy?: string[];
          whenHidden?: Array<{ by: string; lost: boolean; switchedTo: string | null }>;
        }>;
        neededCheck?: { checked: boolean; explains?: number };
      };
    };
    const of = (name: string) => raw.price.indexes.find((p) => p.name === name);
    expect(raw.price.indexes).toHaveLength(6);
    expect(raw.price.cacheBytes).toBeGreaterThan(0);
    expect(raw.price.setBytes).toBeGreaterThan(0);
    expect(raw.price.collections.every((c) => c.dataBytes > 0 && c.indexBytes > 0)).toBe(true);
    // #5 is Prisma's @@unique under another name; #2 has the fields of Prisma's own Message index, which the queries chose.
    expect(of('idx_userprefs_user_conv')?.redundantWith).toEqual({
      name: 'UserConversationPreferences_userId_conversationId_key',
      reason: 'same key',
    });
    expect(of('idx_message_conv_notdeleted_created')).toMatchObject({
      verdict: 'redundant',
      redundantWith: { name: 'Message_conversationId_isDeleted_createdAt_idx' },
    });
    // #1 was used, so bench hid it and explained again what used it: needed by one of them, or redundant with the index they chose.
    const one = of('idx_member_user_active_conv');
    expect(one?.usedBy).toContain('pattern memberships');
    expect(one?.sizeBytes).toBeGreaterThan(0);
    expect(one?.whenHidden?.map((e) => e.by)).toContain('pattern memberships');
    if (one?.verdict === 'needed') expect(one.neededBy?.length).toBeGreaterThan(0);
    else expect(one?.redundantWith?.reason).toBe('the queries chose it when hidden');
    expect(raw.price.neededCheck).toMatchObject({ checked: true });
    expect(run.stdout).toMatch(
      /^Indexes: the set [\d.]+ MB on disk \(every index of these collections [\d.]+ MB, their data [\d.]+ MB, WiredTiger cache [\d.]+ MB: the indexes fit in it\); needed: each used index hidden in turn, \d+ command\(s\) explained again in [\d.]+ m?s$/m,
    );
  });

  it('fails when an index has the right name and the wrong key (a name proves nothing), and on a threshold the data cannot meet', async () => {
    // One run for two failures that do not touch each other: a wrong key fails the plan checks of the pattern it was meant
    // for, a route speedup of 100,000x fails the route's speedup check for every class (the interval's lower bound is far
    // below it on any machine).
    const wrong = join(dir, 'wrong-key.json');
    await writeFile(
      wrong,
      JSON.stringify(
        runbookIndexes.map((s) =>
          s.name === 'idx_member_user_active_conv' ? { ...s, key: { isActive: 1, conversationId: 1, userId: 1 } } : s,
        ),
      ),
    );
    const impossible = join(dir, 'impossible.json');
    const shipped = JSON.parse(await readFile(relaxed, 'utf8'));
    await writeFile(impossible, JSON.stringify({ ...shipped, route: { ...shipped.route, minSpeedup: 100_000 } }));
    const run = await bench('wrongkey', ['--thresholds', impossible, '--indexes', wrong, '--no-writes']);
    expect(run.code).toBe(1);
    const memberships = run.result.gate.failures.filter((f) => f.check === 'plan' && f.pattern === 'memberships');
    expect(memberships.length).toBeGreaterThan(0);
    expect(memberships[0]?.message).toMatch(
      /expected idx_member_user_active_conv \{userId: 1, isActive: 1, conversationId: 1\} \(by key, whatever its name\)/,
    );
    const speedups = run.result.gate.failures.filter((f) => f.check === 'speedup' && f.pattern === 'route');
    expect(speedups).toHaveLength(3);
    expect(speedups[0]?.message).toMatch(/required ≥ 100000x on the lower bound/);
  });
});

describe('inconclusive: the samples cannot decide (exit 3), never a pass or a fail by chance', { timeout: 620_000 }, () => {
  it('a p95 budget on 12 calls per class cannot be bounded: INCONCLUSIVE, exit 3, and the check says how many calls it needs', async () => {
    const p95 = join(dir, 'p95.json');
    const shipped = JSON.parse(await readFile(relaxed, 'utf8'));
    await writeFile(p95, JSON.stringify({ ...shipped, route: { ...shipped.route, afterBudgetMs: { p95: 1000 } } }));
    const run = await bench('p95', ['--thresholds', p95, '--no-writes']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^VERDICT: INCONCLUSIVE \(nothing failed; 3 of \d+ checks could not be decided/m);
    expect(run.result.gate).toMatchObject({ verdict: 'inconclusive', passed: false, failures: [] });
    const saved = JSON.parse(await readFile(join(dir, 'p95', 'result.json'), 'utf8'));
    const budget = saved.gate.inconclusive.filter((c: { check: string }) => c.check === 'budget');
    expect(budget).toHaveLength(3);
    expect(budget[0].message).toMatch(/12 samples cannot bound a p95 from above \(at least 72 needed\)/);
    // The route's calls: 6 per round and side for each class, two rounds (the plan of src/route-engine/measure.ts), all kept.
    for (const r of saved.routes.filter((e: { id: string }) => e.id === 'driver')) {
      expect(r.before.totalSamplesMs).toHaveLength(2 * defaultRoutePlan.callsPerRound);
      expect(r.after.totalSamplesMs).toHaveLength(2 * defaultRoutePlan.callsPerRound);
    }
    // Every timed call is kept, in call order, with its round, side and position.
    expect(saved.timing.calls.map((c: { seq: number }) => c.seq)).toEqual(saved.timing.calls.map((_: unknown, i: number) => i + 1));
    expect(saved.timing.calls.every((c: { kind: string }) => c.kind === 'pattern')).toBe(true);
    // ABBA: round 1 before then after, round 2 after then before; a state check after each switch.
    const order = [...new Set(saved.timing.calls.map((c: { round: number; side: string }) => `${c.round}:${c.side}`))];
    expect(order).toEqual(['1:before', '1:after', '2:after', '2:before']);
    expect(
      saved.gate.checks.filter((c: { check: string; outcome: string }) => c.check === 'state' && c.outcome === 'pass').length,
    ).toBeGreaterThanOrEqual(3);
  });
});

describe('bad input to bench: one line, exit 2, nothing written', () => {
  const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
    ['a missing thresholds file', async () => ['--thresholds', join(dir, 'nope.json')], /nope\.json: no such file/],
    [
      'a thresholds file that is not JSON',
      async () => [`--thresholds`, await file('bad.json', '{"patterns": ')],
      /bad\.json: is not valid JSON/,
    ],
    [
      'a wrong type',
      async () => [
        '--thresholds',
        await file('type.json', JSON.stringify({ patterns: { lastMessage: { maxDocsExaminedPerReturned: 'two' } }, route: {} })),
      ],
      /type\.json: patterns\.lastMessage\.maxDocsExaminedPerReturned: Invalid input: expected number, received string/,
    ],
    [
      'an unknown pattern id',
      async () => ['--thresholds', await file('unknown.json', JSON.stringify({ patterns: { lastMesage: {} }, route: {} }))],
      /unknown\.json: patterns\.lastMesage: unknown pattern id \(known: memberships/,
    ],
    [
      'a budget too small to take any sample',
      async () => ['--budget-seconds', '3'],
      /--budget-seconds 3 is too small to take any sample at scale tiny/,
    ],
    [
      'an --out that cannot be written (checked before anything is measured)',
      async () => ['--out', '/dev/null/reports'],
      /--out \/dev\/null\/reports: cannot write there \(ENOTDIR: \/dev\/null is not a folder\); choose another folder/,
    ],
    [
      'an invalid index set',
      async () => ['--indexes', await file('indexes.json', JSON.stringify([{ name: 'x', collection: 'Nope', key: { a: 1 } }]))],
      /indexes\.json: 0\.collection: not a collection of the workload \(User, Conversation, .*\)$/,
    ],
  ];
  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }
  it.each(cases)('%s', async (_label, args, message) => {
    const db = uniqueDbName('badbench');
    const run = await runCli(['bench', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--route', 'driver', ...(await args())]);
    expectOneLineRefusal(run, message);
    expect(await client.db(db).listCollections().toArray()).toEqual([]);
  });
});
