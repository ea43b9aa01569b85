import { createHash } from 'node:crypto';
import type { DatasetDefinition } from '../workload.js';

/**
 * Names a dataset: equal for equal (scale, seed) and generator version, different
 * otherwise. The data itself is deterministic, so equal fingerprints mean equal data
 * (the integration tests check it with the server's dbHash).
 */
export function datasetFingerprint(dataset: DatasetDefinition, scale: string, seed: number): string {
  const { profile, dataShape } = dataset.fingerprintInput(scale);
  const canonical = JSON.stringify({ generatorVersion: dataset.version, profile, dataShape, seed });
  return `ig${dataset.version}-${scale}-${seed}-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}
