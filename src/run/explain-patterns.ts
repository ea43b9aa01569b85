import type { Db } from 'mongodb';
import pLimit from 'p-limit';
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
 * index with the same key under another name is recognised). `concurrency` explains run at
 * once (bench: 2, on its own server; verify: 1, on someone's): work counts and plans do not
 * depend on it (the planner's trial is counted in work units, not time); an explain's own
 * time (`explainMs`, used only to plan the timing rounds) may grow with it.
 */
export async function explainAll(
  db: Db,
  selected: readonly QueryPattern[],
  classes: readonly ClassContext[],
  options: {
    signal?: AbortSignal | undefined;
    maxTimeMS?: number | undefined;
    onDone?: (label: string) => void;
    concurrency?: number | undefined;
  } = {},
): Promise<Map<string, Measurement>> {
  const keyOf = indexKeyResolver(db);
  const limit = pLimit(options.concurrency ?? 1);
  const jobs = classes.flatMap(({ user, context }) =>
    selected.map((pattern) => ({ key: measurementKey(pattern.id, user.userClass), user, context, pattern })),
  );
  const measured = await Promise.all(
    jobs.map(({ user, context, pattern }) =>
      limit(async () => {
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
        options.onDone?.(`${pattern.id} (${user.userClass})`);
        return measured;
      }),
    ),
  );
  // In the order of the classes and patterns, whatever order they finished in.
  return new Map(jobs.map((job, i) => [job.key, measured[i] as Measurement]));
}
