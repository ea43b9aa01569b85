import type { DatasetDefinition, IndexSpec } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { type DatasetCacheKey, dropCachedDataset, saveDataset } from './cache.js';
import { claimForSeeding, readMarker } from '../mongo/safety.js';
import { countDocuments } from '../mongo/target-fingerprint.js';
import type { Target } from '../mongo/target.js';
import type { Reporter } from '../progress.js';
import { seedDatabase } from './seed-database.js';

export interface DatasetStageOptions {
  dataset: DatasetDefinition;
  scale: string;
  seed: number;
  baseline: string;
  /** The baseline's indexes: the workload's, or the application's schema's (`--prisma-schema`). */
  baselineSpecs: readonly IndexSpec[];
  fingerprint: string;
  drop: boolean;
  allowRemoteWrites: boolean;
  /** The cache entry for this dataset (embedded targets with the cache on). */
  cacheEntry?: string | undefined;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
}

export interface DatasetStageResult {
  fingerprint: string;
  counts: Record<string, number>;
  /** reused: started on a cached copy; saved: seeded and cached; seeded: seeded, not cached. */
  source: 'reused' | 'saved' | 'seeded';
}

/**
 * The bench's dataset: a cached copy when the embedded server was started on one and it
 * passes its check (complete marker, same fingerprint and baseline, same counts), else a
 * fresh deterministic seed, saved to the cache when there is an entry to save to.
 */
export async function prepareDataset(target: Target, options: DatasetStageOptions): Promise<DatasetStageResult> {
  const { reporter, cacheEntry } = options;
  if (target.embedded?.restoredFrom && cacheEntry) {
    const checked = await checkRestored(target, options);
    if ('counts' in checked) {
      const { counts } = checked;
      reporter.notice(`dataset cache: reused ${cacheEntry} (no seeding; --no-cache seeds afresh)`);
      return { fingerprint: options.fingerprint, counts, source: 'reused' };
    }
    reporter.notice(`dataset cache: ${cacheEntry} failed its check (${checked.problem}); removed, seeding afresh`);
    await dropCachedDataset(cacheEntry);
    await target.db.dropDatabase();
  }
  await claimForSeeding(target, { command: 'bench', drop: options.drop, allowRemoteWrites: options.allowRemoteWrites });
  const seeded = await seedDatabase({
    db: target.db,
    dataset: options.dataset,
    scale: options.scale,
    seed: options.seed,
    baseline: options.baseline,
    baselineSpecs: options.baselineSpecs,
    reporter,
    signal: options.signal,
  });
  throwIfAborted(options.signal);
  if (!cacheEntry || !target.embedded) return { fingerprint: seeded.fingerprint, counts: { ...seeded.counts }, source: 'seeded' };
  const saved = await saveDataset(target.client, target.embedded.dbPath, cacheEntry);
  reporter.notice(
    saved.saved
      ? `dataset cache: saved ${cacheEntry} (${(saved.bytes / 1024 ** 2).toFixed(0)} MB); the next run with the same dataset reuses it`
      : `dataset cache: another run saved ${cacheEntry} first; kept theirs`,
  );
  return { fingerprint: seeded.fingerprint, counts: { ...seeded.counts }, source: 'saved' };
}

/**
 * Why a restored copy cannot be used, or its counts when it can: counted once (every document read, which also brings the
 * data into the server's cache before the stages that time reads; 5.6 s at `large` under Wine to count again).
 */
async function checkRestored(
  target: Target,
  options: DatasetStageOptions,
): Promise<{ problem: string } | { counts: Record<string, number> }> {
  const marker = await readMarker(target.db);
  if (!marker) return { problem: 'no indexgate marker' };
  if (!marker.complete) return { problem: 'an incomplete seed' };
  if (marker.fingerprint !== options.fingerprint) return { problem: `fingerprint ${marker.fingerprint}, expected ${options.fingerprint}` };
  if (marker.baseline !== options.baseline) return { problem: `baseline ${marker.baseline}, expected ${options.baseline}` };
  const counts = await countDocuments(target.db, options.dataset.collections);
  const wrong = Object.entries(marker.counts).filter(([name, n]) => counts[name] !== n);
  if (wrong.length > 0) return { problem: `counts differ: ${wrong.map(([name, n]) => `${name} ${counts[name] ?? 0} ≠ ${n}`).join(', ')}` };
  return { counts };
}

export type { DatasetCacheKey };
