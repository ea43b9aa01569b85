import type { Db, Document } from 'mongodb';
import { listIndexes } from '../indexing/inspect.js';
import type { Measurement } from './analyze.js';
import { analyzeExplain } from './analyze.js';

/** Resolves an index name to its key pattern on the server, listing each collection's indexes once. */
export type IndexKeyOf = (collection: string, name: string | null) => Promise<Record<string, number> | null>;

export function indexKeyResolver(db: Db): IndexKeyOf {
  const keys = new Map<string, Map<string, Record<string, number>>>();
  return async (collection, name) => {
    if (name === null) return null;
    if (!keys.has(collection)) {
      const list = await listIndexes(db, collection);
      keys.set(collection, new Map(list.map((ix) => [ix.name, ix.key as Record<string, number>])));
    }
    return keys.get(collection)?.get(name) ?? null;
  };
}

/** An explain("executionStats") output as a Measurement (without latencies). */
export async function measurementOf(raw: Document, collection: string, keyOf: IndexKeyOf): Promise<Measurement> {
  const plan = analyzeExplain(raw, collection);
  const explainMs = typeof raw.executionStats?.executionTimeMillis === 'number' ? raw.executionStats.executionTimeMillis : null;
  return {
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
    indexKey: await keyOf(collection, plan.indexName),
    explainMs: explainMs ?? lookupTime(raw),
    ...(plan.lookups.length > 0 ? { lookups: [...plan.lookups] } : {}),
    ...(plan.sharded ? { shards: [...plan.shards] } : {}),
    tree: plan.tree,
  };
}

/** For aggregations explain reports time per stage: the last stage's estimate includes the others. */
function lookupTime(raw: Record<string, unknown>): number | null {
  const stages = raw.stages as Array<Record<string, unknown>> | undefined;
  const last = stages?.[stages.length - 1];
  return typeof last?.executionTimeMillisEstimate === 'number' ? last.executionTimeMillisEstimate : null;
}
