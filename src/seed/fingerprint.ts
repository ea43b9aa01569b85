import { createHash } from 'node:crypto';
import { generatorVersion } from '../../seed/dataset.js';
import { dataShape, type ScaleProfile } from '../../seed/profiles.js';

/**
 * Names a dataset: equal for equal (scale, seed) and generator version, different
 * otherwise. The data itself is deterministic, so equal fingerprints mean equal data
 * (the integration tests check it with the server's dbHash).
 */
export function datasetFingerprint(profile: ScaleProfile, seed: number): string {
  const canonical = JSON.stringify({ generatorVersion, profile, dataShape, seed });
  return `ig${generatorVersion}-${profile.name}-${seed}-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}
