import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { IndexSpec, KeyPattern, Workload } from '../workload.js';
import { readDmmf, readSchemaText } from '../prisma/datamodel.js';

/**
 * An application's `schema.prisma`, read by Prisma's own schema engine (the WebAssembly
 * build of prisma-engines' `prisma-schema-wasm`, the version Prisma 6.19.0 ships), not by a
 * parser of ours: its DMMF gives each model's collection (`@@map`), each field's name in
 * the database (`@map`), and every `@@index`, `@@unique` and `@unique`.
 */

export interface PrismaSchemaModel {
  readonly model: string;
  readonly collection: string;
  /** Field name in the schema → name in the database. */
  readonly fields: ReadonlyMap<string, string>;
}

export interface PrismaSchema {
  readonly file: string;
  readonly models: readonly PrismaSchemaModel[];
  /** The declared indexes on the application's collections, as index specs (Prisma's default names where the schema gives none). */
  readonly indexes: readonly IndexSpec[];
  /** Declared indexes on collections indexgate does not model (named, not used). */
  readonly skipped: readonly string[];
  /** A short hash of the indexes: part of a dataset's cache key. */
  readonly digest: string;
}

/** Parses a schema's text; `file` names it in messages. Indexes on other collections than `collections` (the workload's) are skipped. */
export function parsePrismaSchema(text: string, file: string, collections: readonly string[]): PrismaSchema {
  const dmmf = readDmmf(text, file);
  const models: PrismaSchemaModel[] = dmmf.datamodel.models.map((m) => ({
    model: m.name,
    collection: m.dbName ?? m.name,
    fields: new Map(m.fields.map((f) => [f.name, f.dbName ?? f.name])),
  }));
  const byModel = new Map(models.map((m) => [m.model, m]));
  const indexes: IndexSpec[] = [];
  const skipped: string[] = [];
  for (const ix of dmmf.datamodel.indexes) {
    if (ix.type !== 'normal' && ix.type !== 'unique') continue;
    const model = byModel.get(ix.model);
    if (!model) continue;
    const fields = ix.fields.map((f) => model.fields.get(f.name) ?? f.name);
    const key: KeyPattern = Object.fromEntries(ix.fields.map((f, i) => [fields[i] as string, f.sortOrder === 'desc' ? -1 : 1]));
    // Prisma's default names: {collection}_{fields}_idx, unique ones _key (the "map" argument overrides them).
    const name = ix.dbName ?? `${model.collection}_${fields.join('_')}_${ix.type === 'unique' ? 'key' : 'idx'}`;
    if (!collections.includes(model.collection)) {
      skipped.push(`${name} on ${model.collection}`);
      continue;
    }
    indexes.push({ name, collection: model.collection, key, ...(ix.type === 'unique' ? { unique: true } : {}) });
  }
  const digest = createHash('sha256').update(JSON.stringify(indexes)).digest('hex').slice(0, 8);
  return { file, models, indexes, skipped, digest };
}

export async function loadPrismaSchema(file: string, collections: readonly string[]): Promise<PrismaSchema> {
  return parsePrismaSchema(await readSchemaText(file), file, collections);
}

/**
 * The `@@index` line that declares an index spec in the model of its collection: field names
 * as the schema writes them, `sort: Desc` for a descending field, and `map:` to keep the
 * spec's name. Undefined when no model of the schema maps to the collection.
 */
export function indexDeclaration(schema: PrismaSchema, spec: IndexSpec): { model: string; line: string } | undefined {
  const model = schema.models.find((m) => m.collection === spec.collection);
  if (!model) return undefined;
  const byDbName = new Map([...model.fields].map(([name, db]) => [db, name]));
  const fields = Object.entries(spec.key).map(([db, dir]) => `${byDbName.get(db) ?? db}${dir === -1 ? '(sort: Desc)' : ''}`);
  return { model: model.model, line: `@@${spec.unique ? 'unique' : 'index'}([${fields.join(', ')}], map: "${spec.name}")` };
}

/**
 * The indexes of `--baseline`: the workload's list, or with `--prisma-schema` and the
 * workload's schema baseline, the indexes the application's schema declares. `seed` runs no
 * route, so there a schema with another baseline is a mistake; bench reads it as the routes' data model.
 */
export async function baselineIndexes(
  workload: Workload,
  options: { baseline: string; prismaSchema?: string | undefined },
  command: 'seed' | 'bench',
): Promise<readonly IndexSpec[]> {
  const schemaBaseline = workload.indexes.schemaBaseline;
  if (options.prismaSchema !== undefined && options.baseline === schemaBaseline)
    return (await loadPrismaSchema(options.prismaSchema, workload.dataset.collections)).indexes;
  if (options.prismaSchema !== undefined && command === 'seed') {
    throw new UsageError(
      `--prisma-schema gives seed the indexes of --baseline ${schemaBaseline ?? '(none)'}; add --baseline ${schemaBaseline ?? '…'} (the baseline is ${options.baseline})`,
    );
  }
  return workload.indexes.baselines[options.baseline] ?? [];
}
