import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { benchDriverTiny } from '../support/bench.js';
import { thresholdsWithoutRouteSpeedup } from '../support/cli.js';

let dir: string;
let relaxed: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-gate-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
});
const bench = (label: string, extra: string[]) => benchDriverTiny(dir, label, extra);

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
