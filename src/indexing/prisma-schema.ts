import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { IndexSpec, KeyPattern, Workload } from '../workload.js';
import { type Dmmf, type DmmfField, readDmmf, readSchemaText } from '../prisma/datamodel.js';
import type { IndexOutcome } from './apply.js';
import type { Staleness } from './inspect.js';

/**
 * An application's `schema.prisma`, read by Prisma's own schema engine (the WebAssembly
 * build of prisma-engines' `prisma-schema-wasm`, the version Prisma 6.19.0 ships), not by a
 * parser of ours: its DMMF gives each model's collection (`@@map`), each field's name in
 * the database (`@map`), and every `@@index`, `@@unique` and `@unique`.
 */

/** A field a document holds (a scalar, an enum, an embedded composite type; never a relation field, which holds nothing). */
export interface StoredField {
  readonly name: string;
  /** Its name in the database (`@map`). */
  readonly dbName: string;
  /** The composite type (`type X { … }`) it embeds, if it is one. */
  readonly composite: string | null;
}

export interface PrismaSchemaModel {
  readonly model: string;
  readonly collection: string;
  /** Field name in the schema → name in the database (relation fields included). */
  readonly fields: ReadonlyMap<string, string>;
  /** The fields its documents hold. */
  readonly stored: readonly StoredField[];
}

export interface PrismaSchema {
  readonly file: string;
  readonly models: readonly PrismaSchemaModel[];
  /** The composite types, by name: the fields each holds. */
  readonly types: ReadonlyMap<string, readonly StoredField[]>;
  /** The declared indexes on the application's collections, as index specs (Prisma's default names where the schema gives none). */
  readonly indexes: readonly IndexSpec[];
  /** Declared indexes on collections indexgate does not model (named, not used). */
  readonly skipped: readonly string[];
  /** A short hash of the indexes: part of a dataset's cache key. */
  readonly digest: string;
}

/** The DMMF with its composite types (`datamodel.types`, which the engine gives beside the models). */
type DmmfWithTypes = Dmmf & { datamodel: { types?: { name: string; fields: DmmfField[] }[] } };

function storedFields(fields: readonly DmmfField[]): StoredField[] {
  return fields
    .filter((f) => f.kind !== 'object' || !f.relationName)
    .map((f) => ({ name: f.name, dbName: f.dbName ?? f.name, composite: f.kind === 'object' ? f.type : null }));
}

/**
 * A dotted path through a model's fields and the composite types they embed, from one
 * spelling to the other (`from` and `to`: `name` or `dbName`). Past a field that embeds no
 * declared type (a Json, a scalar), the rest is kept as it is. At the first segment the
 * schema does not have: that segment, and the composite type it was looked for in (null: the model).
 */
function translatePath(
  schema: Pick<PrismaSchema, 'types'>,
  fields: readonly StoredField[],
  path: string,
  from: 'name' | 'dbName',
  to: 'name' | 'dbName',
): { path: string } | { missing: string; within: string | null } {
  const segments = path.split('.');
  const out: string[] = [];
  let shape: readonly StoredField[] | undefined = fields;
  let within: string | null = null;
  for (const [i, segment] of segments.entries()) {
    if (!shape) return { path: [...out, ...segments.slice(i)].join('.') };
    const field: StoredField | undefined = shape.find((f) => f[from] === segment);
    if (!field) return { missing: segment, within };
    out.push(field[to]);
    within = field.composite;
    shape = field.composite ? schema.types.get(field.composite) : undefined;
  }
  return { path: out.join('.') };
}

/** The schema of a DMMF; `file` names it. Indexes on other collections than `collections` (the workload's) are skipped. */
export function schemaOfDmmf(dmmf: Dmmf, file: string, collections: readonly string[]): PrismaSchema {
  const types = new Map(((dmmf as DmmfWithTypes).datamodel.types ?? []).map((t) => [t.name, storedFields(t.fields)]));
  const models: PrismaSchemaModel[] = dmmf.datamodel.models.map((m) => ({
    model: m.name,
    collection: m.dbName ?? m.name,
    fields: new Map(m.fields.map((f) => [f.name, f.dbName ?? f.name])),
    stored: storedFields(m.fields),
  }));
  const byModel = new Map(models.map((m) => [m.model, m]));
  const indexes: IndexSpec[] = [];
  const skipped: string[] = [];
  for (const ix of dmmf.datamodel.indexes) {
    if (ix.type !== 'normal' && ix.type !== 'unique') continue;
    const model = byModel.get(ix.model);
    if (!model) continue;
    // A composite type's field is indexed by its path (`address.city`), in schema names.
    const fields = ix.fields.map((f) => {
      const db = translatePath({ types }, model.stored, f.name, 'name', 'dbName');
      return 'path' in db ? db.path : f.name;
    });
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
  return { file, models, types, indexes, skipped, digest };
}

/** Parses a schema's text; `file` names it in messages. Indexes on other collections than `collections` (the workload's) are skipped. */
export function parsePrismaSchema(text: string, file: string, collections: readonly string[]): PrismaSchema {
  return schemaOfDmmf(readDmmf(text, file), file, collections);
}

export async function loadPrismaSchema(file: string, collections: readonly string[]): Promise<PrismaSchema> {
  return parsePrismaSchema(await readSchemaText(file), file, collections);
}

/** Undefined when the schema has the index's collection and every field of its key. */
export function staleness(schema: PrismaSchema, spec: Pick<IndexSpec, 'collection' | 'key'>): Staleness | undefined {
  const model = schema.models.find((m) => m.collection === spec.collection);
  if (!model) {
    return {
      schema: schema.file,
      model: null,
      fields: [],
      why: `no model of ${schema.file} maps to collection ${spec.collection} (by @@map or model name)`,
    };
  }
  const missing = Object.keys(spec.key).flatMap((field) => {
    if (field === '_id') return [];
    const found = translatePath(schema, model.stored, field, 'dbName', 'dbName');
    return 'path' in found ? [] : [{ field, ...found }];
  });
  if (missing.length === 0) return undefined;
  // A field the schema names so but stores under another name (`@map`): said, since the key is read in database names.
  const mapped = (segment: string) => {
    const db = model.fields.get(segment);
    return db !== undefined && db !== segment ? ` (its field ${segment} is @map("${db}"))` : '';
  };
  const fields = missing.map((m) =>
    m.within === null ? `${m.field}${mapped(m.missing)}` : `${m.field} (type ${m.within} has no field ${m.missing})`,
  );
  return {
    schema: schema.file,
    model: model.model,
    fields: missing.map((m) => m.field),
    why: `model ${model.model} of ${schema.file} has no field${missing.length > 1 ? 's' : ''} ${fields.join(', ')}`,
  };
}

/**
 * The set's outcomes with each stale index's status `stale` (a bench still builds it: MongoDB
 * takes any key), what the server holds or did for it kept as `serverStatus`, and the detail
 * saying what the schema lacks first.
 */
export function withStaleness(outcomes: readonly IndexOutcome[], schema: PrismaSchema): IndexOutcome[] {
  return outcomes.map((o): IndexOutcome => {
    const { status } = o;
    const stale = status === 'stale' ? undefined : staleness(schema, o);
    if (!stale || status === 'stale') return o;
    return { ...o, status: 'stale', serverStatus: status, stale, detail: `${stale.why} (on the server: ${status}, ${o.detail})` };
  });
}

/**
 * The `@@index` line that declares an index spec in the model of its collection: field names
 * as the schema writes them, `sort: Desc` for a descending field, and `map:` to keep the
 * spec's name. Undefined when no model of the schema maps to the collection, or when the
 * model lacks a field of the key (a stale index: the line would name what does not exist).
 */
export function indexDeclaration(schema: PrismaSchema, spec: IndexSpec): { model: string; line: string } | undefined {
  const model = schema.models.find((m) => m.collection === spec.collection);
  if (!model || staleness(schema, spec)) return undefined;
  const fields = Object.entries(spec.key).map(([db, dir]) => {
    const named = translatePath(schema, model.stored, db, 'dbName', 'name');
    return `${'path' in named ? named.path : db}${dir === -1 ? '(sort: Desc)' : ''}`;
  });
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
  // A schema application's schema is its data model: any baseline seeds from it.
  if (options.prismaSchema !== undefined && command === 'seed' && options.prismaSchema !== workload.schemaFile) {
    throw new UsageError(
      `--prisma-schema gives seed the indexes of --baseline ${schemaBaseline ?? '(none)'}; add --baseline ${schemaBaseline ?? '…'} (the baseline is ${options.baseline})`,
    );
  }
  return workload.indexes.baselines[options.baseline] ?? [];
}
