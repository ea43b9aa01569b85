import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IndexSpec, KeyPattern } from '../../indexes/spec.js';
import { type SeededCollection, seededCollections } from '../../seed/collections.js';
import { UsageError } from '../errors.js';

/**
 * An application's `schema.prisma`, read by Prisma's own schema engine (the WebAssembly
 * build of prisma-engines' `prisma-schema-wasm`, the version Prisma 6.19.0 ships), not by a
 * parser of ours: its DMMF gives each model's collection (`@@map`), each field's name in
 * the database (`@map`), and every `@@index`, `@@unique` and `@unique`.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' | null }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
}

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
  const lines = plain.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const what = lines.find((l) => l.startsWith('error:')) ?? lines[0] ?? 'unknown error';
  const where = lines.find((l) => l.startsWith('-->'));
  return `${what.replace(/^error:\s*/, '')}${where ? ` (${where.replace(/^-->\s*/, '')})` : ''}`;
}

/** Parses a schema's text; `file` names it in messages. */
export function parsePrismaSchema(text: string, file: string): PrismaSchema {
  let dmmf: Dmmf;
  try {
    dmmf = JSON.parse(schemaEngine().get_dmmf(JSON.stringify({ prismaSchema: [[file, text]] }))) as Dmmf;
  } catch (error) {
    throw new UsageError(`${file}: Prisma's schema engine refuses it: ${engineMessage(error)}; fix the schema (\`prisma validate\` says the same)`);
  }
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
    if (!(seededCollections as readonly string[]).includes(model.collection)) {
      skipped.push(`${name} on ${model.collection}`);
      continue;
    }
    indexes.push({ name, collection: model.collection as SeededCollection, key, ...(ix.type === 'unique' ? { unique: true } : {}) });
  }
  const digest = createHash('sha256').update(JSON.stringify(indexes)).digest('hex').slice(0, 8);
  return { file, models, indexes, skipped, digest };
}

export async function loadPrismaSchema(file: string): Promise<PrismaSchema> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}); pass the application's schema.prisma`);
  }
  return parsePrismaSchema(text, file);
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
