import { describe, expect, it } from 'vitest';
import { loadThresholds } from '../../src/gate/threshold-rules.js';
import { budgetsPerCommandLimit, commandLimitFor, defaultRoutePlan } from '../../src/route-engine/measure.js';
import { remedyStop } from '../../src/run/measure-routes.js';
import type { RouteCall } from '../../src/route-engine/call.js';
import type { RouteSide } from '../../src/route-engine/measure.js';
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

describe('the index remedy, class by class', () => {
  const call = (total: number, overLimit = false): RouteCall =>
    ({ phases: { total }, commands: [], overLimit, overheadMs: 0 }) as unknown as RouteCall;
  const side = (userClass: string, calls: RouteCall[], overLimit = false, stopped?: string): RouteSide =>
    ({
      userClass,
      input: { user: { id: 'u', class: userClass }, params: {} },
      calls,
      commands: [],
      overLimit,
      dear: true,
      ...(stopped ? { stopped } : {}),
    }) as RouteSide;
  const plan = { maxTimeMS: 10_000 };

  it('stops after a class left with a command over the limit', () => {
    expect(remedyStop(side('typical', [call(10_050, true)], true, 'conversation.count'), plan)).toBe(
      'typical still had a command over its 10 s limit with the remedy (conversation.count): it cannot bring every class under the budget',
    );
  });

  it('stops after a class whose call took the limit or more in all, every command finished (a faster machine)', () => {
    expect(remedyStop(side('typical', [call(18_910)]), plan)).toBe(
      'typical took 18.9 s with the remedy (every command finished), the 10 s command limit or more in all: it cannot bring every class under the budget',
    );
    expect(remedyStop(side('heavy', [call(10_000)]), plan)).toMatch(/^heavy took 10\.0 s/);
  });

  it('goes on after a class under the limit: its calls are the evidence', () => {
    expect(remedyStop(side('typical', [call(9_999)]), plan)).toBeUndefined();
    expect(remedyStop(side('typical', [call(18_000), call(4_000)]), plan)).toBeUndefined();
    expect(remedyStop(side('typical', []), plan)).toBeUndefined();
  });
});
