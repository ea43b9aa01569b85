import { readFile, statfs } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { ConfigError, UsageError } from '../errors.js';
import type { HostInfo } from '../system.js';
import type { ProfileData, ProfileEstimate, Workload } from '../workload.js';
import { loadDataModel } from '../run/route-setup.js';
import { UnseedableProfileError } from '../schema-data/data-profiles.js';
import { schemaProfileFormat } from '../schema-data/profile.js';
import { schemaWorkload } from '../schema-data/workload.js';

/** A profile file read for `--profile`, and the workload whose dataset is fitted to it. */
export interface ProfiledWorkload {
  readonly file: string;
  readonly factor: number;
  readonly profile: ProfileData;
  /** The workload with its dataset fitted to the profile: one scale, `scale`. */
  readonly workload: Workload;
  readonly scale: string;
  readonly estimate: ProfileEstimate;
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/**
 * Reads and checks a profile file (`--profile`), and refuses a `--scale-factor` whose data
 * would not fit this machine: the generators' memory against half of its memory, and,
 * where the server is the embedded one, twice the data (data and indexes) against the free
 * space of the temporary folder it runs in. One line each; nothing is started or written.
 */
export async function loadProfiledWorkload(
  given: Workload,
  options: {
    readonly file: string;
    readonly factor: number;
    readonly embedded: boolean;
    /** `--prisma-schema`: with a schema profile, the application's data model (its data is seeded from the schema). */
    readonly prismaSchema?: string | undefined;
  },
  host: HostInfo,
): Promise<ProfiledWorkload> {
  let workload = given;
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      options.file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); write one with \`indexgate profile\``,
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    throw new ConfigError(options.file, 'is not JSON; write a profile with `indexgate profile`');
  }
  // A schema profile describes an application by its schema: the workload is that schema's.
  if ((content as { format?: unknown } | null)?.format === schemaProfileFormat) {
    if (options.prismaSchema === undefined)
      throw new ConfigError(
        options.file,
        `is a profile of a Prisma schema (${schemaProfileFormat}); pass --prisma-schema <the schema.prisma of the database it was read from>`,
      );
    workload = schemaWorkload(await loadDataModel(options.prismaSchema));
  }
  const profiles = workload.dataset.profiles;
  if (!profiles) throw new UsageError(`--profile: the workload "${workload.name}" cannot be fitted to a profile`);
  const checked = profiles.check(content);
  if (!checked.ok) throw new ConfigError(options.file, checked.reason);
  let fitted: ReturnType<typeof profiles.fitted>;
  try {
    fitted = profiles.fitted(checked.profile, options.factor);
  } catch (error) {
    if (error instanceof UnseedableProfileError) throw new ConfigError(options.file, error.message);
    throw error;
  }
  const { dataset, scale, estimate } = fitted;
  if (estimate.documents < 1) throw new UsageError(`--scale-factor ${options.factor}: the profile would seed no document; raise it`);
  const memory = totalmem();
  if (estimate.generatorBytes > memory / 2)
    throw new UsageError(
      `--scale-factor ${options.factor}: generating it needs about ${gb(estimate.generatorBytes)} of memory, more than half of this machine's ${gb(memory)}; lower it`,
    );
  if (options.embedded) {
    const fs = await statfs(host.tmpdir);
    const free = fs.bavail * fs.bsize;
    if (estimate.dataBytes * 2 > free)
      throw new UsageError(
        `--scale-factor ${options.factor}: about ${gb(estimate.dataBytes)} of data and as much for its indexes, but ${host.tmpdir} has ${gb(free)} free; lower it or seed a --uri`,
      );
  }
  return { file: options.file, factor: options.factor, profile: checked.profile, workload: { ...workload, dataset }, scale, estimate };
}
