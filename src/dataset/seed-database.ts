import type { Db } from 'mongodb';
import { throwIfAborted } from '../errors.js';
import { createIndexesPerCollection, type IndexOutcome } from '../indexing/apply.js';
import { markerCollection, writeMarker } from '../mongo/safety.js';
import type { DatasetDefinition, IndexSpec } from '../workload.js';
import type { Reporter } from '../progress.js';
import { toolVersion } from '../version.js';
import { datasetFingerprint } from './fingerprint.js';
import { defaultLoaderOptions, loadDocuments } from './loader.js';

export interface SeedDatabaseOptions {
  db: Db;
  dataset: DatasetDefinition;
  scale: string;
  seed: number;
  /** The baseline's name (`--baseline`) and its indexes (the workload's, or the application's schema's with `--prisma-schema`). */
  baseline: string;
  baselineSpecs: readonly IndexSpec[];
  reporter: Reporter;
  signal?: AbortSignal | undefined;
  batchSize?: number;
  maxInFlight?: number;
  /** Another physical order for the same data (tests): see `LoaderOptions.reverseBatches`. */
  reverseBatches?: boolean;
}

export interface SeedResult {
  readonly scale: string;
  readonly seed: number;
  readonly baseline: string;
  readonly fingerprint: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly docs: number;
  /** Generation and load, wall time. */
  readonly loadMs: number;
  readonly docsPerSecond: number;
  /** The Prisma-declared indexes (baseline prisma), built after the load. */
  readonly baselineIndexes: readonly IndexOutcome[];
  readonly indexMs: number;
}

/**
 * Seeds an empty database (the caller has checked it may write there): creates the
 * collections, marks the database as indexgate's, streams the dataset in, then builds
 * the baseline's indexes (none but _id for `bare`). Secondary indexes are never built
 * during the load.
 */
export async function seedDatabase(options: SeedDatabaseOptions): Promise<SeedResult> {
  const { db, dataset, scale, seed, baseline, reporter, signal } = options;
  const fingerprint = datasetFingerprint(dataset, scale, seed);
  const plan = dataset.plan(scale, seed);
  const emptyCounts: Record<string, number> = Object.fromEntries(dataset.collections.map((c) => [c, 0]));
  const marker = { toolVersion, scale, seed, baseline, fingerprint, seededAt: new Date() };

  // Explicit creation: concurrent implicit creation crashes mongod under Wine.
  for (const name of [markerCollection, ...dataset.collections]) await db.createCollection(name);
  // Marked before the first document, so an interrupted seed can still be recognised and dropped.
  await writeMarker(db, { ...marker, counts: emptyCounts, complete: false });

  const estimated = Object.values(plan.estimatedCounts).reduce((a, b) => a + b, 0);
  const progress = reporter.progress(`seeding ${scale}`, estimated, 'docs');
  let stats;
  try {
    stats = await loadDocuments(db, dataset.generate(plan), {
      batchSize: options.batchSize ?? defaultLoaderOptions.batchSize,
      maxInFlight: options.maxInFlight ?? defaultLoaderOptions.maxInFlight,
      ...(options.reverseBatches ? { reverseBatches: true } : {}),
      signal,
      onProgress: (n) => progress.update(Math.min(n, estimated)),
    });
  } finally {
    progress.stop();
  }
  throwIfAborted(signal);

  const indexStarted = performance.now();
  let baselineIndexes: IndexOutcome[] = [];
  const declared = options.baselineSpecs;
  if (declared.length > 0) {
    reporter.notice(`building the ${declared.length} indexes of baseline ${baseline}`);
    baselineIndexes = await createIndexesPerCollection(db, declared, signal);
  }
  const indexMs = performance.now() - indexStarted;
  const counts = { ...emptyCounts, ...stats.counts };
  await writeMarker(db, { ...marker, counts, complete: true });
  return {
    scale,
    seed,
    baseline,
    fingerprint,
    counts,
    docs: stats.docs,
    loadMs: stats.ms,
    docsPerSecond: stats.docs / (stats.ms / 1000),
    baselineIndexes,
    indexMs,
  };
}
