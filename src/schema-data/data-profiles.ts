import type { DataModel } from '../prisma/datamodel.js';
import type { DataProfiles, ProfileData } from '../workload.js';
import { checkSchemaProfile } from './check.js';
import { compareSchemaProfiles, describeSchemaProfile } from './compare.js';
import { schemaDataset, unseedableReason } from './generate.js';
import type { SchemaProfile } from './profile.js';
import { readSchemaProfile } from './read.js';

/** The profile's refusal at a factor: thrown by `fitted`, caught and reported as one line naming the profile file. */
export class UnseedableProfileError extends Error {}

/**
 * Data profiles of any schema, in the engine's terms (`DataProfiles`): read from a database
 * the schema describes (src/schema-data/read.ts), checked against the schema, and fitted by
 * the schema engine (src/schema-data/generate.ts).
 */
export function schemaDataProfiles(model: DataModel): DataProfiles {
  const asSchemaProfile = (p: ProfileData) => p as unknown as SchemaProfile;
  return {
    read: async (db, serverVersion) =>
      (await readSchemaProfile(db, model, { serverVersion, schemaFile: model.file })) as unknown as ProfileData,
    check: (content) => {
      const checked = checkSchemaProfile(content, model);
      return checked.ok ? { ok: true, profile: checked.profile as unknown as ProfileData } : checked;
    },
    fitted: (profile, factor) => {
      const reason = unseedableReason(model, asSchemaProfile(profile), factor);
      if (reason !== undefined) throw new UnseedableProfileError(reason);
      const { dataset, scale, estimate } = schemaDataset(model, asSchemaProfile(profile), factor);
      return { dataset: { ...dataset, profiles: schemaDataProfiles(model) }, scale, estimate };
    },
    compare: (profiled, seeded, factor) => compareSchemaProfiles(asSchemaProfile(profiled), asSchemaProfile(seeded), factor),
    describe: (profile) => describeSchemaProfile(asSchemaProfile(profile)),
  };
}
