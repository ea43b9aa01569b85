import type { Db } from 'mongodb';
import { SafetyRefusal } from '../errors.js';
import type { Target } from './target.js';
import type { TargetUri } from './uri.js';

/** The collection indexgate leaves in every database it seeds: its proof of ownership. */
export const markerCollection = '_indexgate';
export const markerId = 'dataset';

export interface DatasetMarker {
  _id: typeof markerId;
  tool: 'indexgate';
  toolVersion: string;
  scale: string;
  seed: number;
  baseline: string;
  fingerprint: string;
  counts: Record<string, number>;
  /** False while seeding: an interrupted seed leaves an incomplete, still recognisable dataset. */
  complete: boolean;
  seededAt: Date;
}

export type WriteOwnership =
  { kind: 'embedded' } | { kind: 'empty' } | { kind: 'seeded'; marker: DatasetMarker } | { kind: 'explicitly-allowed' };

export interface WriteGuardOptions {
  /** The command, for the refusal message ("seed", "bench", "indexes apply"). */
  command: string;
  /** --allow-remote-writes: a non-loopback target may be written to. */
  allowRemoteWrites: boolean;
  /** --allow-writes-to <db>: this exact database may be written to although indexgate did not seed it. */
  allowWritesTo?: string | undefined;
}

/**
 * Decides, before anything is written, whether a command may write to the target:
 * the embedded server always; a --uri database only if it is on this machine (or
 * --allow-remote-writes) and is empty or was seeded by indexgate (or the user named it
 * with --allow-writes-to). Throws SafetyRefusal otherwise. Reads only.
 */
export async function assertWritable(target: Target, options: WriteGuardOptions): Promise<WriteOwnership> {
  if (target.kind === 'embedded') return { kind: 'embedded' };
  if (!target.loopback && !options.allowRemoteWrites) {
    throw new SafetyRefusal(
      target.dbName,
      `${target.display} is not on this machine; "${options.command}" writes, so pass --allow-remote-writes if you really mean it`,
    );
  }
  const marker = await readMarker(target.db);
  if (marker) return { kind: 'seeded', marker };
  const names = await userCollections(target.db);
  if (names.length === 0) return { kind: 'empty' };
  if (options.allowWritesTo !== undefined) {
    if (options.allowWritesTo === target.dbName) return { kind: 'explicitly-allowed' };
    throw new SafetyRefusal(target.dbName, `--allow-writes-to names "${options.allowWritesTo}", not this database`);
  }
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  throw new SafetyRefusal(
    target.dbName,
    `it holds collections indexgate did not create (${shown}); use an empty database or one indexgate seeded`,
  );
}

export async function readMarker(db: Db): Promise<DatasetMarker | undefined> {
  const doc = await db.collection<DatasetMarker>(markerCollection).findOne({ _id: markerId });
  return doc && doc.tool === 'indexgate' ? doc : undefined;
}

export async function writeMarker(db: Db, marker: Omit<DatasetMarker, '_id' | 'tool'>): Promise<void> {
  await db.collection<DatasetMarker>(markerCollection).replaceOne({ _id: markerId }, { tool: 'indexgate', ...marker }, { upsert: true });
}

/**
 * The remote-writes rail, checked before connecting: a writing command whose --uri names
 * a host that is not this machine needs --allow-remote-writes.
 */
export function assertRemoteWritesAllowed(uri: TargetUri | undefined, database: string, command: string, allowRemoteWrites: boolean): void {
  if (uri && !uri.loopback && !allowRemoteWrites) {
    throw new SafetyRefusal(
      database,
      `${uri.redacted} is not on this machine; "${command}" writes, so pass --allow-remote-writes if you really mean it`,
    );
  }
}

/** Collection names other than system collections. */
export async function userCollections(db: Db): Promise<string[]> {
  const list = await db.listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray();
  return list
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.'))
    .sort();
}

/**
 * Makes the target database ready to be seeded: it must be writable (see assertWritable);
 * a database indexgate seeded before is replaced only with `drop` (--drop). Returns
 * whether a previous dataset was dropped.
 */
export async function claimForSeeding(
  target: Target,
  options: WriteGuardOptions & { drop: boolean },
): Promise<{ replaced: DatasetMarker | undefined }> {
  const ownership = await assertWritable(target, options);
  if (ownership.kind === 'explicitly-allowed') {
    throw new SafetyRefusal(target.dbName, `"${options.command}" only seeds an empty database or one indexgate seeded`);
  }
  if (ownership.kind !== 'seeded') return { replaced: undefined };
  const { marker } = ownership;
  if (!options.drop) {
    const when = marker.seededAt instanceof Date ? marker.seededAt.toISOString().slice(0, 16).replace('T', ' ') : 'earlier';
    throw new SafetyRefusal(
      target.dbName,
      `it already holds an indexgate dataset (scale ${marker.scale}, seed ${marker.seed}, seeded ${when}${marker.complete === false ? ', incomplete' : ''}); pass --drop to replace it`,
    );
  }
  await target.db.dropDatabase();
  return { replaced: marker };
}
