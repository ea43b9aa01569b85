import type { Db } from 'mongodb';
import type { QueryPattern } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { measurementKey } from '../keys.js';
import { indexKeyResolver, measurementOf } from '../plan/measurement.js';
import type { Measurement } from '../result.js';
import { explainQuery } from './pattern-query.js';
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
      const raw = await explainQuery(db, pattern.collection, pattern.build(context), { maxTimeMS: options.maxTimeMS });
      out.set(measurementKey(pattern.id, user.userClass), await measurementOf(raw, pattern.collection, keyOf));
      options.onDone?.(`${pattern.id} (${user.userClass})`);
    }
  }
  return out;
}
