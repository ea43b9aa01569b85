import type { Db } from 'mongodb';
import type { QueryPattern } from '../workload.js';
import { analyzeExplain } from '../plan/analyze.js';
import type { CheckInput, Measurement } from '../result.js';
import { explainQuery } from './pattern-query.js';
import type { Side } from '../timing/plan.js';
import type { ClassContext } from './contexts.js';
import { measurementKey } from './explain-patterns.js';

/**
 * After each switch of state (hide or unhide the created indexes), a `queryPlanner`
 * explain of every gated `find` pattern for one user class asserts that the planner now
 * picks the index the side must have: the one its `executionStats` explain used. A
 * timing sample taken in the wrong state would compare nothing; this makes that visible
 * as a failed `state` check. Aggregations are left out: their `$lookup` index is only
 * reported with execution statistics.
 */
export async function checkSideState(
  db: Db,
  input: { side: Side; round: number; patterns: readonly QueryPattern[]; context: ClassContext; plans: ReadonlyMap<string, Measurement> },
): Promise<CheckInput> {
  const { side, round, context } = input;
  const wrong: string[] = [];
  let checked = 0;
  for (const pattern of input.patterns.filter((p) => p.gated)) {
    const query = pattern.build(context.context);
    if (query.kind !== 'find') continue;
    const expected = input.plans.get(measurementKey(pattern.id, context.user.userClass));
    if (!expected) continue;
    const planned = analyzeExplain(await explainQuery(db, pattern.collection, query, { verbosity: 'queryPlanner' }), pattern.collection);
    checked++;
    if (planned.indexName !== expected.indexName)
      wrong.push(`${pattern.id} planned on ${planned.indexName ?? 'no index'}, expected ${expected.indexName ?? 'no index'}`);
  }
  return {
    check: 'state',
    pattern: `switch to ${side}, round ${round}`,
    passed: wrong.length === 0,
    message:
      wrong.length === 0
        ? `switched to "${side}" (round ${round}): ${checked} gated find pattern(s) planned on the indexes their ${side} explain used`
        : `switched to "${side}" (round ${round}) but the planner disagrees with the ${side} explain: ${wrong.join('; ')}`,
  };
}
