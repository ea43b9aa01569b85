import type { Db, Document } from 'mongodb';
import { profileProbabilities, type Quantiles, quantilesOfHistogram } from '../data/quantiles.js';

/**
 * Quantiles of one numeric expression over a collection, computed on the server: only
 * numbers leave it (a histogram of at most `exactUpTo` distinct values, or a handful of
 * quantiles), never a document.
 *
 * - Few distinct values (counts, lengths, small integers, enums' sizes): `$group` by value,
 *   the histogram comes back and the type-7 quantiles are exact (`quantilesOfHistogram`).
 * - Many (prices, timestamps): MongoDB 7.0's `$percentile` accumulator with
 *   `method: 'approximate'` (a t-digest; "the approximate method … may differ from the exact
 *   value", https://www.mongodb.com/docs/manual/reference/operator/aggregation/percentile/),
 *   with the exact `$min`/`$max` at p = 0 and 1. It returns an observed value at each rank
 *   rather than an interpolated one, which at the thousands of values this path sees is the
 *   same to well under 1%.
 * - Older servers: `$bucketAuto` into `fallbackBuckets` buckets of equal counts, each with its
 *   count, minimum and maximum (https://www.mongodb.com/docs/manual/reference/operator/aggregation/bucketAuto/);
 *   a quantile is interpolated inside its bucket, so it is off by at most a bucket's width
 *   (1/1000 of the values).
 */
export interface ReadContext {
  readonly db: Db;
  readonly serverVersion: string;
  readonly signal?: AbortSignal | undefined;
}

/** Beyond this many distinct values a distribution is approximated, not histogrammed. */
export const exactUpTo = 2_000;
const fallbackBuckets = 1_000;
/** The most values the exact tail brings back. */
const tailValues = 10_000;

export async function aggregate(context: ReadContext, collection: string, pipeline: Document[]): Promise<Document[]> {
  context.signal?.throwIfAborted();
  return context.db
    .collection(collection)
    .aggregate(pipeline, { allowDiskUse: true, ...(context.signal ? { signal: context.signal } : {}) })
    .toArray();
}

/** The major version of a server version string ("7.0.15" → 7). */
export function majorVersion(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '0', 10) || 0;
}

/** `$percentile` exists from MongoDB 7.0 (and the 6.3 rapid release). */
const hasPercentile = (version: string) => majorVersion(version) >= 7;

const empty = (): Quantiles => quantilesOfHistogram(new Map());

/** A histogram's rows (`_id` the value, `c` how many) as quantiles. */
export function histogramQuantiles(rows: readonly Document[]): Quantiles {
  const histogram = new Map<number, number>();
  for (const r of rows) {
    const v = Number(r._id);
    histogram.set(v, (histogram.get(v) ?? 0) + Number(r.c));
  }
  return quantilesOfHistogram(histogram);
}

/**
 * The quantiles of `value` (an aggregation expression yielding a number) over the documents
 * `prefix` leaves; documents where it is not a number are not counted.
 */
export async function serverQuantiles(
  context: ReadContext,
  collection: string,
  prefix: Document[],
  value: Document | string,
): Promise<Quantiles> {
  const numeric: Document[] = [...prefix, { $project: { _id: 0, v: value } }, { $match: { v: { $type: 'number' } } }];
  const rows = await aggregate(context, collection, [...numeric, { $group: { _id: '$v', c: { $sum: 1 } } }, { $limit: exactUpTo + 1 }]);
  if (rows.length <= exactUpTo) return histogramQuantiles(rows);
  return exactTail(context, collection, numeric, await approximate(context, collection, numeric));
}

async function approximate(context: ReadContext, collection: string, numeric: Document[]): Promise<Quantiles> {
  if (hasPercentile(context.serverVersion)) {
    try {
      return await percentiles(context, collection, numeric);
    } catch (error) {
      // A server that calls itself 7.x but refuses the accumulator (a proxy, an API-strict user): fall back.
      if (!(error instanceof Error) || !/percentile/i.test(error.message)) throw error;
    }
  }
  return bucketQuantiles(context, collection, numeric);
}

/**
 * The top of a heavy tail exactly: where the values thin out, an approximation at p = 99.9%
 * can miss by several % (a digest's or a bucket's value against type-7 interpolation between
 * the few largest values). The largest 1% (at most `tailValues`) come back as numbers from a
 * top-k sort (`$sort` + `$limit` keep only k values in memory,
 * https://www.mongodb.com/docs/manual/reference/operator/aggregation/sort/#-sort-operator-and-memory),
 * and every quantile they reach is replaced by the exact one.
 */
async function exactTail(context: ReadContext, collection: string, numeric: Document[], approximated: Quantiles): Promise<Quantiles> {
  const n = approximated.n;
  const k = Math.min(tailValues, Math.ceil(0.01 * (n - 1)) + 2);
  const top = (await aggregate(context, collection, [...numeric, { $sort: { v: -1 } }, { $limit: k }])).map((r) => Number(r.v));
  const q = profileProbabilities.map((p, i) => {
    const fromTop = (1 - p) * (n - 1);
    const [a, b] = [top[Math.ceil(fromTop)], top[Math.floor(fromTop)]];
    if (a === undefined || b === undefined) return approximated.q[i] ?? 0;
    return a + (b - a) * (Math.ceil(fromTop) - fromTop);
  });
  for (let i = 1; i < q.length; i++) q[i] = Math.max(q[i] ?? 0, q[i - 1] ?? 0);
  return { ...approximated, q };
}

async function percentiles(context: ReadContext, collection: string, numeric: Document[]): Promise<Quantiles> {
  const inner = profileProbabilities.slice(1, -1);
  const [row] = await aggregate(context, collection, [
    ...numeric,
    {
      $group: {
        _id: null,
        n: { $sum: 1 },
        sum: { $sum: '$v' },
        min: { $min: '$v' },
        max: { $max: '$v' },
        q: { $percentile: { input: '$v', p: [...inner], method: 'approximate' } },
      },
    },
  ]);
  if (!row) return empty();
  const q = [Number(row.min), ...(row.q as unknown[]).map(Number), Number(row.max)];
  return { n: Number(row.n), sum: Number(row.sum), q };
}

async function bucketQuantiles(context: ReadContext, collection: string, numeric: Document[]): Promise<Quantiles> {
  const buckets = await aggregate(context, collection, [
    ...numeric,
    {
      $bucketAuto: {
        groupBy: '$v',
        buckets: fallbackBuckets,
        output: { c: { $sum: 1 }, s: { $sum: '$v' }, lo: { $min: '$v' }, hi: { $max: '$v' } },
      },
    },
    { $project: { _id: 0, c: 1, s: 1, lo: 1, hi: 1 } },
  ]);
  const parts = buckets.map((b) => ({ c: Number(b.c), s: Number(b.s), lo: Number(b.lo), hi: Number(b.hi) })).sort((a, b) => a.lo - b.lo);
  const n = parts.reduce((t, b) => t + b.c, 0);
  if (n === 0) return empty();
  const sum = parts.reduce((t, b) => t + b.s, 0);
  const atRank = (rank: number): number => {
    let start = 0;
    for (const b of parts) {
      if (rank < start + b.c) return b.c <= 1 ? b.lo : b.lo + ((b.hi - b.lo) * (rank - start)) / (b.c - 1);
      start += b.c;
    }
    return parts[parts.length - 1]?.hi ?? 0;
  };
  return { n, sum, q: profileProbabilities.map((p) => atRank(p * (n - 1))) };
}
