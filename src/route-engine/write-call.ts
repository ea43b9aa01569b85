import { BSON, type Db, type Document, ObjectId } from 'mongodb';
import { IndexgateError } from '../errors.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { WriteTransport } from '../prisma/write.js';
import type { ParamValue, Route, RouteContext } from '../route.js';
import { OverLimit } from '../prisma/read.js';
import { Recorder } from './recorder.js';
import { baseContext } from './call.js';
import { RouteFileError } from './route-file-error.js';
import type { WriteEffect } from '../indexing/write-keys.js';

/**
 * One call of a write route for one user: its reads recorded as a read route's are, its
 * writes sent as Prisma sends them, each timed; and what undoes them (the ids it inserted,
 * the documents it changed as they were before), kept out of its time.
 */

export interface WriteStepRun {
  readonly step: string;
  readonly kind: 'read' | 'insert' | 'update';
  readonly collection: string;
  readonly ms: number;
}

export interface WriteUndo {
  readonly inserted: { readonly collection: string; readonly id: ObjectId }[];
  /** Each changed document as it was before the call's first change to it. */
  readonly preImages: { readonly collection: string; readonly doc: Document }[];
}

export interface WriteCall {
  /** The whole call (its reads, writes and the client's own work), indexgate's undo bookkeeping left out, ms. */
  readonly totalMs: number;
  readonly steps: readonly WriteStepRun[];
  readonly undo: WriteUndo;
  /** What each write did (`options.effects`): the document inserted, or the documents an update changed, before and after it. */
  readonly effects: readonly WriteEffect[];
  /** A read of the call reached the limit (its step): the call stopped there, `totalMs` is a lower bound, what it wrote is still undone by the caller. */
  readonly overLimit?: string;
}

export interface WriteCallInput {
  readonly user: { readonly id: string; readonly class: string };
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly membership: Readonly<Record<string, unknown>>;
  /** What the route's `target` found for this membership (routes with one). */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** Runs a write route once; the caller undoes it (`undoWrites`) before anything else reads the data. */
export async function callWriteRoute(
  db: Db,
  dm: DataModel,
  route: Route,
  input: WriteCallInput,
  options: { maxTimeMS: number; effects?: boolean },
): Promise<WriteCall> {
  const undo: WriteUndo = { inserted: [], preImages: [] };
  const effects: WriteEffect[] = [];
  const writeSteps: WriteStepRun[] = [];
  // The order steps were answered in (a route's calls are awaited one by one: the order it sent them).
  const order: string[] = [];
  const seen = new Set<string>();
  let untimedMs = 0;
  const timed = async (step: string, kind: 'insert' | 'update', collection: string, send: () => Promise<unknown>) => {
    const started = performance.now();
    await send();
    writeSteps.push({ step, kind, collection, ms: performance.now() - started });
    order.push(step);
  };
  const writes: WriteTransport = {
    insertOne: ({ step, collection, doc }) =>
      timed(step, 'insert', collection, async () => {
        undo.inserted.push({ collection, id: doc._id as ObjectId });
        if (options.effects) effects.push({ kind: 'insert', step, collection, doc: { ...doc } });
        await db.collection(collection).insertOne(doc);
      }),
    async updateMany({ step, collection, ids, update }) {
      const started = performance.now();
      const before = await db
        .collection(collection)
        .find({ _id: { $in: [...ids] } })
        .toArray();
      for (const doc of before) {
        const key = `${collection}/${String(doc._id)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        undo.preImages.push({ collection, doc });
      }
      untimedMs += performance.now() - started;
      await timed(step, 'update', collection, () => db.collection(collection).updateMany({ _id: { $in: [...ids] } }, update));
      if (options.effects) {
        // The documents after the update (untimed): which index keys it changed is their keys against the pre-images'.
        const readAfter = performance.now();
        const after = await db
          .collection(collection)
          .find({ _id: { $in: [...ids] } })
          .toArray();
        untimedMs += performance.now() - readAfter;
        effects.push({ kind: 'update', step, collection, before, after });
      }
    },
  };
  const recorder = new Recorder(db, { maxTimeMS: options.maxTimeMS, writes, onDocuments: (step) => order.push(step) });
  const ctx: RouteContext = {
    ...baseContext(dm, recorder, db.databaseName, input),
    membership: input.membership,
    ...(input.target ? { target: input.target } : {}),
    phase: async (_name, fn) => fn(),
  };
  const started = performance.now();
  let overLimit: string | undefined;
  try {
    await route.run(ctx);
  } catch (error) {
    // A command over the limit ends the call, as it ends a read route's: that is a measurement, not the route's error (the
    // caller undoes what it wrote). Anything else is the route's error, its writes undone here.
    if (error instanceof OverLimit) overLimit = error.step;
    else {
      await undoWrites(db, undo);
      if (error instanceof RouteFileError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new RouteFileError(
        route.file,
        error instanceof IndexgateError ? message : `its code threw for user ${input.user.id}: ${message}`,
        { cause: error },
      );
    }
  } finally {
    await recorder.idle();
  }
  const totalMs = performance.now() - started - recorder.overheadMs - untimedMs;
  const reads = [...recorder.runs.values()].map((r) => ({ step: r.step, kind: 'read' as const, collection: r.collection, ms: r.ms }));
  const steps = [...reads, ...writeSteps];
  const rank = (step: string) => order.indexOf(step);
  return {
    totalMs,
    steps: steps.sort((a, b) => rank(a.step) - rank(b.step)),
    undo,
    effects,
    ...(overLimit === undefined ? {} : { overLimit }),
  };
}

/** Puts the data back: the inserted documents deleted, the changed ones replaced by what they were (last change first). */
export async function undoWrites(db: Db, undo: WriteUndo): Promise<void> {
  for (const { collection, id } of [...undo.inserted].reverse()) await db.collection(collection).deleteOne({ _id: id });
  for (const { collection, doc } of [...undo.preImages].reverse()) await db.collection(collection).replaceOne({ _id: doc._id }, doc);
}

/** Whether the data is as it was: no inserted id left, every changed document byte for byte its pre-image. Read-only. */
export async function isUndone(db: Db, undo: WriteUndo): Promise<boolean> {
  for (const { collection, id } of undo.inserted) if ((await db.collection(collection).countDocuments({ _id: id })) > 0) return false;
  for (const { collection, doc } of undo.preImages) {
    const now = await db.collection(collection).findOne({ _id: doc._id });
    if (!now || !Buffer.from(BSON.serialize(now)).equals(Buffer.from(BSON.serialize(doc)))) return false;
  }
  return true;
}

/** A membership as a write route receives it: Prisma's way of returning ids (hex strings). */
export function asRecord(doc: Document): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, v instanceof ObjectId ? v.toHexString() : v]));
}
