import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
  /**
   * A full garbage collection whenever V8's heap holds more than this many megabytes
   * (checked every 10,000 documents; the bound rises to 1.5 × what survives a collection
   * if that is more). 0 leaves it to V8.
   */
  heapLimitMb?: number;
  /**
   * Insert each batch's documents in reverse order: the same data in another physical order
   * (record ids), for the tests that prove every fact indexgate reports is independent of it.
   */
  reverseBatches?: boolean;
}

export const defaultLoaderOptions = { batchSize: 1000, maxInFlight: 4, heapLimitMb: 96 } as const;
const heapCheckEvery = 10_000;
const mb = 1024 * 1024;

/**
 * V8's full collector, without starting Node with --expose-gc: the flag is set, and the
 * function read from a fresh context, whose global alone gets `gc`.
 *
 * Why the loader calls it: each document lives from its generation to its batch's
 * acknowledgement, long enough to be promoted out of the young generation, so the old
 * generation fills with dead documents, and V8 lets it grow with the run before it
 * collects: the seeder's peak RSS was 389 MB at `large` against 243 MB at `medium`
 * (`npm run bench:seed`). Collecting whenever the heap passes `heapLimitMb` keeps the
 * footprint near the live set whatever the scale (see docs/measurements/).
 */
function fullCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface LoadStats {
  readonly counts: Record<string, number>;
  readonly docs: number;
  readonly ms: number;
}

/**
 * Streams documents into unordered bulk inserts, one buffer per collection, with at most
 * `maxInFlight` batches in flight. Live memory is bounded by (maxInFlight + collections)
 * × batchSize documents, whatever the total, and a full collection whenever the heap
 * passes `heapLimitMb` keeps the process's footprint near that (see `fullCollector`). Collections must exist beforehand (creating
 * one implicitly from concurrent inserts crashes mongod under Wine).
 */
export async function loadDocuments(db: Db, docs: Iterable<readonly [string, Document]>, options: LoaderOptions): Promise<LoadStats> {
  const started = performance.now();
  const buffers = new Map<string, Document[]>();
  const counts: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let inserted = 0;
  let generated = 0;
  const heapLimit = (options.heapLimitMb ?? defaultLoaderOptions.heapLimitMb) * mb;
  const collect = heapLimit > 0 ? fullCollector() : undefined;
  let collectAbove = heapLimit;

  const send = async (collection: string, batch: Document[]): Promise<void> => {
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    if (failure) throw failure;
    throwIfAborted(options.signal);
    const insert = db
      .collection(collection)
      .insertMany(options.reverseBatches ? batch.reverse() : batch, { ordered: false })
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
    if (collect && ++generated % heapCheckEvery === 0 && getHeapStatistics().used_heap_size > collectAbove) {
      collect();
      collectAbove = Math.max(heapLimit, 1.5 * getHeapStatistics().used_heap_size);
    }
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
