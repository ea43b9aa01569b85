import type { Db, Document } from 'mongodb';
import { IndexgateError } from '../errors.js';
import type { DataModel } from '../prisma/datamodel.js';
import { callRoute } from './call.js';
import { callWriteRoute } from './write-call.js';
import { RouteFileError } from './route-file-error.js';
import type { ParamValue, Route } from '../route.js';

/** A database that holds nothing: every read answers no document. Nothing is sent anywhere. */
const emptyDb = (): Db => {
  const cursor = { toArray: async (): Promise<Document[]> => [] };
  const collection = {
    aggregate: () => cursor,
    find: () => cursor,
    findOne: async () => null,
    countDocuments: async () => 0,
    insertOne: async () => ({ acknowledged: true }),
    updateMany: async () => ({ acknowledged: true, matchedCount: 0 }),
    deleteOne: async () => ({ acknowledged: true }),
    replaceOne: async () => ({ acknowledged: true }),
  };
  return {
    databaseName: 'dry-run',
    collection: () => collection,
    runCursorCommand: () => cursor,
    command: async () => ({ n: 0, values: [] }),
  } as unknown as Db;
};

/**
 * Runs a route once on an empty database, before anything is seeded or measured: a call the
 * renderer refuses (an unknown model, field or argument, an unsupported call) or a write in a
 * read route is reported now, naming the file. Errors of the route's own code on empty results
 * are left to the real run, which has data.
 */
export async function dryRun(dm: DataModel, route: Route, params: Readonly<Record<string, ParamValue>>): Promise<void> {
  const none = '000000000000000000000000';
  try {
    if (route.writes) {
      // A write route is handed a membership (and a target): here ones whose every field is an id that matches nothing.
      const membership = new Proxy({}, { get: () => none }) as Record<string, unknown>;
      const user = { id: none, class: 'member' };
      const input = { user, params, membership, ...(route.target ? { target: membership } : {}) };
      await callWriteRoute(emptyDb(), dm, route, input, { maxTimeMS: 1000 });
    } else await callRoute(emptyDb(), dm, route, { user: { id: none, class: 'typical' }, params }, { maxTimeMS: 1000 });
  } catch (error) {
    // A refusal (the renderer's, or a write in a read route) names the file now; the route's own code failing on no data is left to the real run.
    if (error instanceof RouteFileError && !(error.cause instanceof IndexgateError)) return;
    throw error;
  }
}
