import { describe, expect, it } from 'vitest';
import { planProblems } from '../../src/gate/evaluate.js';
import type { Measurement } from '../../src/plan/analyze.js';
import type { PlanRule } from '../../src/gate/threshold-rules.js';
import type { IndexSpec } from '../../src/workload.js';

/** A pattern's plan judged against its rule; a pattern over --max-time-ms is a finding, with what can still be judged. */

const spec: IndexSpec = { name: 'idx_cursor_user_conv', collection: 'ConversationReadCursor', key: { userId: 1, conversationId: 1 } };
const rule: PlanRule = { collscan: 'forbid', blockingSort: 'forbid', indexes: ['idx_cursor_user_conv'], maxDocsExaminedPerReturned: 2 };

const measurement = (over: Partial<Measurement>): Measurement => ({
  stages: ['FETCH', 'IXSCAN'],
  indexName: 'idx_cursor_user_conv',
  totalKeysExamined: 5,
  totalDocsExamined: 5,
  nReturned: 5,
  engine: 'classic',
  collscan: false,
  blockingSort: false,
  sortedDocs: null,
  covered: false,
  indexesUsed: ['idx_cursor_user_conv'],
  indexKey: { userId: 1, conversationId: 1 },
  explainMs: 1,
  ...over,
});

describe('planProblems', () => {
  it('passes a plan on the intended index', () => {
    expect(planProblems(measurement({}), rule, [spec])).toEqual([]);
  });

  it('fails a pattern over its limit, and still judges the plan the planner chose', () => {
    const over = measurement({
      overLimitMs: 100,
      totalDocsExamined: 0,
      nReturned: 0,
      explainMs: null,
      collscan: true,
      stages: ['COLLSCAN'],
    });
    const problems = planProblems({ ...over, indexName: null, indexKey: null, indexesUsed: [] }, rule, [spec]);
    expect(problems[0]).toBe('did not finish within 0.1 s (maxTimeMS)');
    expect(problems).toContain('COLLSCAN in the plan');
    expect(problems.some((p) => p.startsWith('uses no index'))).toBe(true);
    // Counts are unknown over the limit: no ratio is claimed from zeros.
    expect(problems.some((p) => p.includes('per returned'))).toBe(false);
  });

  it("does not claim a $lookup's inner index when it was not executed (over the limit)", () => {
    const lookups = [{ from: 'ConversationReadCursor', collectionScans: 0, indexesUsed: [], totalDocsExamined: 0, totalKeysExamined: 0 }];
    const over = measurement({ overLimitMs: 100, indexName: null, indexKey: null, indexesUsed: ['_id_'], lookups });
    expect(planProblems(over, rule, [spec])).toEqual(['did not finish within 0.1 s (maxTimeMS)']);
    // Executed, the same $lookup without its index is a finding.
    const executed = measurement({ indexName: null, indexKey: null, indexesUsed: ['_id_'], lookups });
    expect(planProblems(executed, rule, [spec]).some((p) => p.startsWith('uses'))).toBe(true);
  });
});
