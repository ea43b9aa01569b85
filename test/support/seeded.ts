import type { Db } from 'mongodb';
import { scaleProfiles, type ScaleName } from '../../seed/profiles.js';
import type { Baseline } from '../../src/options.js';
import { silentReporter } from '../../src/progress.js';
import { seedDatabase, type SeedResult } from '../../src/seed/seed-database.js';
import { testDb } from './mongo.js';

/** A fresh database of its own, seeded the way `indexgate seed` seeds. */
export async function seededDb(label: string, scale: ScaleName, seed: number, baseline: Baseline = 'bare'): Promise<{ db: Db; seeded: SeedResult }> {
  const db = await testDb(label);
  const seeded = await seedDatabase({ db, profile: scaleProfiles[scale], seed, baseline, reporter: silentReporter });
  return { db, seeded };
}
