import type { ReadPreferenceMode } from 'mongodb';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { writeFileAtomic } from '../files.js';
import { requireApplicationCollections } from '../mongo/required-collections.js';
import { loadDataModel } from '../run/route-setup.js';
import { schemaWorkload } from '../schema-data/workload.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { table } from '../report/tables.js';
import type { ProfileData } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { profileCommand } from './profile-options.js';

export interface ProfileOptions {
  uri?: string | undefined;
  db?: string | undefined;
  out?: string | undefined;
  force?: true | undefined;
  timeoutMs: number;
  readPreference?: ReadPreferenceMode | undefined;
  /** Profile the database this schema describes (any application), instead of the workload's own collections. */
  prismaSchema?: string | undefined;
}

export interface ProfileOutcome {
  readonly file: string;
  readonly target: string;
  readonly database: string;
  readonly profile: ProfileData;
  readonly elapsedMs: number;
}

/**
 * `indexgate profile`: reads the shape of an existing database, read-only (aggregations
 * that end in counts and sizes; nothing is written to the server), and writes it to
 * `--out`: counts, shares and quantiles, never a document, id, name or text. Checked
 * before connecting: --uri and --out given, --out's folder there, an existing --out only
 * replaced with --force.
 */
export async function profileDatabase(options: ProfileOptions, context: CommandContext): Promise<ProfileOutcome> {
  const { workload } = context;
  const profiles = workload.dataset.profiles;
  if (!profiles) throw new UsageError(`profile: the workload "${workload.name}" has no data profiles`);
  if (options.uri === undefined) throw new UsageError('profile needs --uri (and --db): it reads an existing database, read-only');
  if (options.out === undefined) throw new UsageError('profile needs --out <file>: where the profile (JSON) goes');
  const file = resolve(options.out);
  const folder = await stat(dirname(file)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--out ${options.out}: the folder ${dirname(file)} does not exist; create it first`);
  const existing = await stat(file).catch(() => undefined);
  if (existing && !options.force)
    throw new UsageError(`--out ${options.out}: the file exists; pass --force to replace it, or name another`);
  planTarget(options);
  const started = performance.now();
  return withTarget({ ...options, ...context }, async (target) => {
    const { collections } = workload.dataset;
    // A schema's models: those whose collection is there are profiled (one at least, or it is the wrong --db).
    await requireApplicationCollections(
      target.db,
      collections,
      options.prismaSchema === undefined ? collections : [],
      'the profile needs every one',
    );
    const profile = await profiles.read(target.db, target.environment.mongodVersion);
    await writeFileAtomic(file, `${json(profile)}\n`);
    return { file, target: target.display, database: target.dbName, profile, elapsedMs: performance.now() - started };
  });
}

export const profileImplementation = implementCommand<typeof profileCommand>()({
  run: async ({ options }, context) => {
    // --prisma-schema: the application is that schema's (any application), not the built-in one.
    const workload = options.prismaSchema !== undefined ? schemaWorkload(await loadDataModel(options.prismaSchema)) : context.workload;
    const outcome = await profileDatabase(options, { ...context, workload });
    return { outcome, describe: workload.dataset.profiles };
  },
  render: ({ outcome, describe }, options) => {
    if (options.json) return { stdout: json(outcome), exitCode: ExitCode.pass };
    const shown = describe?.describe(outcome.profile);
    const lines = [
      `profiled ${outcome.database} on ${outcome.target} in ${(outcome.elapsedMs / 1000).toFixed(1)} s: ${outcome.file}`,
      ...(shown
        ? [
            table(
              [...shown.head],
              shown.rows.map((r) => [...r]),
            ),
          ]
        : []),
      'No document, id, name or text is in the profile: counts, shares and quantiles only.',
    ];
    return { stdout: lines.join('\n'), exitCode: ExitCode.pass };
  },
});
