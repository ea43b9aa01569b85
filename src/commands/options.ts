import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { userClasses } from '../users/user-classes.js';
import type { Workload } from '../workload.js';

/**
 * The options several commands share, each declared once (its name, help and parser), and
 * the parsers of command-line values: each returns the typed value or throws commander's
 * InvalidArgumentError, which the CLI turns into one line and exit code 2.
 */

export { type ReportFormat, reportFormats } from '../report/formats.js';

export const defaultSeed = 20260126;

export function parseNonNegativeInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a non-negative integer, got "${value}".`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be at most ${Number.MAX_SAFE_INTEGER}, got "${value}".`);
    return n;
  };
}

export function parsePositiveNumber(what: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= min) {
      throw new InvalidArgumentError(`${what} must be a number greater than ${min}, got "${value}".`);
    }
    return n;
  };
}

/** For repeatable options: `--pattern a --pattern b` (also accepts `--pattern a,b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...(previous ?? []), ...parts];
}

export const uriOption = () => new Option('--uri <mongodb-uri>', 'target server; without it an embedded, throw-away mongod is started');
export const dbOption = () => new Option('--db <name>', 'database name (default: the URI\'s database, else "indexgate")');
export const jsonOption = () => new Option('--json', 'print the result JSON on stdout (progress stays on stderr)');
export const ramGbOption = () =>
  new Option(
    '--ram-gb <gb>',
    "price the indexes against MongoDB's default cache on a server of this memory (default: the target's own cache)",
  ).argParser(parsePositiveNumber('--ram-gb'));

export const verboseOption = () =>
  new Option(
    '--verbose',
    "also print where the routes' time went (route, side, remedy: timed calls, waits on over-limit calls, explains, probes)",
  );
export const patternOption = () =>
  new Option('--pattern <id>', 'only this query pattern (repeatable; see `indexgate explain --help`)').argParser(collect);
export const timeoutOption = () =>
  new Option('--timeout-ms <ms>', 'connection and server-selection timeout').argParser(parsePositiveNumber('--timeout-ms')).default(5_000);
export const scaleOption = (workload: Workload, fallback: string) =>
  new Option('--scale <scale>', 'dataset size').choices(Object.keys(workload.dataset.scales)).default(fallback);
export const seedOption = () =>
  new Option('--seed <int>', 'random seed; the same seed gives the same data')
    .argParser(parseNonNegativeInt('--seed'))
    .default(defaultSeed);
export const baselineOption = (workload: Workload) =>
  new Option(
    '--baseline <baseline>',
    `indexes present before the migration's set: ${Object.entries(workload.indexes.baselines)
      .map(([name, specs]) => `${name} (${specs.length === 0 ? 'only _id' : `${specs.length} indexes`})`)
      .join(', ')}`,
  )
    .choices(Object.keys(workload.indexes.baselines))
    .default(Object.keys(workload.indexes.baselines)[0] ?? 'bare');
export const profileOption = () =>
  new Option(
    '--profile <file>',
    'seed data shaped like a profile (`indexgate profile`), or sized by a scale file (a copy of seed/scales/medium.json), instead of a built-in --scale',
  );
export const scaleFactorOption = () =>
  new Option('--scale-factor <f>', 'with --profile: seed this many times its size (e.g. 0.1)').argParser(
    parsePositiveNumber('--scale-factor'),
  );
export const remoteWritesOption = () => new Option('--allow-remote-writes', 'allow writing to a --uri that is not on this machine');
export const thresholdsOption = () => new Option('--thresholds <file>', 'gate thresholds (JSON); default: bench/thresholds.json');
export const outOption = () => new Option('--out <dir>', 'where reports go (default: reports/<run-id>/)');
export const prismaSchemaOption = (workload: Workload) =>
  new Option(
    '--prisma-schema <file>',
    `the application's schema.prisma (read by Prisma's schema engine): the models a route's prisma client knows${workload.indexes.schemaBaseline ? `; with --baseline ${workload.indexes.schemaBaseline}, also the indexes it declares instead of the built-in list` : ''}`,
  );
export const routeOption = (workload: Workload, what: string) =>
  new Option(
    '--route <id>',
    `which built-in route to ${what}: ${workload.routes.builtIn.map((r) => `${r.id} (${r.title})`).join(', ')}, or all`,
  ).choices([...workload.routes.builtIn.map((r) => r.id), 'all']);
export const routeFileOption = () =>
  new Option(
    '--route-file <file>',
    'a route file (.ts, .mts, .js, .mjs: a default export { id, title, run(ctx) }) to measure and judge (repeatable); without one, the built-in routes',
  ).argParser(collect);
export const routeParamOption = () =>
  new Option(
    '--route-param <key=value>',
    'override a route parameter (repeatable; the value read as JSON where it is a number, true, false or null)',
  ).argParser(collect);
export const workloadOption = () =>
  new Option(
    '--workload <file>',
    'also replay this captured workload (`indexgate capture`), shape by shape, and gate each shape (see docs/capture-and-replay.md)',
  );
/** The driver's read preference modes (`--read-preference`). */
export const readPreferences = ['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest'] as const;
export const readPreferenceOption = () => new Option('--read-preference <mode>', 'read preference').choices(readPreferences);
export const userClassOption = () =>
  new Option('--user-class <class>', 'which sampled user').choices(userClasses).default('typical' as const);

/** `--set <name>` (repeatable): sets of the workload, in the order given. */
export const indexSetsOption = (workload: Workload) =>
  new Option(
    '--set <set>',
    `a named index set (repeatable; ${Object.keys(workload.indexes.sets).join(', ')}; default ${workload.indexes.migration})`,
  ).argParser((value: string, previous: string[] | undefined) => {
    const names = collect(value, undefined);
    const unknown = names.filter((n) => !(n in workload.indexes.sets));
    if (unknown.length > 0)
      throw new InvalidArgumentError(`--set ${unknown.join(', ')}: not an index set (${Object.keys(workload.indexes.sets).join(', ')}).`);
    return [...(previous ?? []), ...names];
  });
/** `--indexes <file>` (repeatable): index sets as JSON files shaped like `indexes list --json`. */
export const indexFilesOption = () =>
  new Option('--indexes <file>', 'an index set as JSON, shaped like `indexes list --json` (repeatable)').argParser(collect);
export const redactIdsOption = () =>
  new Option(
    '--redact-ids',
    'replace every id (ObjectId) in result.json and the reports by a pseudonym: reports that can leave the staging network',
  );
