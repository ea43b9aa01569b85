import type { Db } from 'mongodb';
import type { QueryPattern } from '../../bench/patterns.js';
import { throwIfAborted } from '../errors.js';
import { listIndexes } from '../indexes/inspect.js';
import { analyzeExplain } from '../plan/analyze.js';
import type { Measurement } from '../result.js';
import { explainQuery } from '../route/execute.js';
import type { UserClass } from '../route/user-classes.js';
import type { ClassContext } from './contexts.js';

export const measurementKey = (patternId: string, userClass: UserClass) => `${patternId}|${userClass}`;

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
  const keys = new Map<string, Map<string, Record<string, number>>>();
  const keyOf = async (collection: string, name: string | null): Promise<Record<string, number> | null> => {
    if (name === null) return null;
    if (!keys.has(collection)) {
      const list = await listIndexes(db, collection);
      keys.set(collection, new Map(list.map((ix) => [ix.name, ix.key as Record<string, number>])));
    }
    return keys.get(collection)?.get(name) ?? null;
  };
  const out = new Map<string, Measurement>();
  for (const { user, context } of classes) {
    for (const pattern of selected) {
      throwIfAborted(options.signal);
      const raw = await explainQuery(db, pattern.collection, pattern.build(context), { maxTimeMS: options.maxTimeMS });
      const plan = analyzeExplain(raw, pattern.collection);
      const explainMs = typeof raw.executionStats?.executionTimeMillis === 'number' ? raw.executionStats.executionTimeMillis : null;
      out.set(measurementKey(pattern.id, user.userClass), {
        stages: [...plan.stages],
        indexName: plan.indexName,
        totalKeysExamined: plan.totalKeysExamined,
        totalDocsExamined: plan.totalDocsExamined,
        nReturned: plan.nReturned,
        engine: plan.engine,
        collscan: plan.collscan,
        blockingSort: plan.blockingSort,
        sortedDocs: plan.sortedDocs,
        covered: plan.covered,
        indexesUsed: [...plan.indexesUsed],
        indexKey: await keyOf(pattern.collection, plan.indexName),
        explainMs: explainMs ?? lookupTime(raw),
        ...(plan.lookups.length > 0 ? { lookups: [...plan.lookups] } : {}),
        ...(plan.sharded ? { shards: [...plan.shards] } : {}),
        tree: plan.tree,
      });
      options.onDone?.(`${pattern.id} (${user.userClass})`);
    }
  }
  return out;
}

/** For aggregations explain reports time per stage: the last stage's estimate includes the others. */
function lookupTime(raw: Record<string, unknown>): number | null {
  const stages = raw.stages as Array<Record<string, unknown>> | undefined;
  const last = stages?.[stages.length - 1];
  return typeof last?.executionTimeMillisEstimate === 'number' ? last.executionTimeMillisEstimate : null;
}
