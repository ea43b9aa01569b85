import { access } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { RouteFileError } from './route-file-error.js';
import type { ParamValue, Route, RouteDefinition } from '../route.js';

/**
 * Route files: ES modules (`.ts`, `.mts`, `.js`, `.mjs`) whose default export is a plain
 * object `{ id, title, source?, description?, params?, users?, run(ctx) }`. TypeScript is loaded with
 * tsx's `tsImport` (no build step, nothing else installed); JavaScript with Node's own import.
 * A file that is missing, cannot be loaded or is not a route is refused with one line naming it.
 */

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const definitionSchema = z.object({
  id: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'letters, digits, dots, dashes and underscores, starting with a letter or digit'),
  title: z.string().min(1),
  source: z.string().optional(),
  description: z.string().optional(),
  params: z.record(z.string(), paramValue).optional(),
  writes: z.boolean().optional(),
  users: z
    .object({
      model: z.string().min(1),
      load: z.object({ relation: z.string().min(1), where: z.record(z.string(), z.unknown()).optional() }).strict(),
    })
    .strict()
    .optional(),
  target: z
    .custom<NonNullable<RouteDefinition['target']>>(
      (v) => typeof v === 'function',
      'must be a function: async target({ db, user, membership, ObjectId }) { … } (write routes)',
    )
    .optional(),
  run: z.custom<RouteDefinition['run']>(
    (v) => typeof v === 'function',
    'must be a function: async run({ prisma, db, user, params, phase }) { … }',
  ),
});

export const routeFileExtensions = ['.ts', '.mts', '.js', '.mjs'] as const;

/** A definition (a built-in route's default export, or a loaded file's) as the engine runs it. */
export function routeOf(definition: unknown, file: string): Route {
  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `default export .${issue.path.join('.')}` : 'default export';
    throw new RouteFileError(file, `${where}: ${issue?.message ?? 'not a route'} (a route is { id, title, run(ctx) })`);
  }
  const d = definition as RouteDefinition;
  return {
    id: d.id,
    title: d.title,
    ...(d.source === undefined ? {} : { source: d.source }),
    description: d.description ?? d.title,
    params: { ...(d.params ?? {}) },
    ...(d.writes === true ? { writes: true } : {}),
    ...(d.users ? { users: d.users } : {}),
    ...(d.target ? { target: d.target.bind(d) } : {}),
    run: d.run.bind(d),
    file,
  };
}

/** Loads a route file and checks its default export. */
export async function loadRouteFile(file: string): Promise<Route> {
  const path = resolve(file);
  const ext = extname(path);
  if (!(routeFileExtensions as readonly string[]).includes(ext))
    throw new RouteFileError(file, `a route file is a .ts, .mts, .js or .mjs module, not ${ext || 'a file without extension'}`);
  try {
    await access(path);
  } catch {
    throw new RouteFileError(file, 'no such file; pass the path of a route module');
  }
  let module: { default?: unknown };
  try {
    if (ext === '.ts' || ext === '.mts') {
      const { tsImport } = await import('tsx/esm/api');
      module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
    } else {
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RouteFileError(file, `cannot be loaded: ${message}`, { cause: error });
  }
  // tsImport of a CommonJS-looking module may nest the default export one level down.
  const exported =
    module.default !== undefined &&
    typeof module.default === 'object' &&
    module.default !== null &&
    'default' in module.default &&
    !('run' in module.default)
      ? (module.default as { default: unknown }).default
      : module.default;
  if (exported === undefined) throw new RouteFileError(file, 'has no default export; export default { id, title, run(ctx) { … } }');
  return routeOf(exported, file);
}

/** `--route-param key=value`: the value read as JSON where it is JSON (numbers, true, false, null), else as a string. */
export function parseRouteParams(pairs: readonly string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--route-param ${JSON.stringify(pair)}: not key=value; pass e.g. --route-param limit=50`);
    const raw = pair.slice(at + 1);
    let value: ParamValue = raw;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed === null || ['number', 'boolean'].includes(typeof parsed)) value = parsed as ParamValue;
    } catch {
      // a string
    }
    out[pair.slice(0, at)] = value;
  }
  return out;
}
