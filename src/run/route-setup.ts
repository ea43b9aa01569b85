import { UsageError } from '../errors.js';
import { type DataModel, dataModelOf, readSchemaText } from '../prisma/datamodel.js';
import { dryRun } from '../route-engine/dry-run.js';
import { loadRouteFile, parseRouteParams } from '../route-engine/load.js';
import type { ParamValue, Route } from '../route.js';
import { RouteFileError } from '../route-engine/route-file-error.js';
import { routeRankings } from '../users/route-users.js';
import type { UserRanking } from '../users/user-classes.js';
import type { Workload } from '../workload.js';

/** The route options of bench and verify, under the names the command line gives them. */
export interface RouteOptions {
  /** `--route`: a built-in route's id, or `all`. */
  route?: string | undefined;
  /** `--route-file` (repeatable). */
  routeFile?: readonly string[] | undefined;
  /** `--route-param key=value` (repeatable). */
  routeParam?: readonly string[] | undefined;
  prismaSchema?: string | undefined;
}

export interface PreparedRoutes {
  readonly dm: DataModel;
  readonly routes: readonly Route[];
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The routes loaded from files (`--route-file`), which `dryRunRoutes` renders before the run. */
  readonly files: readonly Route[];
  /** The write routes (bench's writes stage): the write route files given, else the workload's own. */
  readonly writes: readonly Route[];
  /** The read routes that declare their users (`users`), by id: how each ranks them (checked against the schema). */
  readonly users: ReadonlyMap<string, UserRanking>;
}

/** The data model routes are rendered against: the application's schema (--prisma-schema) or the workload's. */
export async function loadDataModel(file: string): Promise<DataModel> {
  return dataModelOf(await readSchemaText(file), file);
}

/** The built-in routes `--route` chooses: one by id, or all of them. */
export function builtInRoutes(workload: Workload, choice: string): Route[] {
  if (choice === 'all') return [...workload.routes.builtIn];
  const route = workload.routes.builtIn.find((r) => r.id === choice);
  if (!route) throw new UsageError(`--route ${choice}: not a built-in route (${workload.routes.builtIn.map((r) => r.id).join(', ')}, all)`);
  return [route];
}

/**
 * The routes a run measures, loaded before anything starts: the route files (each loaded and
 * its shape checked), or the built-in routes `--route` chooses (`defaultChoice` without
 * either); with both, both. Two routes with one id are refused, and so is a `users` declaration
 * the schema does not bear. `dryRunRoutes` then renders
 * the files' first calls.
 */
export async function prepareRoutes(
  workload: Workload,
  options: RouteOptions,
  defaultChoice: string = workload.routes.defaultChoice,
): Promise<PreparedRoutes> {
  const dm = await loadDataModel(options.prismaSchema ?? workload.schemaFile);
  const params = parseRouteParams(options.routeParam ?? []);
  const files = [];
  for (const file of options.routeFile ?? []) files.push(await loadRouteFile(file));
  const readFiles = files.filter((r) => r.writes !== true);
  const builtIn = readFiles.length === 0 || options.route !== undefined ? builtInRoutes(workload, options.route ?? defaultChoice) : [];
  const fileWrites = files.filter((r) => r.writes === true);
  const routes = [...builtIn, ...readFiles];
  const seen = new Map<string, Route>();
  for (const route of [...routes, ...fileWrites]) {
    const other = seen.get(route.id);
    if (other) throw new UsageError(`two routes have the id "${route.id}" (${other.file} and ${route.file}); give one of them another id`);
    seen.set(route.id, route);
  }
  const writes = fileWrites.length > 0 ? fileWrites : (workload.routes.writes ?? []);
  // Without the workload's rule (an application described by its schema), every read route says who its users are.
  if (!workload.users)
    for (const route of routes)
      if (!route.users)
        throw new RouteFileError(
          route.file,
          `declares no users, and ${workload.name} has no built-in rule: add users: { model: '<the users' model>', load: { relation: '<a list relation of it>', where: {…} } }`,
        );
  if (!workload.users && writes.length > 0)
    throw new RouteFileError(
      writes[0]?.file ?? '',
      `${workload.name} has no membership rule for write routes to act on (ctx.membership); measure its read routes, or add --no-writes`,
    );
  for (const route of fileWrites)
    if (route.users)
      throw new RouteFileError(
        route.file,
        "users: a write route acts on the workload's memberships (ctx.membership); declare users on read routes",
      );
  return { dm, routes, params, files, writes, users: routeRankings(dm, routes) };
}

/**
 * Each route file's first calls, and each write route's, rendered on an empty database, so
 * that a call the renderer refuses (the built-in write routes on another `--prisma-schema`)
 * is reported before any server starts.
 */
export async function dryRunRoutes(prepared: PreparedRoutes): Promise<void> {
  for (const route of new Set([...prepared.files, ...prepared.writes]))
    await dryRun(prepared.dm, route, { ...route.params, ...prepared.params });
}
