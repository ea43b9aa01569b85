import type { Db, Document } from 'mongodb';
import type { IndexOutcome } from './apply.js';
import type { RouteIndexKeys, WriteAttribution } from './write-keys.js';

/**
 * What an index set costs and whether each index earns it: each index's size on disk
 * (`$collStats` `storageStats.indexSizes`), the collections' data and index sizes and the
 * WiredTiger cache beside them, and per index of the set what used it after it was built,
 * what already has its key, and a verdict. Its share of the write cost is attributed from the
 * write routes' writes (src/indexing/write-keys.ts, bench only).
 */

type Key = Readonly<Record<string, 1 | -1 | number | string>>;

export interface ExistingIndex {
  readonly collection: string;
  readonly name: string;
  readonly key: Key;
}

export interface CollectionSize {
  readonly collection: string;
  /** Documents' size, uncompressed (`storageStats.size`), bytes. */
  readonly dataBytes: number;
  /** Every index of the collection on disk (`storageStats.totalIndexSize`), bytes. */
  readonly indexBytes: number;
}

export interface Redundancy {
  /** The index (of the baseline or of the set) that makes this one unneeded. */
  readonly name: string;
  readonly reason:
    | 'same key'
    | 'same key walked backwards'
    | 'a prefix of it'
    | 'same fields, other directions: the queries chose it'
    /** The index hidden, the commands that used it explained again chose `name` and lost nothing (src/indexing/needed.ts). */
    | 'the queries chose it when hidden';
}

export type IndexVerdict = 'needed' | 'used' | 'redundant' | 'unused' | 'not built';

/** One command (for one user class) explained again with the index hidden: whether it lost its plan. */
export interface HiddenEffect {
  /** The `usedBy` entry: `route <id> <step>` or `pattern <id>`. */
  readonly by: string;
  readonly userClass: string;
  /** It lost its plan without the index (a collection scan, a blocking sort, over the limit, or past the work rule). */
  readonly lost: boolean;
  /** How, in words: what appeared, or the work with and without it and the index that served it instead. */
  readonly why: string;
  /** Keys + documents examined with the index and without it; null where that side did not finish within the command limit. */
  readonly work: { readonly with: number | null; readonly without: number | null };
  /** The index of the same collection the plan used without it (null: none). */
  readonly switchedTo: string | null;
}

/** How `needed` was judged (bench: each used index hidden in turn), or why it was not (verify: read-only). */
export type NeededCheck =
  | {
      readonly checked: true;
      /** Commands explained again with an index hidden, and the time it took (also `timings.needed`). */
      readonly explains: number;
      readonly ms: number;
      /** More work counts as a lost plan past `factor` times and by at least `floor` keys + documents. */
      readonly rule: { readonly factor: number; readonly floor: number };
      /** The command limit each explain had (ms). */
      readonly limitMs: number;
    }
  | { readonly checked: false; readonly reason: string };

export interface IndexPrice {
  readonly name: string;
  readonly collection: string;
  /** The name the server knows it by (another index of the same key, for `equivalent`). */
  readonly serverName: string;
  /** On disk, bytes; null when the server does not hold it (missing, or a key conflict). */
  readonly sizeBytes: number | null;
  /** What used it after the set was built: `route <id> <step>` and `pattern <id>`, each once. */
  readonly usedBy: readonly string[];
  readonly redundantWith?: Redundancy;
  /**
   * `redundant`: another index has its key (or walks it backwards, or starts with it), or,
   * hidden, the commands that used it chose another and lost nothing; `unused`: nothing
   * measured used it; `needed`: hidden, a command that used it lost its plan (`neededBy`);
   * `used`: something used it, and whether it would lose its plan was not checked (verify is
   * read-only) or no other index served it as well nor did it lose its plan. `not built`: the server does not hold it
   * (missing, or a key conflict).
   */
  readonly verdict: IndexVerdict;
  /** `needed`: the `usedBy` entries that lost their plan with it hidden. */
  readonly neededBy?: readonly string[];
  /** The evidence, where it was hidden: each command that used it, explained again without it. */
  readonly whenHidden?: readonly HiddenEffect[];
  /** bench: the keys it receives per call of each write route (inserted, deleted), derived from what each write did. */
  readonly writeKeys?: readonly RouteIndexKeys[];
  /** bench: its fraction of the set's extra keys (`IndexSetPrice.writes.shareOf`); null where it adds none by definition or could not be derived. */
  readonly writeShare?: number | null;
}

export interface LoadSide {
  readonly samplesMs: number[];
  readonly medianMs: number | null;
}

/** `price.duringBuild`: the reader's samples before and during the build, and the slowdown. */
export type DuringBuild =
  | {
      readonly state: 'measured';
      readonly kind: 'route' | 'patterns';
      readonly workload: string;
      readonly why: string;
      readonly before: LoadSide;
      /** Calls that started and ended while the set was being built (the one the build's end cut across is not counted). */
      readonly during: LoadSide;
      /** The build's wall time with the reader running, ms (each index's own is `indexes[].buildMs`). */
      readonly buildMs: number;
      readonly slowdown:
        | { state: 'measured'; ratio: number; ciLow: number; ciHigh: number; confidence: number; method: string }
        | { state: 'insufficient'; ratio?: number; reason: string };
      /** The reader's own errors (a call that failed or reached its limit ends its sampling): reported, never thrown past the build. */
      readonly errors: readonly string[];
    }
  | { readonly state: 'not measured'; readonly why: string };

export interface IndexSetPrice {
  /** WiredTiger cache size of the server (configured, or MongoDB's default from its RAM), bytes; null when unknown. */
  readonly cacheBytes: number | null;
  /** Whose cache: the target's own, or MongoDB's default cache of a server with `--ram-gb` of memory. */
  readonly cacheOf: { readonly kind: 'target' } | { readonly kind: 'ram-gb'; readonly ramGb: number };
  /**
   * Whether every index of these collections (the set and the others: the working set a read
   * path keeps hot) fits in that cache, by their size on disk (an index keeps its prefix
   * compression in the cache, so the two are close); null when the cache size is unknown.
   */
  readonly indexesFitCache: boolean | null;
  readonly collections: readonly CollectionSize[];
  /** The set's indexes on disk, together, bytes (those the server holds). */
  readonly setBytes: number;
  readonly indexes: readonly IndexPrice[];
  /** How `needed` was judged, or why not; absent: not checked. */
  readonly neededCheck?: NeededCheck;
  /** bench: the write keys attributed to the set's indexes, checked against the profiler's count per route and collection. */
  readonly writes?: WriteAttribution;
  /** bench: what a concurrent read workload did while the set was built, against the same workload just before (src/run/build-load.ts). */
  readonly duringBuild?: DuringBuild;
}

export interface Sizes {
  readonly cacheBytes: number | null;
  readonly collections: readonly CollectionSize[];
  /** `${collection}.${index name}` → bytes on disk. */
  readonly indexBytes: ReadonlyMap<string, number>;
  readonly existing: readonly ExistingIndex[];
}

/** Sizes and index lists of `collections`, read-only (`$collStats`, `listIndexes`, `serverStatus`). */
export async function readSizes(db: Db, collections: readonly string[]): Promise<Sizes> {
  const sizes: CollectionSize[] = [];
  const indexBytes = new Map<string, number>();
  const existing: ExistingIndex[] = [];
  for (const collection of [...new Set(collections)]) {
    const [stats] = await db
      .collection(collection)
      .aggregate<Document>([{ $collStats: { storageStats: {} } }])
      .toArray();
    const storage = (stats?.storageStats ?? {}) as Document;
    sizes.push({ collection, dataBytes: Number(storage.size ?? 0), indexBytes: Number(storage.totalIndexSize ?? 0) });
    for (const [name, bytes] of Object.entries((storage.indexSizes ?? {}) as Record<string, number>))
      indexBytes.set(`${collection}.${name}`, Number(bytes));
    for (const ix of await db.collection(collection).listIndexes().toArray())
      existing.push({ collection, name: String(ix.name), key: ix.key as Key });
  }
  return { cacheBytes: await cacheSize(db), collections: sizes, indexBytes, existing };
}

const gib = 1024 ** 3;
const mib = 1024 ** 2;

/**
 * The WiredTiger cache size: `storage.wiredTiger.engineConfig.cacheSizeGB` where the server was
 * started with it (`getCmdLineOpts`), else MongoDB's documented default, the larger of 50% of
 * (RAM − 1 GB) and 256 MB (docs: "WiredTiger Storage Engine › Memory Use"), from `hostInfo`'s
 * memory limit. Not `serverStatus.wiredTiger`: that section crashes the Windows mongod 7.0.15
 * under Wine (seen here: the connection closes and the server is gone). Null when the user may
 * not run these commands.
 */
async function cacheSize(db: Db): Promise<number | null> {
  try {
    const options = await db.admin().command({ getCmdLineOpts: 1 });
    const configured = (options.parsed as Document | undefined)?.storage?.wiredTiger?.engineConfig?.cacheSizeGB;
    if (typeof configured === 'number') return Math.round(configured * gib);
    const host = await db.admin().command({ hostInfo: 1 });
    const memMB = Number(host.system?.memLimitMB ?? host.system?.memSizeMB);
    if (!Number.isFinite(memMB) || memMB <= 0) return null;
    return defaultCacheBytes(memMB);
  } catch {
    return null;
  }
}

/** MongoDB's default WiredTiger cache on a server with `memMB` of memory: the larger of 50% of (RAM − 1 GB) and 256 MB. */
export function defaultCacheBytes(memMB: number): number {
  return Math.max(256 * mib, Math.round(0.5 * (memMB - 1024) * mib));
}

/**
 * How `other` (same collection) covers `key`, if it does: the same key; the same key walked
 * backwards (every direction reversed); `key` a prefix of it (directions all the same or all
 * reversed); or the same fields with other directions, which serves the same queries only
 * where the fields whose direction differs are matched by equality (priceIndexes counts it
 * only when the queries measured chose `other` and never `key`).
 */
export function redundancy(
  key: Key,
  other: Key,
): Exclude<Redundancy['reason'], 'same fields, other directions: the queries chose it'> | 'same fields, other directions' | undefined {
  const mine = Object.entries(key);
  const theirs = Object.entries(other);
  if (mine.length === 0 || mine.length > theirs.length) return undefined;
  const sameFields = mine.every(([f], i) => theirs[i]?.[0] === f);
  if (!sameFields) return undefined;
  const direction = (v: unknown) => (v === -1 ? -1 : v === 1 ? 1 : undefined);
  // Only plain ascending/descending keys compare (not text, 2dsphere, hashed…).
  if (mine.some(([, v]) => direction(v) === undefined) || theirs.slice(0, mine.length).some(([, v]) => direction(v) === undefined))
    return undefined;
  const same = mine.every(([, v], i) => direction(v) === direction(theirs[i]?.[1]));
  const reversed = mine.every(([, v], i) => direction(v) === -(direction(theirs[i]?.[1]) ?? 0));
  if (!same && !reversed) return mine.length === theirs.length ? 'same fields, other directions' : undefined;
  if (mine.length < theirs.length) return 'a prefix of it';
  return same ? 'same key' : 'same key walked backwards';
}

/** What used each index: `route <id> <step>` for route commands after the set, `pattern <id>` for query patterns. */
export interface IndexUse {
  readonly collection: string;
  readonly indexesUsed: readonly string[];
  readonly by: string;
}

/**
 * Each index of the set priced and judged: its size, what used it, what makes it redundant
 * (an index of the baseline first, then another index of the set; `_id_` never does), and a verdict.
 */
export function priceIndexes(
  set: readonly IndexOutcome[],
  sizes: Sizes,
  uses: readonly IndexUse[],
  options: { readonly ramGb?: number | undefined } = {},
): IndexSetPrice {
  const setServerNames = new Set(set.map((ix) => `${ix.collection}.${ix.existingName ?? ix.name}`));
  const indexes = set.map((ix): IndexPrice => {
    const serverName = ix.existingName ?? ix.name;
    const held = sizes.existing.find((e) => e.collection === ix.collection && e.name === serverName);
    const sizeBytes = held ? (sizes.indexBytes.get(`${ix.collection}.${serverName}`) ?? null) : null;
    const usedBy = [...new Set(uses.filter((u) => u.collection === ix.collection && u.indexesUsed.includes(serverName)).map((u) => u.by))];
    const others = sizes.existing.filter((e) => e.collection === ix.collection && e.name !== serverName && e.name !== '_id_');
    // The baseline's indexes first (they are there anyway), then the set's own.
    const ordered = [
      ...others.filter((e) => !setServerNames.has(`${e.collection}.${e.name}`)),
      ...others.filter((e) => setServerNames.has(`${e.collection}.${e.name}`)),
    ];
    let redundantWith: Redundancy | undefined;
    if (ix.status === 'equivalent' && ix.existingName) redundantWith = { name: ix.existingName, reason: 'same key' };
    for (const other of ordered) {
      if (redundantWith) break;
      const reason = redundancy(ix.key, other.key);
      // Two indexes of the set with the same key: only the second is redundant (the first is kept).
      if (reason && reason !== 'a prefix of it' && setServerNames.has(`${other.collection}.${other.name}`)) {
        const mineAt = set.findIndex((s) => s.name === ix.name);
        const theirsAt = set.findIndex((s) => (s.existingName ?? s.name) === other.name && s.collection === other.collection);
        if (theirsAt > mineAt) continue;
      }
      if (reason === 'same fields, other directions') {
        // Only on the evidence: nothing measured chose this index, and what it was meant for chose the other.
        const otherServed = uses.some((u) => u.collection === ix.collection && u.indexesUsed.includes(other.name));
        if (usedBy.length === 0 && otherServed)
          redundantWith = { name: other.name, reason: 'same fields, other directions: the queries chose it' };
        continue;
      }
      if (reason) redundantWith = { name: other.name, reason };
    }
    const verdict: IndexVerdict = !held ? 'not built' : redundantWith ? 'redundant' : usedBy.length > 0 ? 'used' : 'unused';
    return {
      name: ix.name,
      collection: ix.collection,
      serverName,
      sizeBytes,
      usedBy,
      ...(redundantWith ? { redundantWith } : {}),
      verdict,
    };
  });
  const counted = new Set<string>();
  let setBytes = 0;
  for (const p of indexes) {
    const id = `${p.collection}.${p.serverName}`;
    if (p.sizeBytes === null || counted.has(id) || p.redundantWith?.reason === 'same key') continue;
    counted.add(id);
    setBytes += p.sizeBytes;
  }
  const cacheBytes = options.ramGb === undefined ? sizes.cacheBytes : defaultCacheBytes(options.ramGb * 1024);
  const allIndexes = sizes.collections.reduce((n, c) => n + c.indexBytes, 0);
  return {
    cacheBytes,
    cacheOf: options.ramGb === undefined ? { kind: 'target' } : { kind: 'ram-gb', ramGb: options.ramGb },
    indexesFitCache: cacheBytes === null ? null : allIndexes <= cacheBytes,
    collections: sizes.collections,
    setBytes,
    indexes,
  };
}
