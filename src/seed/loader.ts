import type { Db, Document } from 'mongodb';
import { throwIfAborted } from '../errors.js';

export interface LoaderOptions {
  /** Documents per insertMany. */
  batchSize: number;
  /** insertMany calls awaiting the server at once: bounds memory and keeps the server busy. */
  maxInFlight: number;
  signal?: AbortSignal | undefined;
  /** Called after each acknowledged batch with the running total. */
  onProgress?: (inserted: number) => void;
}

export const defaultLoaderOptions = { batchSize: 1000, maxInFlight: 4 } as const;

export interface LoadStats {
  readonly counts: Record<string, number>;
  readonly docs: number;
  readonly ms: number;
}

/**
 * Streams documents into unordered bulk inserts, one buffer per collection, with at most
 * `maxInFlight` batches in flight. Memory is bounded by (maxInFlight + collections) ×
 * batchSize documents, whatever the total. Collections must exist beforehand (creating
 * one implicitly from concurrent inserts crashes mongod under Wine).
 */
export async function loadDocuments(db: Db, docs: Iterable<readonly [string, Document]>, options: LoaderOptions): Promise<LoadStats> {
  const started = performance.now();
  const buffers = new Map<string, Document[]>();
  const counts: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let inserted = 0;

  const send = async (collection: string, batch: Document[]): Promise<void> => {
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    if (failure) throw failure;
    throwIfAborted(options.signal);
    const insert = db
      .collection(collection)
      .insertMany(batch, { ordered: false })
      .then(
        () => {
          inserted += batch.length;
          options.onProgress?.(inserted);
        },
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => inFlight.delete(insert));
    inFlight.add(insert);
  };

  for (const [collection, doc] of docs) {
    let buffer = buffers.get(collection);
    if (!buffer) {
      buffer = [];
      buffers.set(collection, buffer);
    }
    buffer.push(doc);
    counts[collection] = (counts[collection] ?? 0) + 1;
    if (buffer.length >= options.batchSize) {
      buffers.set(collection, []);
      await send(collection, buffer);
    }
  }
  for (const [collection, buffer] of buffers) if (buffer.length > 0) await send(collection, buffer);
  await Promise.all(inFlight);
  if (failure) throw failure;
  const docCount = Object.values(counts).reduce((a, b) => a + b, 0);
  return { counts, docs: docCount, ms: performance.now() - started };
}
