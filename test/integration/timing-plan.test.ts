import { describe, expect, it } from 'vitest';
import { patterns, workload } from '../support/workload.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { setCreatedIndexesHidden } from '../../src/indexing/hide.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { discoverContexts, type ClassContext } from '../../src/run/contexts.js';
import { explainAll } from '../../src/run/explain-patterns.js';
import { checkSideState } from '../../src/run/state-check.js';
import { timeRounds } from '../../src/run/timing.js';
import { defaultTimingPlan } from '../../src/timing/plan.js';
import { seededDb } from '../support/seeded.js';

describe('the timing plan and the state it is taken in', () => {
  it('a state check fails when the target is not in the state its side needs', async () => {
    const { db } = await seededDb('state-check', 'tiny', 31);
    const indexes = await applyIndexes(db, runbookIndexes);
    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users, ['typical']));
    const context = classes[0] as ClassContext;
    const after = await explainAll(db, patterns, classes);
    expect((await checkSideState(db, { side: 'after', round: 1, patterns, context, plans: after })).passed).toBe(true);
    // The six hidden, but the side claims to be "after": the planner disagrees, by name.
    await setCreatedIndexesHidden(db, indexes, true);
    const wrong = await checkSideState(db, { side: 'after', round: 2, patterns, context, plans: after });
    expect(wrong.passed).toBe(false);
    expect(wrong.message).toMatch(
      /the planner disagrees with the after explain: memberships planned on no index, expected idx_member_user_active_conv/,
    );
  });

  it('a budget that runs out caps the plan: the outcome says so and keeps what was measured', async () => {
    const { db } = await seededDb('timing-cap', 'tiny', 32);
    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users, ['typical']));
    const one = patterns.filter((p) => p.id === 'memberships');
    const capped = await timeRounds({ db, patterns: one, classes, sides: ['after'], budgetMs: 0, estimates: new Map() });
    expect(capped.capped).toBe(true);
    expect(capped.calls).toEqual([]);
    const full = await timeRounds({ db, patterns: one, classes, sides: ['after'], budgetMs: 60_000, estimates: new Map() });
    expect(full.capped).toBe(false);
    expect(full.rounds).toBe(defaultTimingPlan.rounds);
    const perRound = defaultTimingPlan.patternSamplesPerRound;
    expect(full.calls.map((c) => [c.round, c.side, c.position, c.id])).toEqual(
      Array.from({ length: defaultTimingPlan.rounds }, (_, r) =>
        Array.from({ length: perRound }, (_, i) => [r + 1, 'after', i, 'memberships']),
      ).flat(),
    );
  });
});
