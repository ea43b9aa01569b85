import type { Db } from 'mongodb';
import type { QueryPattern } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { measurementKey } from '../keys.js';
import { indexKeyResolver, measurementOf } from '../plan/measurement.js';
import type { Measurement } from '../result.js';
import { explainQuery } from './pattern-query.js';
import { isOverLimit } from '../mongo/over-limit.js';
import type { ClassContext } from './contexts.js';

export { measurementKey } from '../keys.js';

/**
 * explain("executionStats") of every selected pattern for every user class, on the
 * target's current state. Each plan's index is resolved to its key pattern (so that an
 * index with the same key under another name is recognised).
 */
export async function explainAll(
  db: Db,
  selected: readonly QueryPattern[],
  classes: readonly ClassContext[],
  options: { signal?: AbortSignal | undefined; maxTimeMS?: number | undefined; onDone?: (label: string) => void } = {},
): Promise<Map<string, Measurement>> {
  const keyOf = indexKeyResolver(db);
  const out = new Map<string, Measurement>();
  for (const { user, context } of classes) {
    for (const pattern of selected) {
      throwIfAborted(options.signal);
      const query = pattern.build(context);
      const measured = await explainQuery(db, pattern.collection, query, { maxTimeMS: options.maxTimeMS }).then(
        (raw) => measurementOf(raw, pattern.collection, keyOf),
        async (error: unknown) => {
          // Over --max-time-ms: the plan the planner chose (nothing executed), and a finding, never a crash.
          if (!isOverLimit(error) || options.maxTimeMS === undefined) throw error;
          const planned = await explainQuery(db, pattern.collection, query, { verbosity: 'queryPlanner' });
          return { ...(await measurementOf(planned, pattern.collection, keyOf)), explainMs: null, overLimitMs: options.maxTimeMS };
        },
      );
      out.set(measurementKey(pattern.id, user.userClass), measured);
      options.onDone?.(`${pattern.id} (${user.userClass})`);
    }
  }
  return out;
}
