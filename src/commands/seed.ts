import { totalmem } from 'node:os';
import { embeddedCacheGb } from '../mongo/embedded.js';
import { type ScaleName, scaleProfiles } from '../../seed/profiles.js';
import { assertRemoteWritesAllowed, claimForSeeding } from '../mongo/safety.js';
import { planTarget, withTarget } from '../mongo/target.js';
import type { Environment } from '../mongo/environment.js';
import type { Baseline } from '../options.js';
import { seedDatabase, type SeedResult } from '../seed/seed-database.js';
import type { CommandContext } from './context.js';
import type { IndexSpec } from '../../indexes/spec.js';
import { UsageError } from '../errors.js';
import { loadPrismaSchema } from '../indexes/prisma-schema.js';

export interface SeedCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  scale: ScaleName;
  seed: number;
  baseline: Baseline;
  /** With baseline prisma: the indexes the application's schema.prisma declares. */
  prismaSchema?: string | undefined;
  drop: boolean;
  allowRemoteWrites: boolean;
  timeoutMs?: number | undefined;
}

export interface SeedOutcome {
  readonly target: string;
  readonly database: string;
  readonly environment: Environment;
  /** The fingerprint of the dataset that --drop replaced, if any. */
  readonly replaced: string | undefined;
  readonly result: SeedResult;
}

/** `indexgate seed`: seeds the six collections and User, deterministically, where it is allowed to. */
export async function seedCommand(options: SeedCommandOptions, context: CommandContext): Promise<SeedOutcome> {
  const { uri, dbName } = planTarget(options); // usage errors before anything starts
  assertRemoteWritesAllowed(uri, dbName, 'seed', options.allowRemoteWrites);
  // seed runs no route: here the schema can only be the baseline's indexes.
  if (options.prismaSchema !== undefined && options.baseline !== 'prisma') throw new UsageError(`--prisma-schema gives seed the indexes of --baseline prisma; add --baseline prisma (the baseline is ${options.baseline})`);
  const baselineSpecs = await schemaBaseline(options);
  return withTarget({ ...options, ...context, cacheSizeGb: embeddedCacheGb(options.scale, totalmem()) }, async (target) => {
    const { replaced } = await claimForSeeding(target, {
      command: 'seed',
      drop: options.drop,
      allowRemoteWrites: options.allowRemoteWrites,
    });
    const result = await seedDatabase({
      db: target.db,
      profile: scaleProfiles[options.scale],
      seed: options.seed,
      baseline: options.baseline,
      baselineSpecs,
      reporter: context.reporter,
      signal: context.signal,
    });
    return { target: target.display, database: target.dbName, environment: target.environment, replaced: replaced?.fingerprint, result };
  });
}

/** `--prisma-schema`: the baseline's indexes read from the application's schema (only with `--baseline prisma`). */
export async function schemaBaseline(options: { baseline: Baseline; prismaSchema?: string | undefined }): Promise<readonly IndexSpec[] | undefined> {
  // The schema's indexes are the baseline's only with --baseline prisma; otherwise the schema is the routes' data model alone.
  if (options.prismaSchema === undefined || options.baseline !== 'prisma') return undefined;
  return (await loadPrismaSchema(options.prismaSchema)).indexes;
}
