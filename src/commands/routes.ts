import { scaleProfiles } from '../../seed/profiles.js';
import { cacheEntry, datasetCacheDir, findCachedDataset } from '../mongo/dataset-cache.js';
import { requireApplicationCollections } from '../mongo/collections.js';
import type { ResolvedMongod } from '../mongo/binary.js';
import { withTarget } from '../mongo/target.js';
import { defaultSeed } from '../options.js';
import { callRoute } from '../routes/call.js';
import type { CommandShape } from '../routes/recorder.js';
import { prepareDataset } from '../run/dataset.js';
import { prepareRoutes } from '../run/route-setup.js';
import { datasetFingerprint } from '../seed/fingerprint.js';
import { sampleUsers, type UserClass } from '../users/user-classes.js';
import type { CommandContext } from './context.js';

export interface RoutesRenderOptions {
  file: string;
  uri?: string | undefined;
  db?: string | undefined;
  userClass: UserClass;
  routeParams?: readonly string[] | undefined;
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
  readonly user: { readonly id: string; readonly class: string; readonly memberships: number };
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
export async function routesRenderCommand(options: RoutesRenderOptions, context: CommandContext): Promise<RoutesRenderOutcome> {
  const prepared = await prepareRoutes({ routeFiles: [options.file], routeParams: options.routeParams, prismaSchema: options.prismaSchema });
  const route = prepared.routes[0];
  if (!route) throw new Error('no route loaded');
  const scale = 'tiny' as const;
  const fingerprint = datasetFingerprint(scaleProfiles[scale], defaultSeed);
  const cacheDir = options.uri === undefined ? datasetCacheDir(context.host) : undefined;
  const key = { fingerprint, baseline: 'bare', dbName: options.db ?? 'indexgate' };
  const initialData = cacheDir ? (mongod: ResolvedMongod) => findCachedDataset(cacheEntry(cacheDir, key, mongod)) : undefined;
  return withTarget({ ...options, ...context, ...(initialData ? { initialData } : {}) }, async (target) => {
    let data = `${options.uri === undefined ? 'embedded' : 'the'} database ${target.db.databaseName}`;
    if (target.embedded) {
      await prepareDataset(target, {
        scale,
        seed: defaultSeed,
        baseline: 'bare',
        fingerprint,
        drop: false,
        allowRemoteWrites: false,
        ...(cacheDir ? { cacheEntry: cacheEntry(cacheDir, key, target.embedded.mongod) } : {}),
        reporter: context.reporter,
        signal: context.signal,
      });
      data = `a tiny dataset (seed ${defaultSeed}) in an embedded mongod`;
    } else await requireApplicationCollections(target.db);
    const users = await sampleUsers(target.db, [options.userClass]);
    const user = users[0];
    if (!user) throw new Error('no user sampled');
    const params = { ...route.params, ...prepared.params };
    const call = await callRoute(target.db, prepared.dm, route, { user: { id: user.userId.toHexString(), class: user.userClass }, params }, { maxTimeMS: 60_000 });
    return {
      route: { id: route.id, title: route.title, file: route.file, ...(route.source ? { source: route.source } : {}) },
      user: { id: user.userId.toHexString(), class: user.userClass, memberships: user.memberships },
      params,
      data,
      commands: call.commands.map((c) => ({ step: c.step, call: c.call, collection: c.collection, shapes: c.shapes })),
    };
  });
}
