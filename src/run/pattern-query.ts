import type { Collection, Db, Document, FindOptions } from 'mongodb';
import type { PatternQuery } from '../workload.js';
import { completeExplain } from '../mongo/over-limit.js';
import type { CommandShape } from '../route-engine/recorder.js';

export interface ExecuteOptions {
  /** Server-side limit; a pattern that exceeds it fails with MaxTimeMSExpired. */
  maxTimeMS?: number | undefined;
}

type Find = Extract<PatternQuery, { kind: 'find' }>;

function findOptions(query: Find, options: ExecuteOptions): FindOptions {
  return {
    ...(query.projection ? { projection: query.projection } : {}),
    ...(query.sort ? { sort: query.sort } : {}),
    ...(query.skip ? { skip: query.skip } : {}),
    ...(query.limit ? { limit: query.limit } : {}),
    ...(options.maxTimeMS === undefined ? {} : { maxTimeMS: options.maxTimeMS }),
  };
}

/** Where the query runs: the pattern's collection, or the one an aggregation names with `on`. */
function collectionNameFor(collection: string, query: PatternQuery): string {
  return query.kind === 'aggregate' ? (query.on ?? collection) : collection;
}

function collectionFor(db: Db, collection: string, query: PatternQuery): Collection {
  return db.collection(collectionNameFor(collection, query));
}

/** Runs a pattern's query with the driver and returns all documents (as the application reads them). */
export function executeQuery(db: Db, collection: string, query: PatternQuery, options: ExecuteOptions = {}): Promise<Document[]> {
  const coll = collectionFor(db, collection, query);
  if (query.kind === 'find') return coll.find(query.filter, findOptions(query, options)).toArray();
  return coll.aggregate([...query.pipeline], options.maxTimeMS === undefined ? {} : { maxTimeMS: options.maxTimeMS }).toArray();
}

/**
 * explain of a pattern's query: "executionStats" (the default) runs it to completion on the
 * server; "queryPlanner" only chooses the plan.
 */
export function explainQuery(
  db: Db,
  collection: string,
  query: PatternQuery,
  options: ExecuteOptions & { verbosity?: 'executionStats' | 'queryPlanner' } = {},
): Promise<Document> {
  const coll = collectionFor(db, collection, query);
  const verbosity = options.verbosity ?? 'executionStats';
  // The limit must be on the explain command itself: a maxTimeMS inside the explained command is not applied by the server
  // (an aggregate's $lookup into an unindexed collection ran for 358 s under a 30 s maxTimeMS that way). The driver puts
  // `explain.maxTimeMS` on the explain command (mongodb/lib/explain.js, decorateWithExplain).
  const explain = options.maxTimeMS === undefined ? verbosity : { verbosity, maxTimeMS: options.maxTimeMS };
  // Stopped at the limit, some explains still answer, with the work done so far: over the limit, as the query would be.
  if (query.kind === 'find') return coll.find(query.filter, findOptions(query, {})).explain(explain).then(completeExplain);
  return coll
    .aggregate([...query.pipeline])
    .explain(explain)
    .then(completeExplain);
}

/** A pattern's query as a route command's shape (src/route-engine/recorder.ts), and the collection it is sent to. */
export function patternShape(collection: string, query: PatternQuery): { collection: string; shape: CommandShape } {
  const on = collectionNameFor(collection, query);
  if (query.kind === 'find') return { collection: on, shape: { kind: 'find', filter: query.filter, options: findOptions(query, {}) } };
  return { collection: on, shape: { kind: 'aggregate', pipeline: query.pipeline } };
}
