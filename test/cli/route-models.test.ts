import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

describe('bench --route prisma', () => {
  it('a command that cannot finish within its limit is reported over the limit with its work, fails the gate, and the run completes', async () => {
    const out = await mkdtemp(join(tmpdir(), 'indexgate-routes-'));
    // 100 ms: the page's $lookup from every Conversation into an unindexed ConversationMember examines millions of documents at tiny.
    const run = await runCli(
      [
        'bench',
        '--uri',
        testUri(),
        '--db',
        uniqueDbName('limit'),
        '--scale',
        'tiny',
        '--route',
        'prisma',
        '--command-limit-ms',
        '100',
        '--no-remedies',
        '--no-writes',
        '--no-build-load',
        '--verbose',
        '--out',
        out,
      ],
      { timeoutMs: 170_000 },
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    const prisma = result.routes.filter((r: { id: string }) => r.id === 'prisma');
    expect(prisma.map((r: { userClass: string }) => r.userClass)).toEqual(['typical', 'heavy', 'heaviest']);
    for (const route of prisma) {
      expect(route.overLimit).toEqual({ before: true, after: true, limitMs: 100 });
      const page = route.commands.find((c: { step: string }) => c.step === 'conversation.findMany');
      expect(page.after.overLimit.limitMs).toBe(100);
      expect(page.after.overLimit.probe.collectionScans).toBeGreaterThan(0);
      expect(page.after.overLimit.probe.projectedDocsExamined).toBeGreaterThan(page.after.overLimit.probe.docsExamined);
      expect(page.shape[0].$lookup.from).toBe('ConversationMember');
    }
    // The page's join reads every conversation whoever asks: the same probe, the same work, for every class.
    const probes = prisma.map((r: { commands: Array<{ step: string; after: { overLimit: { probe: unknown } } }> }) =>
      JSON.stringify(r.commands.find((c) => c.step === 'conversation.findMany')?.after.overLimit.probe),
    );
    expect(new Set(probes).size).toBe(1);
    // The join scans ConversationMember for each conversation: its probe, made before the first class sends it, projects it
    // far over the limit whoever asks, so no class sends it on either side (it would only wait): each is reported over the
    // limit, with why.
    for (const side of ['before', 'after'] as const) {
      const pages = prisma.map(
        (r: {
          commands: Array<{ step: string; before?: { overLimit?: { inferred?: string } }; after: { overLimit?: { inferred?: string } } }>;
        }) => r.commands.find((c) => c.step === 'conversation.findMany')?.[side]?.overLimit,
      );
      for (const p of pages)
        expect(p?.inferred).toMatch(
          /^not sent: its \$lookup from Conversation into ConversationMember scans the collection for each of its \d+ documents and is projected at [\d.]+ s/,
        );
    }
    expect(result.gate.failures).toContainEqual(
      expect.objectContaining({
        check: 'limit',
        route: 'prisma',
        step: 'conversation.findMany',
        message: expect.stringMatching(/over 0\.1 s after the indexes \(maxTimeMS\).*projected/),
      }),
    );
    expect(result.gate.failures).toContainEqual(
      expect.objectContaining({ check: 'budget', route: 'prisma', message: expect.stringMatching(/TOTAL is over 0\.1 s/) }),
    );
    expect(run.stdout).toMatch(/^Answer: The index set does NOT make the application's own route/m);
    expect(run.stdout).toMatch(/over 0\.1 s/);
    // Where the routes' time went: over-limit waits and probes on both sides, each part within its total.
    const parts = result.routeTimings as Array<{ route: string; part: string; totalMs: number; spent: Record<string, number> }>;
    expect(parts.map((p) => `${p.route} ${p.part}`)).toEqual(['prisma before', 'prisma after']);
    for (const p of parts) {
      expect(p.spent.overLimitCalls).toBeGreaterThan(0);
      expect(p.spent.probes).toBeGreaterThan(0);
      const accounted = Object.values(p.spent).reduce((n, v) => n + v, 0);
      expect(accounted).toBeLessThanOrEqual(p.totalMs + Object.keys(p.spent).length);
    }
    expect(run.stdout).toMatch(/^Where the routes' time went \(s; [\d.]+ s in all\)$/m);
    expect(run.stdout).toMatch(/│ prisma +│ before +│/);
    // --route prisma: only the application's route is measured and judged.
    expect(result.routes.filter((r: { id: string }) => r.id === 'driver')).toEqual([]);
    expect(result.gate.checks.filter((c: { route?: string }) => c.route === 'driver')).toEqual([]);
  }, 180_000);
});
