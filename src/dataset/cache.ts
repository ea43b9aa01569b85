import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { cacheDirectory, type HostInfo } from '../system.js';
import type { ResolvedMongod } from '../mongo/binary.js';

/**
 * The cache of seeded datasets: the data files of a finished seed of the embedded mongod,
 * one folder per (dataset fingerprint, baseline, database name, mongod version, Wine or
 * not). The fingerprint already names the generator version, the scale and the seed.
 * A later run starts its throw-away mongod on a copy of those files instead of seeding
 * again; it checks the dataset's marker and counts before using it.
 *
 * Concurrency: an entry is written to a temporary folder beside it and renamed into place
 * (atomic), so a reader only ever sees complete entries; when two runs save the same
 * entry at once, the second rename fails and that copy is discarded.
 */
export interface DatasetCacheKey {
  fingerprint: string;
  baseline: string;
  dbName: string;
}

/** `$INDEXGATE_DATASET_CACHE_DIR`, else `datasets/` in indexgate's cache folder (`~/.cache/indexgate/datasets`). */
export function datasetCacheDir(host: HostInfo): string {
  return host.env.INDEXGATE_DATASET_CACHE_DIR || join(cacheDirectory(host), 'datasets');
}

export function cacheEntry(dir: string, key: DatasetCacheKey, mongod: Pick<ResolvedMongod, 'version' | 'underWine'>): string {
  return join(dir, `${key.fingerprint}-${key.baseline}-${key.dbName}-mongod${mongod.version}${mongod.underWine ? '-wine' : ''}`);
}

const manifestFile = 'manifest.json';
/**
 * Not copied: lock files, diagnostic data, and the journal. The journal is 100 MB files of
 * preallocated log; `fsync` has just taken a checkpoint and the lock holds every write, so
 * the data files are complete without it, and mongod starts a new journal (a restored copy
 * is checked against its marker and counts before use).
 */
const leftOut = /(^|[\\/])(mongod\.lock|WiredTiger\.lock|diagnostic\.data|journal)$/;
const dataFolder = 'data';

/** The data folder of a complete entry, or undefined. */
export async function findCachedDataset(entry: string): Promise<string | undefined> {
  try {
    await stat(join(entry, manifestFile));
    return join(entry, dataFolder);
  } catch {
    return undefined;
  }
}

/**
 * Saves the embedded server's data files as a cache entry. The server is flushed and its
 * writes are locked while the files are copied (`fsync` with `lock`, the documented way to
 * copy WiredTiger's files from a running mongod), then unlocked.
 */
export async function saveDataset(client: MongoClient, dbPath: string, entry: string): Promise<{ saved: boolean; bytes: number }> {
  await mkdir(dirname(entry), { recursive: true });
  const incoming = await mkdtemp(join(dirname(entry), '.incoming-'));
  try {
    const admin = client.db('admin');
    await admin.command({ fsync: 1, lock: true });
    try {
      await cp(dbPath, join(incoming, dataFolder), { recursive: true, filter: (source) => !leftOut.test(source) });
    } finally {
      await admin.command({ fsyncUnlock: 1 });
    }
    const bytes = await folderBytes(join(incoming, dataFolder));
    await writeFile(join(incoming, manifestFile), `${JSON.stringify({ entry, bytes, savedAt: new Date().toISOString() }, null, 2)}\n`);
    try {
      await rename(incoming, entry);
      return { saved: true, bytes };
    } catch {
      return { saved: false, bytes };
    }
  } finally {
    await rm(incoming, { recursive: true, force: true });
  }
}

/** Removes an entry that failed its check, so that the next run seeds afresh. */
export async function dropCachedDataset(entry: string): Promise<void> {
  await rm(entry, { recursive: true, force: true });
}

export async function readManifestBytes(entry: string): Promise<number | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(entry, manifestFile), 'utf8')) as { bytes?: unknown };
    return typeof manifest.bytes === 'number' ? manifest.bytes : undefined;
  } catch {
    return undefined;
  }
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const item of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (item.isFile()) total += (await stat(join(item.parentPath, item.name))).size;
  }
  return total;
}
