import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';

/**
 * An application's Prisma data model, read by Prisma's own schema engine (the WebAssembly
 * build of prisma-engines' `prisma-schema-wasm`, the version Prisma 6.19.0 ships) through its
 * DMMF: what the route client needs to render a call as Prisma sends it (each model's
 * collection, each field's database name, type and native type, relations and which side
 * holds the foreign key, unique fields) and what `indexes check` reads (the declared indexes).
 */

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt?: boolean;
  hasDefaultValue?: boolean;
  default?: unknown;
  nativeType?: [string, unknown[]] | null;
  relationName?: string | null;
  relationFromFields?: string[];
  relationToFields?: string[];
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  uniqueFields: string[][];
  uniqueIndexes: { name: string | null; fields: string[] }[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' | null }[];
}

/** A composite type (`type Address { … }`, MongoDB only): embedded documents. */
export interface DmmfType {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

export interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: unknown[]; indexes: DmmfIndex[]; types?: DmmfType[] };
}

type SchemaWasm = { get_dmmf(params: string): string };

function schemaEngine(): SchemaWasm {
  return createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as SchemaWasm;
}

/** The first line of the engine's error, without terminal colours. */
function engineMessage(error: unknown): string {
  const raw = String(error instanceof Error ? error.message : error);
  let message = raw;
  try {
    message = (JSON.parse(raw.replace(/^Error:\s*/, '')) as { message?: string }).message ?? raw;
  } catch {
    // not JSON: keep the text
  }
  // The engine colours its messages with ANSI escapes (ESC [ … m).
  const plain = message.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const lines = plain
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const what = lines.find((l) => l.startsWith('error:')) ?? lines[0] ?? 'unknown error';
  const where = lines.find((l) => l.startsWith('-->'));
  return `${what.replace(/^error:\s*/, '')}${where ? ` (${where.replace(/^-->\s*/, '')})` : ''}`;
}

/** A schema file's text; an unreadable file is a usage error naming it. */
export async function readSchemaText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}); pass the application's schema.prisma`,
    );
  }
}

/** The DMMF of a schema's text; `file` names it in messages. */
export function readDmmf(text: string, file: string): Dmmf {
  try {
    return JSON.parse(schemaEngine().get_dmmf(JSON.stringify({ prismaSchema: [[file, text]] }))) as Dmmf;
  } catch (error) {
    throw new UsageError(
      `${file}: Prisma's schema engine refuses it: ${engineMessage(error)}; fix the schema (\`prisma validate\` says the same)`,
    );
  }
}

/** A scalar (or enum) field as the renderer needs it. */
export interface ScalarField {
  readonly kind: 'scalar';
  readonly name: string;
  /** Its name in the database (`@map`): `_id` for the id. */
  readonly dbName: string;
  /** Prisma's type: String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json, Bytes, or an enum's name. */
  readonly type: string;
  readonly isEnum: boolean;
  readonly isList: boolean;
  readonly isRequired: boolean;
  readonly isId: boolean;
  readonly isUnique: boolean;
  readonly isUpdatedAt: boolean;
  /** `@db.ObjectId`: a string on the client, an ObjectId in the database. */
  readonly objectId: boolean;
  /** `@db.Int`: an int32 in the database (an Int is an int64 otherwise). */
  readonly int32: boolean;
  readonly default?: unknown;
}

/** A relation field, with both sides resolved. */
export interface RelationField {
  readonly kind: 'relation';
  readonly name: string;
  readonly model: string;
  /** The related model. */
  readonly type: string;
  readonly isList: boolean;
  readonly isRequired: boolean;
  /** The relation's name: the `as` of the `$lookup` Prisma joins it with. */
  readonly relationName: string;
  /** The foreign key fields on this side (empty on the back side). */
  readonly fromFields: readonly string[];
  readonly toFields: readonly string[];
}

/** A field of a composite type (`address Address?`, `labels Label[]`): an embedded document or a list of them. */
export interface CompositeField {
  readonly kind: 'composite';
  readonly name: string;
  readonly dbName: string;
  /** The composite type's name. */
  readonly type: string;
  readonly isList: boolean;
  readonly isRequired: boolean;
}

/** A composite type: its fields (scalars and further composites) in declaration order. */
export interface CompositeType {
  readonly name: string;
  readonly fields: readonly (ScalarField | CompositeField)[];
  field(name: string): ScalarField | CompositeField | undefined;
}

export type ModelField = ScalarField | RelationField | CompositeField;

export interface Model {
  readonly name: string;
  readonly collection: string;
  /** Every field in declaration order. */
  readonly fields: readonly ModelField[];
  readonly scalars: readonly ScalarField[];
  readonly relations: readonly RelationField[];
  /** Composite-type fields (embedded documents), in declaration order. */
  readonly composites: readonly CompositeField[];
  readonly id: ScalarField;
  /** `@@unique` field lists, with the name a `where` uses for them (`a_b`, or the one given). */
  readonly compoundUniques: readonly { readonly name: string; readonly fields: readonly string[] }[];
  field(name: string): ModelField | undefined;
}

export interface DataModel {
  readonly file: string;
  readonly models: ReadonlyMap<string, Model>;
  readonly dmmf: Dmmf;
  model(name: string): Model;
  /** A composite type by name. */
  composite(name: string): CompositeType;
  /** The other side of a relation field. */
  opposite(field: RelationField): RelationField;
  /**
   * The fields that link a relation field's model to the related one, on this side
   * (query-structure `RelationField::linking_fields`): the foreign key where this side holds
   * it, else the fields the other side's foreign key references.
   */
  linkingFields(field: RelationField): ScalarField[];
}

function scalarOf(f: DmmfField): ScalarField {
  const native = f.nativeType?.[0];
  return {
    kind: 'scalar',
    name: f.name,
    dbName: f.dbName ?? f.name,
    type: f.type,
    isEnum: f.kind === 'enum',
    isList: f.isList,
    isRequired: f.isRequired,
    isId: f.isId,
    isUnique: f.isUnique,
    isUpdatedAt: f.isUpdatedAt === true,
    objectId: native === 'ObjectId',
    int32: native === 'Int',
    ...(f.hasDefaultValue ? { default: f.default } : {}),
  };
}

const compositeOf = (f: DmmfField): CompositeField => ({
  kind: 'composite',
  name: f.name,
  dbName: f.dbName ?? f.name,
  type: f.type,
  isList: f.isList,
  isRequired: f.isRequired,
});

/** The data model of a schema's text. */
export function dataModelOf(text: string, file: string): DataModel {
  const dmmf = readDmmf(text, file);
  const models = new Map<string, Model>();
  // DMMF gives a composite-typed field `kind: 'object'` like a relation; its type is one of `datamodel.types`.
  const typeNames = new Set((dmmf.datamodel.types ?? []).map((t) => t.name));
  const composites = new Map<string, CompositeType>();
  for (const t of dmmf.datamodel.types ?? []) {
    const fields = t.fields.filter((f) => f.kind !== 'unsupported').map((f) => (f.kind === 'object' ? compositeOf(f) : scalarOf(f)));
    const byName = new Map(fields.map((f) => [f.name, f]));
    composites.set(t.name, { name: t.name, fields, field: (name) => byName.get(name) });
  }
  for (const m of dmmf.datamodel.models) {
    const fields: ModelField[] = m.fields
      .filter((f) => f.kind !== 'unsupported')
      .map((f) =>
        f.kind === 'object' && typeNames.has(f.type)
          ? compositeOf(f)
          : f.kind === 'object'
            ? {
                kind: 'relation',
                name: f.name,
                model: m.name,
                type: f.type,
                isList: f.isList,
                isRequired: f.isRequired,
                relationName: f.relationName ?? '',
                fromFields: f.relationFromFields ?? [],
                toFields: f.relationToFields ?? [],
              }
            : scalarOf(f),
      );
    const byName = new Map(fields.map((f) => [f.name, f]));
    const scalars = fields.filter((f): f is ScalarField => f.kind === 'scalar');
    const id = scalars.find((f) => f.isId);
    if (!id) throw new UsageError(`${file}: model ${m.name} has no @id field; indexgate reads models with a single-field id`);
    const compoundUniques = m.uniqueIndexes.map((u) => ({ name: u.name ?? u.fields.join('_'), fields: u.fields }));
    models.set(m.name, {
      name: m.name,
      collection: m.dbName ?? m.name,
      fields,
      scalars,
      relations: fields.filter((f): f is RelationField => f.kind === 'relation'),
      composites: fields.filter((f): f is CompositeField => f.kind === 'composite'),
      id,
      compoundUniques,
      field: (name) => byName.get(name),
    });
  }
  const model = (name: string): Model => {
    const found = models.get(name);
    if (!found) throw new UsageError(`${file}: no model ${name}`);
    return found;
  };
  const composite = (name: string): CompositeType => {
    const found = composites.get(name);
    if (!found) throw new UsageError(`${file}: no composite type ${name}`);
    return found;
  };
  const opposite = (field: RelationField): RelationField => {
    const other = model(field.type).relations.find(
      (r) => r.relationName === field.relationName && !(r.model === field.model && r.name === field.name),
    );
    if (!other) throw new UsageError(`${file}: the relation ${field.relationName} of ${field.model}.${field.name} has no other side`);
    return other;
  };
  const scalarsByName = (m: Model, names: readonly string[]): ScalarField[] =>
    names.map((n) => m.field(n)).filter((f): f is ScalarField => f?.kind === 'scalar');
  const linkingFields = (field: RelationField): ScalarField[] => {
    // linking_fields_impl: a TwoWayEmbeddedManyToMany relation (id lists, list to list) links by the model's id.
    if (field.isList && field.fromFields.length > 0) return [model(field.model).id];
    if (field.fromFields.length > 0) return scalarsByName(model(field.model), field.fromFields);
    return scalarsByName(model(field.model), opposite(field).toFields);
  };
  return { file, models, dmmf, model, composite, opposite, linkingFields };
}
