import type { Db, Document } from 'mongodb';
import type { IndexSpec, KeyPattern } from '../workload.js';

/** What became of an index of the set; `stale`: the application's schema has no field or collection its key names (src/indexing/prisma-schema.ts). */
export const indexStatuses = ['created', 'present', 'equivalent', 'missing', 'conflict', 'stale'] as const;
export type IndexStatus = (typeof indexStatuses)[number];

/** An index as the server lists it. */
export interface ExistingIndex {
  name: string;
  key: Record<string, unknown>;
  unique: boolean;
  hidden: boolean;
}

/** What the server holds for one spec, judged by key pattern, never by name alone. */
export interface IndexFinding {
  readonly spec: IndexSpec;
  readonly status: Exclude<IndexStatus, 'created' | 'stale'>;
  /** The name the server knows the index by (differs from spec.name when equivalent). */
  readonly existingName: string | null;
  /** Why, in words: what was found where. */
  readonly detail: string;
}

/** Same fields, same order, same directions: the planner can use one where it can use the other. */
export function sameKey(a: Readonly<Record<string, unknown>>, b: KeyPattern): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return left.length === right.length && left.every(([field, dir], i) => right[i]?.[0] === field && Number(dir) === right[i]?.[1]);
}

export function formatKey(key: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(key)
    .map(([f, d]) => `${f}: ${String(d)}`)
    .join(', ')}}`;
}

export async function listIndexes(db: Db, collection: string): Promise<ExistingIndex[]> {
  try {
    const raw = await db.collection(collection).listIndexes().toArray();
    return raw.map((ix: Document) => ({
      name: String(ix.name),
      key: ix.key as Record<string, unknown>,
      unique: ix.unique === true,
      hidden: ix.hidden === true,
    }));
  } catch (error) {
    // NamespaceNotFound: the collection does not exist, so neither does the index.
    if ((error as { code?: number }).code === 26) return [];
    throw error;
  }
}

/** Judges a spec against the indexes of its collection (read-only). */
export function judge(spec: IndexSpec, existing: readonly ExistingIndex[], elsewhere: readonly string[] = []): IndexFinding {
  const byName = existing.find((ix) => ix.name === spec.name);
  if (byName && sameKey(byName.key, spec.key)) {
    return {
      spec,
      status: 'present',
      existingName: byName.name,
      detail: `${spec.name} ${formatKey(spec.key)}${byName.hidden ? ' (hidden: the planner ignores it)' : ''}`,
    };
  }
  if (byName) {
    return {
      spec,
      status: 'conflict',
      existingName: byName.name,
      detail: `an index named ${spec.name} exists with key ${formatKey(byName.key)}, not ${formatKey(spec.key)}`,
    };
  }
  const sameKeyIndex = existing.find((ix) => sameKey(ix.key, spec.key));
  if (sameKeyIndex) {
    return {
      spec,
      status: 'equivalent',
      existingName: sameKeyIndex.name,
      detail: `${sameKeyIndex.name} has the same key ${formatKey(spec.key)}${sameKeyIndex.hidden ? ' (hidden: the planner ignores it)' : ''}`,
    };
  }
  const where = elsewhere.length > 0 ? `; an index named ${spec.name} exists on ${elsewhere.join(', ')} instead` : '';
  return { spec, status: 'missing', existingName: null, detail: `no index with key ${formatKey(spec.key)} on ${spec.collection}${where}` };
}

/**
 * Reports each spec as present, equivalent, missing or conflict, reading index lists only.
 * An index created on the wrong collection is reported as missing, naming where it is.
 */
export async function inspectIndexes(db: Db, specs: readonly IndexSpec[], collections: readonly string[]): Promise<IndexFinding[]> {
  const lists = new Map<string, ExistingIndex[]>();
  for (const name of new Set([...collections, ...specs.map((s) => s.collection)])) lists.set(name, await listIndexes(db, name));
  return specs.map((spec) => {
    const elsewhere = [...lists.entries()]
      .filter(([coll, list]) => coll !== spec.collection && list.some((ix) => ix.name === spec.name))
      .map(([coll]) => coll);
    return judge(spec, lists.get(spec.collection) ?? [], elsewhere);
  });
}

/**
 * What a schema lacks for an index: a stale index names a collection no model maps to (by
 * `@@map` or the model's name), or a field its model does not have. Its key's fields are
 * the database names (after `@map`); a dotted field counts as present when its first segment
 * is a field of the model and each further segment a field of the composite type the one
 * before embeds (past a Json or an undeclared type, the rest cannot be checked). `_id` is
 * every document's.
 */
export interface Staleness {
  /** The schema file. */
  readonly schema: string;
  /** The model of the index's collection; null when no model maps to it. */
  readonly model: string | null;
  /** The key's fields the model does not have (database names); empty when no model maps to the collection. */
  readonly fields: readonly string[];
  /** In words, naming the field, model and schema file. */
  readonly why: string;
}
