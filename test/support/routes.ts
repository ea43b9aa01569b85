import type { Db, ObjectId } from 'mongodb';
import type { DataModel } from '../../src/prisma/datamodel.js';
import { callRoute, type RouteCall } from '../../src/route-engine/call.js';
import type { RecorderOptions } from '../../src/route-engine/recorder.js';
import type { Route } from '../../src/route.js';
import { loadDataModel } from '../../src/run/route-setup.js';
import { workload } from './workload.js';

let dm: DataModel | undefined;

/** The shipped data model (seed/schema.prisma), read once per test file. */
export async function dataModel(): Promise<DataModel> {
  dm ??= await loadDataModel(workload.schemaFile);
  return dm;
}

/** A built-in route by id (`prisma`, `driver`, `prisma-rewrite`). */
export function builtIn(id: string): Route {
  const route = [...workload.routes.builtIn, ...(workload.routes.application ? [workload.routes.application.rewrite] : [])].find(
    (r) => r.id === id,
  );
  if (!route) throw new Error(`no built-in route ${id}`);
  return route;
}

/** A route written in a test (what a route file exports), sending what `run` sends; no parameters. */
export function testRoute(id: string, title: string, file: string, run: Route['run']): Route {
  return { id, title, description: '', params: {}, file, run };
}

/** One call of a route for a user, every command recorded, as bench and verify make it. */
export async function callFor(
  db: Db,
  route: Route,
  userId: ObjectId,
  options: Partial<RecorderOptions> = {},
  userClass = 'typical',
): Promise<RouteCall> {
  return callRoute(
    db,
    await dataModel(),
    route,
    { user: { id: userId.toHexString(), class: userClass }, params: route.params },
    { maxTimeMS: 120_000, ...options },
  );
}
