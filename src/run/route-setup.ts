import { join } from 'node:path';
import { builtInRoutes, defaultRouteChoice, type RouteChoice, selectedRoutes } from '../../bench/routes/index.js';
import { UsageError } from '../errors.js';
import { type DataModel, dataModelOf, readSchemaText } from '../prisma/datamodel.js';
import { dryRun } from '../routes/dry-run.js';
import { loadRouteFile, parseRouteParams } from '../routes/load.js';
import type { ParamValue, Route } from '../routes/route.js';
import { packageRoot } from '../version.js';

/** The schema of the models indexgate seeds, shipped with it: what a route's `prisma` knows without --prisma-schema. */
export const defaultSchemaFile = join(packageRoot, 'seed', 'schema.prisma');

export interface RouteOptions {
  route?: RouteChoice | undefined;
  routeFiles?: readonly string[] | undefined;
  routeParams?: readonly string[] | undefined;
  prismaSchema?: string | undefined;
}

export interface PreparedRoutes {
  readonly dm: DataModel;
  readonly routes: readonly Route[];
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** The data model routes are rendered against: the application's schema (--prisma-schema) or the shipped one. */
export async function loadDataModel(file: string = defaultSchemaFile): Promise<DataModel> {
  return dataModelOf(await readSchemaText(file), file);
}

/**
 * The routes a run measures, checked before anything starts: the route files (each loaded,
 * its shape checked, its first calls rendered on an empty database so that a call the renderer
 * refuses is reported now), or the built-in routes `--route` chooses; with both, both. Two
 * routes with one id are refused.
 */
export async function prepareRoutes(options: RouteOptions): Promise<PreparedRoutes> {
  const dm = await loadDataModel(options.prismaSchema);
  const params = parseRouteParams(options.routeParams ?? []);
  const files = [];
  for (const file of options.routeFiles ?? []) files.push(await loadRouteFile(file));
  const builtIn = files.length === 0 || options.route !== undefined ? selectedRoutes(options.route ?? defaultRouteChoice) : [];
  const routes = [...builtIn, ...files];
  const seen = new Map<string, Route>();
  for (const route of routes) {
    const other = seen.get(route.id);
    if (other) throw new UsageError(`two routes have the id "${route.id}" (${other.file} and ${route.file}); give one of them another id`);
    seen.set(route.id, route);
  }
  for (const route of files) await dryRun(dm, route, { ...route.params, ...params });
  return { dm, routes, params };
}

export const builtInRouteIds = (): string[] => builtInRoutes.map((r) => r.id);
