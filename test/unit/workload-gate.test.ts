import { describe, expect, it } from 'vitest';
import { defaultWorkloadRules, type WorkloadRules } from '../../src/gate/threshold-rules.js';
import { workloadChecks } from '../../src/gate/replay-checks.js';
import type { CommandMeasurement, RouteCommandResult, RouteResult } from '../../src/result.js';

/** The gate of a replayed workload, shape by shape (rules as data, measurements as bench writes them). */

const measured = (over: Partial<CommandMeasurement>): CommandMeasurement => ({
  stages: ['FETCH', 'IXSCAN'],
  indexName: 'idx',
  totalKeysExamined: 10,
  totalDocsExamined: 10,
  nReturned: 10,
  engine: 'classic',
  collscan: false,
  blockingSort: false,
  sortedDocs: null,
  covered: false,
  indexesUsed: ['idx'],
  indexKey: { a: 1 },
  explainMs: 1,
  returnedDocs: 10,
  returnedBytes: 100,
  ...over,
});

const shape = (
  step: string,
  collection: string,
  after: Partial<CommandMeasurement>,
  samples: { before: number[]; after: number[] } = { before: [], after: [] },
): RouteCommandResult => ({
  step,
  call: `find on ${collection}`,
  collection,
  command: 'find',
  shape: [],
  source: 'captured',
  after: measured(after),
  returnedDocs: 10,
  returnedBytes: 100,
  captured: {
    count: 100,
    recorded: { p50Ms: 5, totalMs: 500, planSummary: 'COLLSCAN' },
    params: 1,
    perExecutionMs: { after: 1 },
    weightedMs: { after: 100 },
    afterSamplesMs: samples.after,
  },
});

const route = (commands: RouteCommandResult[]): RouteResult => ({
  id: 'staging',
  title: 'captured',
  file: 'workload.json',
  userClass: 'captured',
  params: {},
  role: 'gated',
  after: { total: 1, phases: { replay: 1 }, latencyMs: {} as never, totalSamplesMs: [] },
  overLimit: { before: false, after: false, limitMs: 10_000 },
  commands,
  indexesUsed: [],
  indexesUnused: [],
});

const outcomes = (checks: ReturnType<typeof workloadChecks>) =>
  checks.map((c) => `${c.step} ${c.check} ${c.outcome ?? (c.passed ? 'pass' : 'fail')}`);

describe('the gate of a replayed workload', () => {
  it('a collection scan fails on a collection over the size, passes (and says so) on a small one', () => {
    const checks = workloadChecks(
      route([
        shape('big', 'Message', { collscan: true, stages: ['COLLSCAN'], indexesUsed: [] }),
        shape('small', 'Settings', { collscan: true, stages: ['COLLSCAN'], indexesUsed: [] }),
      ]),
      defaultWorkloadRules,
      { Message: 1_000_000, Settings: 12 },
      true,
    );
    expect(outcomes(checks)).toEqual(['big plan fail', 'small plan pass']);
    expect(checks[1]?.message).toMatch(/a scan of 12 documents, at most 1,000 allowed/);
  });

  it('a blocking sort over the bound fails; an unknown count of sorted documents fails too', () => {
    const checks = workloadChecks(
      route([
        shape('few', 'Message', { blockingSort: true, sortedDocs: 40 }),
        shape('many', 'Message', { blockingSort: true, sortedDocs: 5000 }),
        shape('unknown', 'Message', { blockingSort: true, sortedDocs: null }),
      ]),
      defaultWorkloadRules,
      { Message: 1_000_000 },
      true,
    );
    expect(outcomes(checks)).toEqual(['few plan pass', 'many plan fail', 'unknown plan fail']);
  });

  it("a shape's own rules: its index, its budget (decided only when the samples bound the p50), its speedup", () => {
    const rules: WorkloadRules = {
      ...defaultWorkloadRules,
      shapes: {
        fast: { indexes: ['idx'], afterBudgetMs: { p50: 50 } },
        slow: { afterBudgetMs: { p50: 50 } },
        few: { afterBudgetMs: { p50: 50 } },
        wrong: { indexes: ['other'] },
        sped: { minSpeedup: 10 },
      },
    };
    const many = (ms: number) => Array.from({ length: 12 }, (_, i) => ms + i * 0.1);
    const checks = workloadChecks(
      route([
        shape('fast', 'Message', {}, { before: [], after: many(2) }),
        shape('slow', 'Message', {}, { before: [], after: many(80) }),
        shape('few', 'Message', {}, { before: [], after: [2, 3] }),
        shape('wrong', 'Message', {}),
        shape('sped', 'Message', {}),
      ]),
      rules,
      { Message: 1_000_000 },
      true,
    );
    expect(outcomes(checks)).toEqual([
      'fast plan pass',
      'fast budget pass',
      'slow plan pass',
      'slow budget fail',
      'few plan pass',
      'few budget inconclusive',
      'wrong plan fail',
      'sped plan pass',
      'sped speedup inconclusive',
    ]);
  });

  it('a shape over its limit fails', () => {
    const checks = workloadChecks(
      route([shape('stuck', 'Message', { overLimit: { limitMs: 10_000 } })]),
      defaultWorkloadRules,
      { Message: 1 },
      true,
    );
    expect(outcomes(checks)).toEqual(['stuck limit fail']);
  });
});
