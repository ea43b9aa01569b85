import type { Db, Document } from 'mongodb';
import type { PatternQuery } from '../../bench/patterns.js';

export interface ExecuteOptions {
  /** Server-side limit; a pattern that exceeds it fails with MaxTimeMSExpired. */
  maxTimeMS?: number | undefined;
}

/** Runs a pattern's query with the driver and returns all documents (as the application reads them). */
export function executeQuery(db: Db, collection: string, query: PatternQuery, options: ExecuteOptions = {}): Promise<Document[]> {
  const coll = db.collection(query.kind === 'aggregate' ? (query.on ?? collection) : collection);
  const maxTimeMS = options.maxTimeMS === undefined ? {} : { maxTimeMS: options.maxTimeMS };
  if (query.kind === 'find') {
    return coll
      .find(query.filter, {
        ...(query.projection ? { projection: query.projection } : {}),
        ...(query.sort ? { sort: query.sort } : {}),
        ...(query.skip ? { skip: query.skip } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        ...maxTimeMS,
      })
      .toArray();
  }
  return coll.aggregate([...query.pipeline], maxTimeMS).toArray();
}

/** explain("executionStats") of a pattern's query: runs it to completion on the server. */
export async function explainQuery(db: Db, collection: string, query: PatternQuery, options: ExecuteOptions = {}): Promise<Document> {
  const coll = db.collection(query.kind === 'aggregate' ? (query.on ?? collection) : collection);
  const maxTimeMS = options.maxTimeMS === undefined ? {} : { maxTimeMS: options.maxTimeMS };
  if (query.kind === 'find') {
    return coll
      .find(query.filter, {
        ...(query.projection ? { projection: query.projection } : {}),
        ...(query.sort ? { sort: query.sort } : {}),
        ...(query.skip ? { skip: query.skip } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        ...maxTimeMS,
      })
      .explain('executionStats');
  }
  return coll.aggregate([...query.pipeline], maxTimeMS).explain('executionStats');
}
