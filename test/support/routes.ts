import type { Db, ObjectId } from 'mongodb';
import { builtInRoutes, rewriteRoute } from '../../bench/routes/index.js';
import type { DataModel } from '../../src/prisma/datamodel.js';
import { callRoute, type RouteCall } from '../../src/routes/call.js';
import type { RecorderOptions } from '../../src/routes/recorder.js';
import type { Route } from '../../src/routes/route.js';
import { loadDataModel } from '../../src/run/route-setup.js';

let dm: DataModel | undefined;

/** The shipped data model (seed/schema.prisma), read once per test file. */
export async function dataModel(): Promise<DataModel> {
  dm ??= await loadDataModel();
  return dm;
}

/** A built-in route by id (`prisma`, `driver`, `prisma-rewrite`). */
export function builtIn(id: string): Route {
  const route = [...builtInRoutes, rewriteRoute].find((r) => r.id === id);
  if (!route) throw new Error(`no built-in route ${id}`);
  return route;
}

/** One call of a route for a user, every command recorded, as bench and verify make it. */
export async function callFor(db: Db, route: Route, userId: ObjectId, options: Partial<RecorderOptions> = {}, userClass = 'typical'): Promise<RouteCall> {
  return callRoute(db, await dataModel(), route, { user: { id: userId.toHexString(), class: userClass }, params: route.params }, { maxTimeMS: 120_000, ...options });
}
