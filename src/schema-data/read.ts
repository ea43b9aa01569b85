import { basename } from 'node:path';
import type { Db, Document } from 'mongodb';
import { type Quantiles, quantilesOfHistogram } from '../data/quantiles.js';
import type { DataModel, Model, RelationField } from '../prisma/datamodel.js';
import { type ModelProfile, type RelationProfile, type SchemaProfile, schemaProfileFormat, schemaProfileVersion } from './profile.js';
import { readFieldProfiles } from './read-fields.js';
import { aggregate, histogramQuantiles, type ReadContext } from './read-quantiles.js';

export interface ReadSchemaProfileOptions {
  readonly serverVersion: string;
  /** The schema file (its base name goes into the profile). */
  readonly schemaFile: string;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads the shape of a database that a Prisma schema describes, for any application, read-only:
 * aggregation pipelines that end in counts, shares, histograms of numbers or quantiles
 * (`$group`, `$count`, `$collStats`, `$percentile`), so that no document, id, name or text
 * leaves the server; the values of a low-cardinality field are the one exception (the rule
 * is `lowCardinality` in profile.ts, applied on the server). Models whose collection does not
 * exist are left out (and so not seeded). The read preference is the client's (the caller
 * opens the target).
 */
export async function readSchemaProfile(db: Db, model: DataModel, options: ReadSchemaProfileOptions): Promise<SchemaProfile> {
  const context: ReadContext = { db, serverVersion: options.serverVersion, signal: options.signal };
  const existing = new Set(
    (
      await db.listCollections({ type: 'collection' }, { nameOnly: true, ...(options.signal ? { signal: options.signal } : {}) }).toArray()
    ).map((c) => c.name),
  );
  const models: Record<string, ModelProfile> = {};
  for (const m of model.models.values()) {
    if (!existing.has(m.collection)) continue;
    const count = await countOf(context, m.collection);
    models[m.name] = {
      collection: m.collection,
      count,
      averageBytes: count > 0 ? await averageBytes(context, m.collection) : 0,
      fields: await readFieldProfiles(context, model, m, count),
    };
  }
  const relations: RelationProfile[] = [];
  const reading: RelationRead = { context, data: model, models };
  for (const m of model.models.values()) {
    for (const r of m.relations) {
      if (r.fromFields.length === 0 || !models[m.name] || !models[r.type]) continue;
      const read = r.isList ? await readManyToMany(reading, r) : await readForeignKey(reading, r);
      if (read) relations.push(read);
    }
  }
  return {
    format: schemaProfileFormat,
    version: schemaProfileVersion,
    source: {
      database: db.databaseName,
      serverVersion: options.serverVersion,
      profiledAt: new Date().toISOString(),
      schema: basename(options.schemaFile),
    },
    models,
    relations,
  };
}

async function countOf(context: ReadContext, collection: string): Promise<number> {
  const [row] = await aggregate(context, collection, [{ $count: 'n' }]);
  return Number(row?.n ?? 0);
}

/**
 * The documents' average BSON size: `$collStats`' avgObjSize
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/collStats/), or, where
 * the user may not run it, the mean `$bsonSize` of 1,000 sampled documents (only the sizes leave the server).
 */
async function averageBytes(context: ReadContext, collection: string): Promise<number> {
  try {
    const [stats] = await aggregate(context, collection, [
      { $collStats: { storageStats: {} } },
      { $project: { _id: 0, avg: '$storageStats.avgObjSize' } },
    ]);
    const avg = Number(stats?.avg ?? 0);
    if (avg > 0) return Math.round(avg);
  } catch (error) {
    if (context.signal?.aborted) throw error;
  }
  const [row] = await aggregate(context, collection, [
    { $sample: { size: 1_000 } },
    { $group: { _id: null, b: { $avg: { $bsonSize: '$$ROOT' } } } },
  ]);
  return Math.round(Number(row?.b ?? 0));
}

/** What reading a relation needs: the server, the schema and the models' profiles read so far. */
interface RelationRead {
  readonly context: ReadContext;
  readonly data: DataModel;
  readonly models: Record<string, ModelProfile>;
}

/** The first enum or low-cardinality String field of a model, else its first Boolean: what a relation's fan-out is conditioned on. */
function conditioningField(model: Model, profile: ModelProfile): { name: string; dbName: string } | undefined {
  const kept = model.scalars.filter((f) => !f.isList && (profile.fields[f.name]?.values?.length ?? 0) > 0);
  return kept.find((f) => f.isEnum || f.type === 'String') ?? kept.find((f) => f.type === 'Boolean');
}

/**
 * A relation whose foreign key is on the child (`fromFields`, one field): the child grouped by
 * its key, each group looked up in the parent (on the referenced field, `_id` for an id) to
 * tell dangling keys apart and to read the parent's conditioning field; then grouped again by
 * (found, value, children), so that only counts come back. Parents with no child are added as
 * zeros from the parent's count (per value, from a `$group` on the parent).
 */
async function readForeignKey({ context, data, models }: RelationRead, r: RelationField): Promise<RelationProfile | undefined> {
  const child = data.model(r.model);
  const parent = data.model(r.type);
  const [key] = data.linkingFields(r);
  const referenced = parent.field(r.toFields[0] ?? '');
  // A compound foreign key is not read (Prisma on MongoDB relates by one field in practice).
  if (r.fromFields.length !== 1 || !key || referenced?.kind !== 'scalar') return undefined;
  const childProfile = models[child.name] as ModelProfile;
  const parentProfile = models[parent.name] as ModelProfile;
  const by = conditioningField(parent, parentProfile);
  const rows = await aggregate(context, child.collection, [
    { $match: { [key.dbName]: { $exists: true, $ne: null } } },
    { $group: { _id: `$${key.dbName}`, n: { $sum: 1 } } },
    // The plain equality form: a sub-pipeline ($limit, $project) made it 2–3× slower on 7.0 (measured under Wine).
    { $lookup: { from: parent.collection, localField: '_id', foreignField: referenced.dbName, as: 'p' } },
    {
      $group: {
        _id: { found: { $gt: [{ $size: '$p' }, 0] }, g: by ? { $first: `$p.${by.dbName}` } : null, n: '$n' },
        parents: { $sum: 1 },
      },
    },
    { $project: { _id: 0, found: '$_id.found', g: '$_id.g', n: '$_id.n', parents: 1 } },
  ]);
  const found = rows.filter((row) => row.found === true);
  const dangling = rows.filter((row) => row.found !== true).reduce((t, row) => t + Number(row.n) * Number(row.parents), 0);
  const profile: RelationProfile = {
    name: r.relationName,
    kind: key.isUnique ? 'one-to-one' : 'one-to-many',
    child: { model: child.name, fields: [...r.fromFields] },
    parent: { model: parent.name, fields: [...r.toFields] },
    perParent: withZeros(found, parentProfile.count),
    danglingShare: childProfile.count > 0 ? dangling / childProfile.count : 0,
  };
  if (by) {
    const perValue = await aggregate(context, parent.collection, [
      { $match: { [by.dbName]: { $exists: true, $ne: null } } },
      { $group: { _id: `$${by.dbName}`, parents: { $sum: 1 } } },
    ]);
    const values: NonNullable<RelationProfile['byParentField']>['values'] = {};
    for (const v of perValue) {
      const key = String(v._id);
      values[key] = {
        parents: Number(v.parents),
        perParent: withZeros(
          found.filter((row) => row.g !== null && row.g !== undefined && String(row.g) === key),
          Number(v.parents),
        ),
      };
    }
    profile.byParentField = { field: by.name, values };
  }
  return profile;
}

/**
 * Many-to-many kept as id arrays on both sides: the child is the side met first in the schema,
 * read once; perParent are the parent side's array lengths, perChild the child side's (a
 * document without the array counts 0).
 */
async function readManyToMany({ context, data, models }: RelationRead, r: RelationField): Promise<RelationProfile | undefined> {
  const other = data.opposite(r);
  if (!other.isList || other.fromFields.length === 0) return undefined;
  const names = [...data.models.keys()];
  // Read from the side declared first (its relation field first when both are one model).
  const first =
    names.indexOf(r.model) - names.indexOf(other.model) ||
    data.model(r.model).fields.indexOf(r) - data.model(other.model).fields.indexOf(other);
  if (first > 0 || (first === 0 && r.name > other.name)) return undefined;
  const lengths = async (side: RelationField): Promise<Quantiles> => {
    const m = data.model(side.model);
    const array = m.field(side.fromFields[0] ?? '');
    if (array?.kind !== 'scalar') return quantilesOfHistogram(new Map());
    const rows = await aggregate(context, m.collection, [
      { $group: { _id: { $cond: [{ $isArray: `$${array.dbName}` }, { $size: `$${array.dbName}` }, 0] }, c: { $sum: 1 } } },
    ]);
    return histogramQuantiles(rows);
  };
  if (!models[r.model] || !models[other.model]) return undefined;
  return {
    name: r.relationName,
    kind: 'many-to-many',
    child: { model: r.model, fields: [...r.fromFields] },
    parent: { model: other.model, fields: [...other.fromFields] },
    perParent: await lengths(other),
    perChild: await lengths(r),
  };
}

/** Rows of (n children, parents with n) as quantiles over all `parents`, those without a row counted at 0. */
function withZeros(rows: readonly Document[], parents: number): Quantiles {
  const histogram = new Map<number, number>();
  for (const row of rows) histogram.set(Number(row.n), (histogram.get(Number(row.n)) ?? 0) + Number(row.parents));
  const seen = [...histogram.values()].reduce((a, b) => a + b, 0);
  histogram.set(0, (histogram.get(0) ?? 0) + Math.max(0, parents - seen));
  return quantilesOfHistogram(histogram);
}
