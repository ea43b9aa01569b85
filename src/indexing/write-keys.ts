import { BSON, type Document } from 'mongodb';

/**
 * Which index each write's keys go to, derived from what the write did (pure): an insert
 * writes its document's keys into every index of its collection (one per distinct value of
 * an array field: a multikey index; none where the index's partial filter excludes the
 * document, or a sparse index where the document has none of its fields); an update writes
 * and deletes keys only in the indexes whose keys it changed (the document's keys before and
 * after, compared: a key that went is deleted, one that came is inserted), as the server does
 * (its update diffs each affected index's keys). The sum over the indexes a set added is then
 * checked against the server's own count (the profiler's `keysInserted` and `keysDeleted`),
 * never forced to it.
 */

type KeyValue = 1 | -1 | number | string;

export interface IndexKeyDef {
  readonly name: string;
  readonly collection: string;
  readonly key: Readonly<Record<string, KeyValue>>;
  readonly partialFilterExpression?: Document;
  readonly sparse?: boolean;
}

/** One write a call made, as it was sent and what it changed. */
export type WriteEffect =
  | { readonly kind: 'insert'; readonly step: string; readonly collection: string; readonly doc: Document }
  | {
      readonly kind: 'update';
      readonly step: string;
      readonly collection: string;
      /** The documents the update matched, as they were before it and after it (matched by `_id`). */
      readonly before: readonly Document[];
      readonly after: readonly Document[];
    };

/** The keys one index received: inserted and deleted; `unknown` says why they could not be derived (never guessed). */
export interface IndexKeysWritten {
  readonly name: string;
  readonly collection: string;
  readonly inserted: number;
  readonly deleted: number;
  readonly unknown?: string;
}

class Underivable extends Error {}

/** The values a dotted path reaches in a document, arrays expanded (an empty array indexes as `undefined`, a missing field as `null`). */
function pathValues(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
    return [value === undefined ? null : value];
  }
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head)) return pathValues(value[Number(head)], rest);
    const out = value.flatMap((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? pathValues(v, path) : []));
    return out.length === 0 ? [null] : out;
  }
  if (value === null || typeof value !== 'object') return [null];
  return pathValues((value as Document)[head], rest);
}

const marked = (v: unknown): unknown => (v === undefined ? { $undefined: true } : v);
/** A value (or a key's tuple of values) as a comparable string; `undefined` (an empty array's key) kept apart from `null`. */
const serialize = (v: unknown): string => BSON.EJSON.stringify({ v: Array.isArray(v) ? v.map(marked) : marked(v) }, { relaxed: false });

/** Whether a document has a value at `path` (a sparse index's test). */
function present(doc: Document, path: string): boolean {
  return pathValues(doc, path.split('.')).some((v) => v !== null);
}

/** A partial filter's test of one document: equality and the comparison operators a partial index accepts; anything else is underivable. */
function matches(doc: Document, filter: Document): boolean {
  return Object.entries(filter).every(([field, cond]) => {
    if (field === '$and') return (cond as Document[]).every((f) => matches(doc, f));
    if (field.startsWith('$')) throw new Underivable(`partial filter operator ${field}`);
    const values = pathValues(doc, field.split('.'));
    const isOps = cond !== null && typeof cond === 'object' && !Array.isArray(cond) && Object.keys(cond).every((k) => k.startsWith('$'));
    if (!isOps || cond instanceof Date) return values.some((v) => serialize(v) === serialize(cond));
    return Object.entries(cond as Document).every(([op, arg]) => {
      if (op === '$exists') return values.some((v) => v !== null) === Boolean(arg);
      if (op === '$eq') return values.some((v) => serialize(v) === serialize(arg));
      const cmp = (v: unknown): number | undefined => {
        if (typeof v === 'number' && typeof arg === 'number') return v - arg;
        if (typeof v === 'string' && typeof arg === 'string') return v < arg ? -1 : v > arg ? 1 : 0;
        if (v instanceof Date && arg instanceof Date) return v.getTime() - arg.getTime();
        return undefined; // other types never compare (MongoDB's type bracketing)
      };
      const test = { $gt: (c: number) => c > 0, $gte: (c: number) => c >= 0, $lt: (c: number) => c < 0, $lte: (c: number) => c <= 0 }[op];
      if (!test) throw new Underivable(`partial filter operator ${op}`);
      return values.some((v) => {
        const c = cmp(v);
        return c !== undefined && test(c);
      });
    });
  });
}

/** The distinct keys one document has in one index (a multikey index: one per array element), as comparable strings. */
export function indexKeysOf(doc: Document, index: IndexKeyDef): Set<string> {
  const fields = Object.entries(index.key);
  for (const [field, kind] of fields)
    if (kind !== 1 && kind !== -1 && kind !== 'hashed') throw new Underivable(`a ${String(kind)} key on ${field}`);
  if (index.partialFilterExpression && !matches(doc, index.partialFilterExpression)) return new Set();
  if (index.sparse && !fields.some(([f]) => present(doc, f))) return new Set();
  let tuples: unknown[][] = [[]];
  for (const [field] of fields) {
    const values = [...new Map(pathValues(doc, field.split('.')).map((v) => [serialize(v), v])).values()];
    tuples = tuples.flatMap((t) => values.map((v) => [...t, v]));
  }
  return new Set(tuples.map((t) => serialize(t)));
}

/** The keys each index received from a call's writes (in the order `indexes` lists them). */
export function attributeWriteKeys(effects: readonly WriteEffect[], indexes: readonly IndexKeyDef[]): IndexKeysWritten[] {
  return indexes.map((index) => {
    let inserted = 0;
    let deleted = 0;
    try {
      for (const e of effects) {
        if (e.collection !== index.collection) continue;
        if (e.kind === 'insert') {
          inserted += indexKeysOf(e.doc, index).size;
          continue;
        }
        for (const old of e.before) {
          const now = e.after.find((d) => serialize(d._id) === serialize(old._id));
          const was = indexKeysOf(old, index);
          const is = now ? indexKeysOf(now, index) : new Set<string>();
          for (const k of is) if (!was.has(k)) inserted++;
          for (const k of was) if (!is.has(k)) deleted++;
        }
      }
    } catch (error) {
      if (!(error instanceof Underivable)) throw error;
      return { name: index.name, collection: index.collection, inserted: 0, deleted: 0, unknown: error.message };
    }
    return { name: index.name, collection: index.collection, inserted, deleted };
  });
}

/** Keys written per call on one collection (inserted and deleted). */
export interface KeyCount {
  readonly inserted: number;
  readonly deleted: number;
}

/** One index's keys per call of one write route (the mean over the counted calls). */
export interface RouteIndexKeys extends KeyCount {
  readonly route: string;
  /** Why they could not be derived (a key kind or partial filter operator this does not model): the counts are then 0 and not summed. */
  readonly unknown?: string;
}

/** Per write route and collection: the extra keys the profiler measured, those attributed to the set's new indexes, and what is left. */
export interface CollectionAttribution {
  readonly collection: string;
  readonly measured: KeyCount;
  readonly attributed: KeyCount;
  /** measured − attributed: keys the derivation does not account for (negative: it attributes more than the server wrote). */
  readonly unattributed: KeyCount;
}

export interface RouteAttribution {
  readonly route: string;
  readonly collections: readonly CollectionAttribution[];
  /** Every collection's attribution sums to the profiler's extra keys, and no index of the set was underivable. */
  readonly matches: boolean;
}

export interface WriteAttribution {
  /** What `writeShare` is a fraction of. */
  readonly shareOf: string;
  /** The set's extra keys per call measured by the profiler, summed over one call of each write route (inserted + deleted). */
  readonly extraKeys: number;
  readonly routes: readonly RouteAttribution[];
}

/** An index of the set, as its build left it: only those the build created add keys the profiler counts as extra. */
export interface SetIndex extends IndexKeyDef {
  readonly status: string;
}

export interface RouteWrites {
  readonly route: string;
  /** Each counted call's writes, on the state with the set. */
  readonly effects: readonly (readonly WriteEffect[])[];
  /** The extra keys per call the profiler measured (after − before), per collection. */
  readonly extraKeys: readonly ({ readonly collection: string } & KeyCount)[];
}

const sum = (k: KeyCount) => k.inserted + k.deleted;

/**
 * Each index's keys per call of each write route, its share of the set's extra keys, and the
 * check of the attribution against the profiler, per route and collection. `writeShare` of an
 * index: its keys per call (inserted + deleted) summed over one call of each write route, over
 * the extra keys the profiler measured on the same calls; null for an index the build did not
 * create (it was there before: its keys are not extra), where the measured extra is 0, or where
 * its keys could not be derived.
 */
export function attributeSetWrites(
  routes: readonly RouteWrites[],
  set: readonly SetIndex[],
): { indexes: { name: string; collection: string; writeKeys: RouteIndexKeys[]; writeShare: number | null }[]; writes: WriteAttribution } {
  const perRoute = routes.map((r) => {
    const calls = r.effects.map((effects) => attributeWriteKeys(effects, set));
    const n = Math.max(1, calls.length);
    return set.map((ix, i): RouteIndexKeys => {
      const unknown = calls.map((c) => c[i]?.unknown).find((u) => u !== undefined);
      return {
        route: r.route,
        inserted: calls.reduce((t, c) => t + (c[i]?.inserted ?? 0), 0) / n,
        deleted: calls.reduce((t, c) => t + (c[i]?.deleted ?? 0), 0) / n,
        ...(unknown ? { unknown } : {}),
      };
    });
  });
  const created = set.map((ix) => ix.status === 'created');
  const attribution = routes.map((r, ri): RouteAttribution => {
    const keys = perRoute[ri] ?? [];
    const collections = [
      ...new Set([...r.extraKeys.map((k) => k.collection), ...set.filter((_, i) => created[i]).map((ix) => ix.collection)]),
    ]
      .map((collection): CollectionAttribution => {
        const measured = r.extraKeys.find((k) => k.collection === collection) ?? { inserted: 0, deleted: 0 };
        const mine = keys.filter((k, i) => created[i] && set[i]?.collection === collection && !k.unknown);
        const attributed = {
          inserted: mine.reduce((t, k) => t + k.inserted, 0),
          deleted: mine.reduce((t, k) => t + k.deleted, 0),
        };
        return {
          collection,
          measured: { inserted: measured.inserted, deleted: measured.deleted },
          attributed,
          unattributed: { inserted: measured.inserted - attributed.inserted, deleted: measured.deleted - attributed.deleted },
        };
      })
      .filter((c) => sum(c.measured) !== 0 || sum(c.attributed) !== 0);
    const underivable = keys.some((k, i) => created[i] && k.unknown !== undefined);
    return {
      route: r.route,
      collections,
      matches:
        !underivable && collections.every((c) => Math.abs(c.unattributed.inserted) < 1e-9 && Math.abs(c.unattributed.deleted) < 1e-9),
    };
  });
  const extraKeys = routes.reduce((t, r) => t + r.extraKeys.reduce((u, k) => u + sum(k), 0), 0);
  return {
    indexes: set.map((ix, i) => {
      const writeKeys = perRoute.map((keys) => keys[i] as RouteIndexKeys);
      const derivable = writeKeys.every((k) => !k.unknown);
      const mine = writeKeys.reduce((t, k) => t + sum(k), 0);
      return {
        name: ix.name,
        collection: ix.collection,
        writeKeys,
        writeShare: created[i] && derivable && extraKeys > 0 ? mine / extraKeys : null,
      };
    }),
    writes: {
      shareOf: 'the extra index keys per call the profiler measured, summed over one call of each write route',
      extraKeys,
      routes: attribution,
    },
  };
}
