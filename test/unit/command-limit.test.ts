import { describe, expect, it } from 'vitest';
import { loadThresholds } from '../../src/gate/threshold-rules.js';
import { budgetsPerCommandLimit, commandLimitFor, defaultRoutePlan } from '../../src/route-engine/measure.js';
import { workload } from '../support/workload.js';

describe("the commands' limit when none is given", () => {
  it('is ten times the largest latency budget: a command that takes ten budgets already proves the route fails it', () => {
    expect(budgetsPerCommandLimit).toBe(10);
    expect(commandLimitFor({ p50: 300 })).toBe(3_000);
    expect(commandLimitFor({ p50: 1_000, p90: 2_500 })).toBe(25_000);
  });

  it('is the fixed 10 s without a budget', () => {
    expect(commandLimitFor(undefined)).toBe(defaultRoutePlan.maxTimeMS);
    expect(commandLimitFor({})).toBe(10_000);
  });

  it("is the 10 s the pinned facts were recorded with, at the shipped thresholds' budget", async () => {
    const thresholds = await loadThresholds(
      workload.thresholdsFile,
      workload.patterns.list.map((p) => p.id),
    );
    expect(commandLimitFor(thresholds.values.route.afterBudgetMs)).toBe(10_000);
  });
});
