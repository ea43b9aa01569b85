import { describe, expect, it } from 'vitest';
import { completeExplain, isOverLimit } from '../../src/mongo/over-limit.js';

// Recorded from mongod 7.0.15: a find's explain ("executionStats", maxTimeMS 20) over a collection scan answers ok: 1 with
// the work done until the limit; an aggregate the server turns into a find does the same under `executionStats`.
const stopped = {
  explainVersion: '1',
  queryPlanner: { winningPlan: { stage: 'COLLSCAN', direction: 'forward' } },
  executionStats: {
    executionSuccess: false,
    errorMessage: 'operation exceeded time limit',
    errorCode: 50,
    nReturned: 0,
    executionTimeMillis: 20,
    totalKeysExamined: 0,
    totalDocsExamined: 2447,
  },
  ok: 1,
};

describe('an explain whose execution stopped at its limit', () => {
  it('is over the limit, as the command would be, not a measurement of partial work', () => {
    let thrown: unknown;
    try {
      completeExplain(stopped);
    } catch (error) {
      thrown = error;
    }
    expect(isOverLimit(thrown)).toBe(true);
  });

  it('is found inside an aggregate stage (a $cursor) too, and another failure is an error but not over the limit', () => {
    const inCursor = { stages: [{ $cursor: { executionStats: stopped.executionStats } }, { $group: {} }], ok: 1 };
    expect(() => completeExplain(inCursor)).toThrow(/operation exceeded time limit/);
    const other = { executionStats: { executionSuccess: false, errorCode: 292, errorMessage: 'sort exceeded memory' } };
    let thrown: unknown;
    try {
      completeExplain(other);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(isOverLimit(thrown)).toBe(false);
  });

  it('a complete explain is returned as it is', () => {
    const complete = { ...stopped, executionStats: { ...stopped.executionStats, executionSuccess: true } };
    expect(completeExplain(complete)).toBe(complete);
  });
});
