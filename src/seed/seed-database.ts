import type { Db } from 'mongodb';
import { baselineIndexes as baselineSpecs } from '../../indexes/index.js';
import { generateDataset, planDataset, type SeededCollection, seededCollections } from '../../seed/dataset.js';
import type { ScaleProfile } from '../../seed/profiles.js';
import { throwIfAborted } from '../errors.js';
import { createIndexesPerCollection, type IndexOutcome } from '../indexes/apply.js';
import { markerCollection, writeMarker } from '../mongo/safety.js';
import type { Baseline } from '../options.js';
import type { IndexSpec } from '../../indexes/spec.js';
import type { Reporter } from '../progress.js';
import { toolVersion } from '../version.js';
import { datasetFingerprint } from './fingerprint.js';
import { defaultLoaderOptions, loadDocuments } from './loader.js';

export interface SeedDatabaseOptions {
  db: Db;
  profile: ScaleProfile;
  seed: number;
  baseline: Baseline;
  /** The baseline's indexes when they come from the application's schema (`--prisma-schema`), not the built-in list. */
  baselineSpecs?: readonly IndexSpec[] | undefined;
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
  readonly baseline: Baseline;
  readonly fingerprint: string;
  readonly counts: Readonly<Record<SeededCollection, number>>;
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
  const { db, profile, seed, baseline, reporter, signal } = options;
  const fingerprint = datasetFingerprint(profile, seed);
  const plan = planDataset(profile, seed);
  const emptyCounts = Object.fromEntries(seededCollections.map((c) => [c, 0])) as Record<SeededCollection, number>;
  const marker = { toolVersion, scale: profile.name, seed, baseline, fingerprint, seededAt: new Date() };

  // Explicit creation: concurrent implicit creation crashes mongod under Wine.
  for (const name of [markerCollection, ...seededCollections]) await db.createCollection(name);
  // Marked before the first document, so an interrupted seed can still be recognised and dropped.
  await writeMarker(db, { ...marker, counts: emptyCounts, complete: false });

  const estimated = Object.values(plan.estimatedCounts).reduce((a, b) => a + b, 0);
  const progress = reporter.progress(`seeding ${profile.name}`, estimated, 'docs');
  let stats;
  try {
    stats = await loadDocuments(db, generateDataset(plan), {
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
  const declared = options.baselineSpecs ?? baselineSpecs[baseline];
  if (declared.length > 0) {
    reporter.notice(`building the ${declared.length} ${baseline === 'prisma' ? 'Prisma-declared ' : ''}indexes (baseline ${baseline})`);
    baselineIndexes = await createIndexesPerCollection(db, declared, signal);
  }
  const indexMs = performance.now() - indexStarted;
  const counts = { ...emptyCounts, ...stats.counts } as Record<SeededCollection, number>;
  await writeMarker(db, { ...marker, counts, complete: true });
  return {
    scale: profile.name,
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
