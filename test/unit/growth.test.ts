import { describe, expect, it } from 'vitest';
import { crossingSize, fitPowerLaw } from '../../src/growth/fit.js';
import { costGrowth, type ScaleRun } from '../../src/growth/growth.js';
import type { RunResult } from '../../src/result.js';

describe('a power law fitted to costs at several sizes', () => {
  it('finds the exponent of exact power laws, with an interval of zero width', () => {
    for (const k of [0, 0.5, 1, 2]) {
      const fit = fitPowerLaw([100, 1_000, 10_000].map((x) => ({ x, y: 3 * x ** k })));
      expect(fit?.exponent).toBeCloseTo(k, 9);
      expect(fit?.interval?.[1]).toBeCloseTo(k, 6);
    }
  });

  it('says nothing from one size, and gives no interval from two', () => {
    expect(fitPowerLaw([{ x: 10, y: 5 }])).toBeNull();
    expect(
      fitPowerLaw([
        { x: 10, y: 5 },
        { x: 10, y: 7 },
      ]),
    ).toBeNull();
    expect(
      fitPowerLaw([
        { x: 10, y: 5 },
        { x: 100, y: 50 },
      ])?.interval,
    ).toBeNull();
  });

  it('has a 95% interval that covers the true exponent about 95% of the time (noise of 30% per point, 3 sizes)', () => {
    let state = 12345;
    const uniform = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    let covered = 0;
    const trials = 4_000;
    for (let t = 0; t < trials; t++) {
      const fit = fitPowerLaw([700, 8_000, 58_000].map((x) => ({ x, y: 2 * x ** 0.8 * Math.exp(0.3 * normal()) })));
      if (fit?.interval && fit.interval[0] <= 0.8 && 0.8 <= fit.interval[1]) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('crosses a budget where the curve reaches it, and never when the cost does not grow', () => {
    const linear = fitPowerLaw([
      { x: 1_000, y: 100 },
      { x: 10_000, y: 1_000 },
      { x: 100_000, y: 10_000 },
    ]);
    expect(linear && crossingSize(linear, 1_000)).toBeCloseTo(10_000, 3);
    const flat = fitPowerLaw([
      { x: 1_000, y: 20 },
      { x: 10_000, y: 20 },
      { x: 100_000, y: 20 },
    ]);
    expect(flat && crossingSize(flat, 1_000)).toBeNull();
  });
});

/** The parts of a bench result the growth reads, for one scale. */
function result(conversations: number, prismaMs: number, rewriteMs: number, rootDocs: number): RunResult {
  const phases = (total: number) => ({ total, phases: {}, latencyMs: {}, totalSamplesMs: [] });
  const command = (step: string, docs: number, returned: number) => ({ step, after: { totalDocsExamined: docs }, returnedDocs: returned });
  return {
    dataset: { counts: { Conversation: conversations, Message: conversations * 20 } },
    gate: { verdict: 'fail' },
    thresholds: { values: { route: { afterBudgetMs: { p50: 1_000 } } } },
    routes: [
      {
        id: 'prisma',
        userClass: 'typical',
        after: phases(prismaMs),
        overLimit: { before: false, after: false, limitMs: 10_000 },
        commands: [command('conversation.findMany', rootDocs, 8), command('user.findMany', 20, 20)],
      },
    ],
    remedies: [
      {
        route: 'prisma',
        kind: 'rewrite',
        title: 'rewrite',
        classes: [{ userClass: 'typical', after: phases(rewriteMs), overLimit: { after: false } }],
      },
    ],
  } as unknown as RunResult;
}

describe('cost growth over scales', () => {
  const runs: ScaleRun[] = [
    { scale: 'tiny', result: result(725, 90, 30, 2_000) },
    { scale: 'small', result: result(8_212, 1_050, 31, 22_000) },
    { scale: 'medium', result: result(58_023, 7_300, 33, 160_000) },
  ];
  const growth = costGrowth(runs, 1_000);

  it("fits each route's TOTAL against the number of conversations and names the command that grows", () => {
    const prisma = growth.routes.find((r) => r.route === 'prisma');
    expect(prisma?.totalAfter.fit?.exponent).toBeGreaterThan(0.95);
    expect(prisma?.totalAfter.fit?.exponent).toBeLessThan(1.05);
    expect(prisma?.dominant?.step).toBe('conversation.findMany');
    expect(prisma?.dominant?.exponent).toBeGreaterThan(0.9);
    expect(prisma?.crossing?.where).toBe('between the sizes measured');
    expect(prisma?.crossing?.conversations).toBeGreaterThan(725);
    expect(prisma?.crossing?.conversations).toBeLessThan(8_212);
  });

  it('reports a remedy as a route of its own, flat and never reaching the budget', () => {
    const rewrite = growth.routes.find((r) => r.route === 'prisma + rewrite');
    expect(Math.abs(rewrite?.totalAfter.fit?.exponent ?? 1)).toBeLessThan(0.05);
    expect(rewrite?.crossing).toBeNull();
    expect(rewrite?.overBudgetEverywhere).toBe(false);
  });

  it('leaves a TOTAL cut off by a limit out of the fit, and projects no crossing for a route over the budget everywhere', () => {
    const limited = runs.map((run, i) => {
      const copy = structuredClone(run);
      const route = copy.result.routes[0];
      if (route && i > 0) route.overLimit.after = true;
      return copy;
    });
    const prisma = costGrowth(limited, 50).routes.find((r) => r.route === 'prisma');
    expect(prisma?.totalAfter.points.map((p) => p.lowerBound)).toEqual([false, true, true]);
    expect(prisma?.totalAfter.fit).toBeNull();
    expect(prisma?.overBudgetEverywhere).toBe(true);
    expect(prisma?.crossing).toBeNull();
  });

  it('fits work projected from a probe that scans the collection, not one whose probe used an index', () => {
    const projected = (collectionScans: number) =>
      runs.map((run, i) => {
        const copy = structuredClone(run);
        const root = copy.result.routes[0]?.commands[0];
        if (root && i === 2)
          Object.assign(root.after, { totalDocsExamined: 90_000_000, overLimit: { limitMs: 10_000, probe: { collectionScans } } });
        return copy;
      });
    const step = (g: ReturnType<typeof costGrowth>) =>
      g.routes.find((r) => r.route === 'prisma')?.commands.find((c) => c.step === 'conversation.findMany');
    const scanned = step(costGrowth(projected(20), 1_000));
    expect(scanned?.docsExamined.fit?.points).toBe(3);
    const indexed = step(costGrowth(projected(0), 1_000));
    expect(indexed?.docsExamined.points[2]?.unreliable).toBe(true);
    expect(indexed?.docsExamined.fit?.points).toBe(2);
    expect(indexed?.docsExamined.fit?.exponent).toBeCloseTo(Math.log(22_000 / 2_000) / Math.log(8_212 / 725), 6);
  });

  it('names the dominant command from sound figures only: a biased projection does not make a command dominant', () => {
    // user.findMany's medium figure is a projection from a probe that used an index (no collection scan): huge, and biased.
    const biased = runs.map((run, i) => {
      const copy = structuredClone(run);
      const users = copy.result.routes[0]?.commands[1];
      if (users && i === 2)
        Object.assign(users.after, { totalDocsExamined: 9_000_000_000, overLimit: { limitMs: 10_000, probe: { collectionScans: 0 } } });
      return copy;
    });
    expect(costGrowth(biased, 1_000).routes.find((r) => r.route === 'prisma')?.dominant?.step).toBe('conversation.findMany');
  });

  it('lists the scales with their sizes and verdicts', () => {
    expect(growth.scales.map((s) => [s.scale, s.conversations, s.verdict])).toEqual([
      ['tiny', 725, 'fail'],
      ['small', 8_212, 'fail'],
      ['medium', 58_023, 'fail'],
    ]);
  });
});
