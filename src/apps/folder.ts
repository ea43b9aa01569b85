import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, UsageError } from '../errors.js';
import { parseConfig } from '../config-file.js';
import { loadIndexSpecs } from '../indexing/load-specs.js';
import { dataModelOf, readSchemaText } from '../prisma/datamodel.js';
import { loadRouteFile, routeFileExtensions } from '../route-engine/load.js';
import type { Route } from '../route.js';
import { checkSchemaProfile } from '../schema-data/check.js';
import { unseedableReason } from '../schema-data/generate.js';
import { defaultSchemaThresholds, type ProfiledScale, schemaWorkload } from '../schema-data/workload.js';
import type { IndexSpec, Workload } from '../workload.js';

/**
 * An application as a folder: everything indexgate knows of it, in one place.
 *
 *     app.json          its name, the commit it stands for, its scales, the migration's set
 *     schema.prisma     its data model (read by Prisma's schema engine)
 *     profiles/*.json   schema profiles (`indexgate profile --prisma-schema`): the data's shape
 *     routes/*.ts       its routes, as route files (write routes say `writes: true`)
 *     indexes/*.json    its index sets, one file each (the set's name is the file's)
 *     thresholds.json   its gate (optional: src/schema-data/thresholds.json otherwise)
 *
 * `--app <folder>` runs any command on it; the built-in applications are folders too
 * (apps/), but for meeshy@aa13b652, whose generators are its own (seed/).
 */

const scaleSchema = z
  .object({
    purpose: z.string().min(1),
    /** A file of profiles/, relative to the folder. */
    profile: z.string().min(1),
    /** The profile's size times this (counts scale, fan-outs do not). */
    factor: z.number().positive(),
    budgetSeconds: z.number().positive(),
    minimumBudgetSeconds: z.number().positive(),
    largeCache: z.boolean().optional(),
  })
  .strict();

const manifestSchema = z
  .object({
    name: z.string().min(1),
    title: z.string().min(1),
    /** The application's commit the folder stands for (its schema, routes and indexes are read there). */
    commit: z.string().regex(/^[0-9a-f]{7,40}$/, 'a git commit (7 to 40 hex digits)'),
    /** The commit's date (YYYY-MM-DD). */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
    repository: z.string().optional(),
    scales: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), scaleSchema).refine((s) => Object.keys(s).length > 0, 'at least one scale'),
    /** The index set (a file of indexes/, without .json) the migration creates: bench's and verify's default. */
    migration: z.string().min(1),
    /** Other names of index sets (`"six": "runbook"`): the same set under the name another version of the application gave it. */
    aliases: z.record(z.string().min(1), z.string().min(1)).optional(),
    routes: z.object({ default: z.string().min(1), verify: z.string().min(1) }).strict(),
    /** The state a dataset starts in by default: `prisma` (the schema's own indexes, as deployed by \`prisma db push\`) or `bare`. */
    baseline: z.enum(['bare', 'prisma']).optional(),
    /** The route the application's answer is about, and its remedy set (optional). */
    application: z
      .object({ route: z.string().min(1), remedySet: z.string().min(1), rewrite: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export type AppManifest = z.infer<typeof manifestSchema>;

/** An application folder read and checked: its workload, and what its manifest says of it. */
export interface FolderApplication {
  readonly folder: string;
  readonly manifest: AppManifest;
  readonly workload: Workload;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(file, 'is not JSON');
  }
}

async function filesOf(folder: string, extensions: readonly string[]): Promise<string[]> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  return entries.filter((f) => extensions.includes(extname(f))).sort();
}

/** Reads an application folder; anything missing or wrong is one line naming the file and what to do. */
export async function loadFolderApplication(dir: string): Promise<FolderApplication> {
  const folder = resolve(dir);
  const isFolder = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UsageError(`--app ${dir}: neither a built-in application nor a folder`);
  const manifestFile = join(folder, 'app.json');
  const manifest = parseConfig(manifestSchema, await readJson(manifestFile), manifestFile);
  const schemaFile = join(folder, 'schema.prisma');
  const model = dataModelOf(await readSchemaText(schemaFile), schemaFile);

  const scales: Record<string, ProfiledScale> = {};
  for (const [name, scale] of Object.entries(manifest.scales)) {
    const file = join(folder, scale.profile);
    const checked = checkSchemaProfile(await readJson(file), model);
    if (!checked.ok) throw new ConfigError(file, checked.reason);
    const reason = unseedableReason(model, checked.profile, scale.factor);
    if (reason !== undefined) throw new ConfigError(manifestFile, `scales.${name} (${scale.profile} × ${scale.factor}): ${reason}`);
    const { profile: _file, factor, ...rest } = scale;
    scales[name] = { name, ...rest, profile: checked.profile, factor };
  }

  const sets: Record<string, readonly IndexSpec[]> = {};
  for (const file of await filesOf(join(folder, 'indexes'), ['.json']))
    sets[basename(file, '.json')] = await loadIndexSpecs(join(folder, 'indexes', file), 'any');
  for (const [alias, set] of Object.entries(manifest.aliases ?? {})) {
    const specs = sets[set];
    if (!specs) throw new ConfigError(manifestFile, `aliases.${alias}: no index set ${set} in indexes/`);
    sets[alias] = specs;
  }
  if (!(manifest.migration in sets))
    throw new ConfigError(
      manifestFile,
      `migration: no index set ${manifest.migration} (indexes/${manifest.migration}.json); sets: ${Object.keys(sets).join(', ') || 'none'}`,
    );

  const routes: Route[] = [];
  for (const file of await filesOf(join(folder, 'routes'), routeFileExtensions))
    routes.push(await loadRouteFile(join(folder, 'routes', file)));
  const reads = routes.filter((r) => r.writes !== true);
  const byId = (id: string, what: string): Route => {
    const route = reads.find((r) => r.id === id);
    if (!route)
      throw new ConfigError(manifestFile, `${what}: no read route ${id} in routes/ (${reads.map((r) => r.id).join(', ') || 'none'})`);
    return route;
  };
  if (manifest.routes.default !== 'all') byId(manifest.routes.default, 'routes.default');
  byId(manifest.routes.verify, 'routes.verify');
  const application = manifest.application;
  if (application && !(application.remedySet in sets))
    throw new ConfigError(manifestFile, `application.remedySet: no index set ${application.remedySet} in indexes/`);
  const rewrite = application ? byId(application.rewrite, 'application.rewrite') : undefined;
  const builtIn = reads.filter((r) => r !== rewrite);
  if (application) byId(application.route, 'application.route');

  const thresholdsFile = join(folder, 'thresholds.json');
  const hasThresholds = await stat(thresholdsFile).then(
    () => true,
    () => false,
  );
  const workload = schemaWorkload(model, {
    name: `${manifest.name}: ${manifest.title}`,
    scales,
    sets,
    migration: manifest.migration,
    ...(manifest.baseline ? { baseline: manifest.baseline } : {}),
    routes: {
      builtIn,
      defaultChoice: manifest.routes.default,
      verifyDefault: manifest.routes.verify,
      ...(application && rewrite ? { application: { id: application.route, remedySet: application.remedySet, rewrite } } : {}),
      writes: routes.filter((r) => r.writes === true),
    },
    thresholdsFile: hasThresholds ? thresholdsFile : defaultSchemaThresholds,
  });
  return { folder, manifest, workload };
}
