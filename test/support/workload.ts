import { builtInWorkload } from '../../bench/built-in-workload.js';
import type { SeedDatabaseOptions } from '../../src/dataset/seed-database.js';
import { knownIndexSpecs } from '../../src/workload.js';

/** The built-in workload, as the CLI's entry point hands it to the commands. */
export const workload = builtInWorkload;
export const patterns = workload.patterns.list;
export const knownSpecs = knownIndexSpecs(workload.indexes);
export const patternIds = patterns.map((p) => p.id);

/** What `seedDatabase` needs besides the database: the workload's dataset at a scale, seed and baseline. */
export function seedInput(
  scale: string,
  seed: number,
  baseline = 'bare',
): Pick<SeedDatabaseOptions, 'dataset' | 'scale' | 'seed' | 'baseline' | 'baselineSpecs'> {
  return { dataset: workload.dataset, scale, seed, baseline, baselineSpecs: workload.indexes.baselines[baseline] ?? [] };
}
