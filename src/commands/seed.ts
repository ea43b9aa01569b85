import { totalmem } from 'node:os';
import { seedDatabase, type SeedResult } from '../dataset/seed-database.js';
import { loadProfiledWorkload, type ProfiledWorkload } from '../dataset/profile-file.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { baselineIndexes } from '../indexing/prisma-schema.js';
import { embeddedCacheGb } from '../mongo/embedded.js';
import type { Environment } from '../mongo/environment.js';
import { assertRemoteWritesAllowed, claimForSeeding } from '../mongo/safety.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { renderProfiles, renderSeedSummary } from '../report/tables.js';
import type { ProfileFit } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { seedCommand } from './seed-options.js';

export interface SeedOutcome {
  readonly target: string;
  readonly database: string;
  readonly environment: Environment;
  /** The fingerprint of the dataset that --drop replaced, if any. */
  readonly replaced: string | undefined;
  readonly result: SeedResult;
  /** With --profile: the profile, the factor, and each of its figures beside the seeded data's. */
  readonly profile?: { readonly file: string; readonly factor: number; readonly fit: readonly ProfileFit[] };
}

/** What seed and bench share: where to seed, which dataset, and what they may replace. */
export interface SeedOptions {
  uri?: string | undefined;
  db?: string | undefined;
  scale: string;
  seed: number;
  baseline: string;
  prismaSchema?: string | undefined;
  drop?: true | undefined;
  allowRemoteWrites?: true | undefined;
  timeoutMs: number;
  /** A data profile to fit instead of a built-in scale (`--scale` is then ignored), at `scaleFactor` times its size. */
  profile?: string | undefined;
  scaleFactor?: number | undefined;
  /** The profile already read and fitted at `scaleFactor` (a growth run reads the file once, before its first size). */
  fitted?: ProfiledWorkload | undefined;
}

/** `--profile` and `--scale-factor` checked, and the workload fitted to the profile (undefined without --profile). */
export async function profiledWorkload(options: SeedOptions, context: CommandContext): Promise<ProfiledWorkload | undefined> {
  if (options.fitted) return options.fitted;
  if (options.profile === undefined) {
    if (options.scaleFactor !== undefined)
      throw new UsageError('--scale-factor needs --profile: it scales a profile (a built-in --scale has its own size)');
    return undefined;
  }
  return loadProfiledWorkload(
    context.workload,
    { file: options.profile, factor: options.scaleFactor ?? 1, embedded: options.uri === undefined, prismaSchema: options.prismaSchema },
    context.host,
  );
}

/** `indexgate seed`: seeds the workload's collections, deterministically, where it is allowed to. */
export async function seed(options: SeedOptions, context: CommandContext): Promise<SeedOutcome> {
  const { uri, dbName } = planTarget(options); // usage errors before anything starts
  assertRemoteWritesAllowed(uri, dbName, 'seed', options.allowRemoteWrites === true);
  const profiled = await profiledWorkload(options, context);
  const workload = profiled?.workload ?? context.workload;
  const dataset = workload.dataset;
  const scale = profiled?.scale ?? options.scale;
  const baselineSpecs = await baselineIndexes(workload, options, 'seed');
  return withTarget({ ...options, ...context, cacheSizeGb: embeddedCacheGb(dataset.scales[scale], totalmem()) }, async (target) => {
    const { replaced } = await claimForSeeding(target, {
      command: 'seed',
      drop: options.drop === true,
      allowRemoteWrites: options.allowRemoteWrites === true,
    });
    const result = await seedDatabase({
      db: target.db,
      dataset,
      scale,
      seed: options.seed,
      baseline: options.baseline,
      baselineSpecs,
      reporter: context.reporter,
      signal: context.signal,
    });
    const outcome = {
      target: target.display,
      database: target.dbName,
      environment: target.environment,
      replaced: replaced?.fingerprint,
      result,
    };
    const profiles = dataset.profiles;
    if (!profiled || !profiles) return outcome;
    // How close the seeded data came: its own profile, read the same way, beside the file's.
    const seeded = await profiles.read(target.db, target.environment.mongodVersion);
    return {
      ...outcome,
      profile: { file: profiled.file, factor: profiled.factor, fit: profiles.compare(profiled.profile, seeded, profiled.factor) },
    };
  });
}

export const seedImplementation = implementCommand<typeof seedCommand>()({
  run: async ({ options }, context) =>
    options.profiles ? { profiles: renderProfiles(context.workload, options.seed) } : { seeded: await seed(options, context) },
  render: (outcome, options) => {
    if ('profiles' in outcome) return { stdout: outcome.profiles, exitCode: ExitCode.pass };
    return { stdout: options.json ? json(outcome.seeded) : renderSeedSummary(outcome.seeded), exitCode: ExitCode.pass };
  },
});
