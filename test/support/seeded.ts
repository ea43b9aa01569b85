import type { Db } from 'mongodb';
import { silentReporter } from '../../src/progress.js';
import { seedDatabase, type SeedResult } from '../../src/dataset/seed-database.js';
import { testDb } from './mongo.js';
import { seedInput } from './workload.js';

/** A fresh database of its own, seeded the way `indexgate seed` seeds. */
export async function seededDb(label: string, scale: string, seed: number, baseline = 'bare'): Promise<{ db: Db; seeded: SeedResult }> {
  const db = await testDb(label);
  const seeded = await seedDatabase({ db, ...seedInput(scale, seed, baseline), reporter: silentReporter });
  return { db, seeded };
}
