import type { Db } from 'mongodb';
import type { QueryPattern } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { measurementKey } from '../keys.js';
import { indexKeyResolver, measurementOf } from '../plan/measurement.js';
import type { Measurement } from '../result.js';
import { explainQuery, patternShape } from './pattern-query.js';
import type { ExplainedCommand } from '../route-engine/measure.js';
import { sameCommandKey } from '../route-engine/recorder.js';
import { isOverLimit } from '../mongo/over-limit.js';
import type { ClassContext } from './contexts.js';

export { measurementKey } from '../keys.js';

/**
 * explain("executionStats") of every selected pattern for every user class, on the
 * target's current state, one at a time. Each plan's index is resolved to its key pattern (so that an
 * index with the same key under another name is recognised). One at a time because an explain's own time is read:
 * it plans the timing rounds, it stands as the "before" sample of a pattern too dear to time, and a join's explain
 * that let every outer document in is the probe that decides whether a route's command with that join is sent
 * (`probesOfExplained`). Two at once made the heavy user's `lastMessage` explain take 23.3 s instead of 8.7 s at
 * medium under Wine (docs/measurements/2026-11-30-explains-alone.md): a route command reported "not sent, over the
 * limit" that finishes in 8.7 s.
 */
export async function explainAll(
  db: Db,
  selected: readonly QueryPattern[],
  classes: readonly ClassContext[],
  options: {
    signal?: AbortSignal | undefined;
    maxTimeMS?: number | undefined;
    onDone?: (label: string) => void;
    /**
     * Filled with every explain that finished as the command it sent, by `sameCommandKey`, measured on the collection the
     * command is sent to (a `$lookup` pattern's own measurement is on the joined collection): a route command that sends
     * the same command on this state is measured on it (MeasureContext.explained), as the driver model's steps send their
     * patterns'.
     */
    commands?: Map<string, ExplainedCommand>;
  } = {},
): Promise<Map<string, Measurement>> {
  const keyOf = indexKeyResolver(db);
  const out = new Map<string, Measurement>();
  for (const { user, context } of classes)
    for (const pattern of selected) {
      throwIfAborted(options.signal);
      const query = pattern.build(context);
      const measured = await explainQuery(db, pattern.collection, query, { maxTimeMS: options.maxTimeMS }).then(
        async (raw) => {
          const measurement = await measurementOf(raw, pattern.collection, keyOf);
          if (options.commands) {
            const sent = patternShape(pattern.collection, query);
            options.commands.set(sameCommandKey(sent.collection, sent.shape), {
              measurement: sent.collection === pattern.collection ? measurement : await measurementOf(raw, sent.collection, keyOf),
              by: `pattern ${pattern.id} (${user.userClass})`,
            });
          }
          return measurement;
        },
        async (error: unknown) => {
          // Over --max-time-ms: the plan the planner chose (nothing executed), and a finding, never a crash.
          if (!isOverLimit(error) || options.maxTimeMS === undefined) throw error;
          const planned = await explainQuery(db, pattern.collection, query, { verbosity: 'queryPlanner' });
          return { ...(await measurementOf(planned, pattern.collection, keyOf)), explainMs: null, overLimitMs: options.maxTimeMS };
        },
      );
      options.onDone?.(`${pattern.id} (${user.userClass})`);
      // In the order of the classes and patterns.
      out.set(measurementKey(pattern.id, user.userClass), measured);
    }
  return out;
}
