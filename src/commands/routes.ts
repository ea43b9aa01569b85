import { ExitCode } from '../exit-code.js';
import { cacheEntry, datasetCacheDir, findCachedDataset } from '../dataset/cache.js';
import { requireApplicationCollections } from '../mongo/required-collections.js';
import type { ResolvedMongod } from '../mongo/binary.js';
import { withTarget } from '../mongo/target.js';
import { defaultSeed } from './options.js';
import { mongoshStatement } from '../route-engine/mongosh.js';
import { formatNumber, table } from '../report/tables.js';
import { compareRouteWithWorkload, firstDifference, type RouteTrafficComparison } from '../capture/compare.js';
import { loadWorkload } from '../capture/workload-file.js';
import { commandDocument } from '../route-engine/recorder.js';
import { patternCollections } from '../workload.js';
import { callRoute } from '../route-engine/call.js';
import type { CommandShape } from '../route-engine/recorder.js';
import { prepareDataset } from '../dataset/prepare.js';
import { UsageError } from '../errors.js';
import { workloadOfSchema } from '../schema-data/workload.js';
import { dryRunRoutes, loadDataModel, prepareRoutes } from '../run/route-setup.js';
import { datasetFingerprint } from '../dataset/fingerprint.js';
import { sampleUsers, type UserClass } from '../users/user-classes.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { routesCheckCommand, routesRenderCommand } from './routes-options.js';

export interface RoutesRenderOptions {
  file: string;
  uri?: string | undefined;
  db?: string | undefined;
  userClass: UserClass;
  routeParam?: readonly string[] | undefined;
  prismaSchema?: string | undefined;
  timeoutMs?: number | undefined;
}

export interface RenderedCommand {
  readonly step: string;
  readonly call: string;
  readonly collection: string;
  readonly shapes: readonly CommandShape[];
}

export interface RoutesRenderOutcome {
  readonly route: { readonly id: string; readonly title: string; readonly file: string; readonly source?: string };
  /** The sampled user: `memberships` is the load it was ranked by (`load` names it when the route declares its users). */
  readonly user: { readonly id: string; readonly class: string; readonly memberships: number };
  /** The route's own users' load, in words ("User.memberships matching its where"); absent: the workload's active memberships. */
  readonly load?: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Where the user was sampled from: the --uri database, or a tiny dataset seeded for the purpose. */
  readonly data: string;
  readonly commands: readonly RenderedCommand[];
}

/**
 * `indexgate routes render <file>`: the commands a route file sends for one user sampled from
 * a database (read-only: the route's reads only), or from a `tiny` dataset seeded in an
 * embedded, throw-away mongod; each command as the route sent it, for a person to read or paste
 * into mongosh.
 */
export async function renderRoute(options: RoutesRenderOptions, context: CommandContext): Promise<RoutesRenderOutcome> {
  // Another application's schema: its own workload (the route declares its users; data comes from --uri).
  const workload =
    options.prismaSchema === undefined ? context.workload : workloadOfSchema(context.workload, await loadDataModel(options.prismaSchema));
  const prepared = await prepareRoutes(workload, {
    routeFile: [options.file],
    routeParam: options.routeParam,
    prismaSchema: options.prismaSchema,
  });
  const write = prepared.files.find((r) => r.writes === true);
  if (write)
    throw new UsageError(
      `${options.file}: a write route (writes: true); routes render sends a read route's reads only: bench measures write routes on its own target`,
    );
  await dryRunRoutes(prepared);
  const route = prepared.routes[0];
  if (!route) throw new Error('no route loaded');
  // The smallest scale: seeded in seconds, enough to sample a user of every class.
  const scale = Object.keys(workload.dataset.scales)[0] ?? '';
  if (scale === '' && options.uri === undefined)
    throw new UsageError(`routes render: ${workload.name} has no built-in scale to seed; pass --uri (and --db) of a database it describes`);
  const fingerprint = options.uri === undefined ? datasetFingerprint(workload.dataset, scale, defaultSeed) : '';
  const cacheDir = options.uri === undefined ? datasetCacheDir(context.host) : undefined;
  const key = { fingerprint, baseline: 'bare', dbName: options.db ?? 'indexgate' };
  const initialData = cacheDir ? (mongod: ResolvedMongod) => findCachedDataset(cacheEntry(cacheDir, key, mongod)) : undefined;
  return withTarget({ ...options, ...context, ...(initialData ? { initialData } : {}) }, async (target) => {
    let data = `${options.uri === undefined ? 'embedded' : 'the'} database ${target.db.databaseName}`;
    if (target.embedded) {
      await prepareDataset(target, {
        dataset: workload.dataset,
        scale,
        seed: defaultSeed,
        baseline: 'bare',
        baselineSpecs: [],
        fingerprint,
        drop: false,
        allowRemoteWrites: false,
        ...(cacheDir ? { cacheEntry: cacheEntry(cacheDir, key, target.embedded.mongod) } : {}),
        reporter: context.reporter,
        signal: context.signal,
      });
      data = `a ${scale} dataset (seed ${defaultSeed}) in an embedded mongod`;
    } else await requireApplicationCollections(target.db, workload.dataset.collections, patternCollections(workload));
    const ranking = prepared.users.get(route.id);
    const rule = ranking ?? workload.users;
    if (!rule)
      throw new UsageError(
        `${route.file}: declares no users, and ${workload.name} has no built-in rule: add users: { model, load: { relation } }`,
      );
    const users = await sampleUsers(target.db, rule, [options.userClass]);
    const user = users[0];
    if (!user) throw new Error('no user sampled');
    const params = { ...route.params, ...prepared.params };
    const call = await callRoute(
      target.db,
      prepared.dm,
      route,
      { user: { id: user.userId.toHexString(), class: user.userClass }, params },
      { maxTimeMS: 60_000 },
    );
    return {
      route: { id: route.id, title: route.title, file: route.file, ...(route.source ? { source: route.source } : {}) },
      user: { id: user.userId.toHexString(), class: user.userClass, memberships: user.memberships },
      ...(ranking ? { load: ranking.load } : {}),
      params,
      data,
      commands: call.commands.map((c) => ({ step: c.step, call: c.call, collection: c.collection, shapes: c.shapes })),
    };
  });
}

/** `routes render`: the route, the user, then each command as a mongosh statement. */
export function renderRoutesRender(outcome: RoutesRenderOutcome): string {
  const lines = [
    `// route ${outcome.route.id}: ${outcome.route.title} (${outcome.route.file})`,
    ...(outcome.route.source ? [`// source: ${outcome.route.source}`] : []),
    `// user ${outcome.user.id} (${outcome.user.class}, ${formatNumber(outcome.user.memberships)} ${outcome.load ?? 'active memberships'}) from ${outcome.data}; params ${JSON.stringify(outcome.params)}`,
    '',
  ];
  for (const c of outcome.commands) {
    lines.push(`// ${c.step}: ${c.call}${c.shapes.length > 1 ? ` (${c.shapes.length} times; each below)` : ''}`);
    for (const shape of c.shapes) lines.push(`${mongoshStatement(c.collection, shape)};`);
    lines.push('');
  }
  return lines.join('\n');
}

export const routesRenderImplementation = implementCommand<typeof routesRenderCommand>()({
  run: ({ args: [file], options }, context) => renderRoute({ ...options, file }, context),
  render: (outcome, options) => ({ stdout: options.json ? json(outcome) : renderRoutesRender(outcome), exitCode: ExitCode.pass }),
});

// ─── routes check ───────────────────────────────────────────────────────────────────────

export interface RoutesCheckOutcome extends RouteTrafficComparison {
  readonly route: RoutesRenderOutcome['route'];
  readonly user: RoutesRenderOutcome['user'];
  readonly data: string;
  readonly workload: { readonly file: string; readonly name: string; readonly from: string; readonly capturedAt: string };
}

/**
 * `indexgate routes check <file> --workload <captured.json>`: does the route file still send
 * what the application sends? Each command the route renders for a sampled user is matched
 * with the captured shapes; each captured shape on the route's collections that the route
 * does not render is listed. Read-only, like `routes render`.
 */
export async function checkRouteAgainstTraffic(
  options: RoutesRenderOptions & { workload: string },
  context: CommandContext,
): Promise<RoutesCheckOutcome> {
  const workload = await loadWorkload(options.workload);
  const rendered = await renderRoute(options, context);
  const sent = rendered.commands.flatMap((c) =>
    c.shapes.map((shape) => ({ step: c.step, collection: c.collection, command: commandDocument(c.collection, shape) })),
  );
  return {
    route: rendered.route,
    user: rendered.user,
    data: rendered.data,
    workload: { file: options.workload, name: workload.name, from: workload.source.from, capturedAt: workload.capturedAt },
    ...compareRouteWithWorkload(sent, workload),
  };
}

const compact = (query: unknown) => JSON.stringify(query);

export function renderRoutesCheck(outcome: RoutesCheckOutcome): string {
  const lines = [
    `route ${outcome.route.id} (${outcome.route.file}) against the workload ${outcome.workload.name} (${outcome.workload.file}, captured from ${outcome.workload.from} on ${outcome.workload.capturedAt})`,
    `rendered for user ${outcome.user.id} (${outcome.user.class}) from ${outcome.data}`,
    table(
      ['command of the route', 'collection', 'captured shape'],
      outcome.rendered.map((r) => [r.step, r.shape.collection, r.captured ?? 'NOT CAPTURED']),
    ),
  ];
  for (const r of outcome.rendered.filter((x) => x.captured === null)) {
    if (!r.nearest) {
      lines.push(
        `${r.step}: the route sends ${r.shape.command} on ${r.shape.collection}, which no captured shape is: ${compact(r.shape.query)}`,
      );
      continue;
    }
    const d = firstDifference(r.shape.query, r.nearest.shape.query);
    lines.push(
      `${r.step}: the route sends another ${r.shape.command} on ${r.shape.collection} than the nearest captured shape, ${r.nearest.id}; first difference at ${d?.path ?? '?'}:`,
      `  route file: ${compact(d?.left)}`,
      `  captured:   ${compact(d?.right)}`,
    );
  }
  if (outcome.notRendered.length > 0) {
    lines.push(`${outcome.notRendered.length} captured shape(s) on the route's collections that the route does not send:`);
    for (const c of outcome.notRendered)
      lines.push(`  ${c.id} (${c.shape.command} on ${c.shape.collection}, ${c.count} calls): ${compact(c.shape.query)}`);
  }
  lines.push(
    outcome.equal
      ? "EQUAL: every command of the route is in the captured traffic, and every captured shape on its collections is one of the route's."
      : 'DIFFERENT: the route file no longer sends what the application sends (above); fix the route file, or capture the traffic again.',
  );
  return lines.join('\n');
}

export const routesCheckImplementation = implementCommand<typeof routesCheckCommand>()({
  run: ({ args: [file], options }, context) => checkRouteAgainstTraffic({ ...options, file }, context),
  render: (outcome, options) => ({
    stdout: options.json ? json(outcome) : renderRoutesCheck(outcome),
    exitCode: outcome.equal ? ExitCode.pass : ExitCode.fail,
  }),
});
