import type { Document } from 'mongodb';
import type { CompositeField, DataModel, Model, ScalarField } from '../prisma/datamodel.js';
import { type FieldProfile, lowCardinality } from './profile.js';
import { aggregate, type ReadContext, serverQuantiles } from './read-quantiles.js';

/** Distinct values are counted up to this many (`distinctCapped` beyond). */
export const distinctCap = 100_000;

/** Types whose values a profile may keep: always (enums, Boolean) or under `lowCardinality` (String, Int, BigInt). */
const alwaysValues = (f: ScalarField) => f.isEnum || f.type === 'Boolean';
const valuesUnderRule = (f: ScalarField) => f.type === 'String' || f.type === 'Int' || f.type === 'BigInt';
const numberTypes = new Set(['Int', 'BigInt', 'Float', 'Decimal']);

/**
 * Where a group of fields lives: the model's documents, or the embedded documents of a
 * composite field (`prefix` keeps only those where it is an object, unwinding a list).
 */
interface Scope {
  readonly prefix: Document[];
  /** Database path to the scope's documents, with a trailing dot ('' at the top). */
  readonly dbPath: string;
  /** Prisma path, with a trailing dot. */
  readonly name: string;
  readonly fields: readonly (ScalarField | CompositeField)[];
}

const missingOrNull = (path: string): Document => ({ $in: [{ $type: `$${path}` }, ['missing', 'null']] });

/**
 * Every scalar, enum and composite field of a model (and the fields inside its composites as
 * `path.sub`), relation fields aside: shares absent and null, distinct values, the values of
 * a low-cardinality field, and quantiles of numbers, dates and lengths.
 */
export async function readFieldProfiles(
  context: ReadContext,
  data: DataModel,
  model: Model,
  count: number,
): Promise<Record<string, FieldProfile>> {
  const fields: Record<string, FieldProfile> = {};
  const top: Scope = {
    prefix: [],
    dbPath: '',
    name: '',
    fields: model.fields.filter((f): f is ScalarField | CompositeField => f.kind !== 'relation'),
  };
  const scopes: Scope[] = [top];
  for (let scope = scopes.shift(); scope; scope = scopes.shift()) {
    const shares = await readShares(context, model.collection, scope);
    for (const f of scope.fields) {
      const path = `${scope.dbPath}${f.dbName}`;
      const name = `${scope.name}${f.name}`;
      const share = shares.get(f.dbName) ?? { absent: 0, null: 0 };
      const base = { type: f.type, list: f.isList, ...share };
      if (f.kind === 'composite') {
        fields[name] = f.isList ? { ...base, lengths: await listLengths(context, model.collection, scope.prefix, path) } : base;
        const present: Document[] = [
          ...scope.prefix,
          ...(f.isList ? [{ $unwind: `$${path}` }] : []),
          { $match: { [path]: { $type: 'object' } } },
        ];
        scopes.push({ prefix: present, dbPath: `${path}.`, name: `${name}.`, fields: data.composite(f.type).fields });
        continue;
      }
      fields[name] = { ...base, ...(await readScalar(context, model, scope, f, path, count)) };
    }
  }
  return fields;
}

/** The scope's size and, per field, the shares of its documents where it is missing or null: one pass. */
async function readShares(context: ReadContext, collection: string, scope: Scope): Promise<Map<string, { absent: number; null: number }>> {
  const group: Document = { _id: null, n: { $sum: 1 } };
  scope.fields.forEach((f, i) => {
    const type = { $type: `$${scope.dbPath}${f.dbName}` };
    group[`a${i}`] = { $sum: { $cond: [{ $eq: [type, 'missing'] }, 1, 0] } };
    group[`z${i}`] = { $sum: { $cond: [{ $eq: [type, 'null'] }, 1, 0] } };
  });
  const [row] = await aggregate(context, collection, [...scope.prefix, { $group: group }]);
  const n = Number(row?.n ?? 0);
  const shares = new Map<string, { absent: number; null: number }>();
  scope.fields.forEach((f, i) => {
    shares.set(f.dbName, { absent: n > 0 ? Number(row?.[`a${i}`] ?? 0) / n : 0, null: n > 0 ? Number(row?.[`z${i}`] ?? 0) / n : 0 });
  });
  return shares;
}

/** A list's lengths, over the scope's documents where it is set (an array). */
function listLengths(context: ReadContext, collection: string, prefix: Document[], path: string) {
  return serverQuantiles(context, collection, prefix, { $cond: [{ $isArray: `$${path}` }, { $size: `$${path}` }, null] });
}

async function readScalar(
  context: ReadContext,
  model: Model,
  scope: Scope,
  f: ScalarField,
  path: string,
  count: number,
): Promise<Partial<FieldProfile>> {
  const { collection } = model;
  const out: Partial<FieldProfile> = {};
  if (f.isList) out.lengths = await listLengths(context, collection, scope.prefix, path);
  // The present, non-null values (a list's elements).
  const values: Document[] = [
    ...scope.prefix,
    { $match: { $expr: { $not: missingOrNull(path) } } },
    ...(f.isList ? [{ $unwind: `$${path}` }, { $match: { $expr: { $not: missingOrNull(path) } } }] : []),
  ];
  if (f.isId && scope.dbPath === '') {
    // An id is unique: its distinct values are the documents.
    out.distinct = Math.min(count, distinctCap);
    out.distinctCapped = count > distinctCap;
  } else if (f.type !== 'Json') {
    // An id, a foreign key or an ObjectId is never a value, however few of them the data holds.
    const isKey = f.isId || f.objectId || model.relations.some((r) => r.fromFields.includes(f.name));
    Object.assign(out, await distinctAndValues(context, collection, values, f, path, isKey));
  }
  const element = `$${path}`;
  if (numberTypes.has(f.type)) {
    out.numbers = await serverQuantiles(context, collection, values, { $cond: [{ $isNumber: element }, { $toDouble: element }, null] });
  } else if (f.type === 'DateTime') {
    out.dates = await serverQuantiles(context, collection, values, {
      $cond: [{ $eq: [{ $type: element }, 'date'] }, { $toLong: element }, null],
    });
  } else if (!f.isList && f.type === 'String') {
    out.lengths = await serverQuantiles(context, collection, values, {
      $cond: [{ $eq: [{ $type: element }, 'string'] }, { $strLenCP: element }, null],
    });
  } else if (!f.isList && f.type === 'Bytes') {
    out.lengths = await serverQuantiles(context, collection, values, {
      $cond: [{ $eq: [{ $type: element }, 'binData'] }, { $binarySize: element }, null],
    });
  }
  return out;
}

/**
 * One `$group` by value: how many distinct (capped), and the values themselves only where the
 * profile may keep them. The rule is applied on the server, so a name or a text never leaves
 * it even when a field happens to hold few of them.
 */
async function distinctAndValues(
  context: ReadContext,
  collection: string,
  values: Document[],
  f: ScalarField,
  path: string,
  isKey: boolean,
): Promise<Pick<FieldProfile, 'distinct' | 'distinctCapped' | 'values'>> {
  const keep = alwaysValues(f) || (valuesUnderRule(f) && !isKey);
  const top: Document[] = [
    { $sort: { c: -1, _id: 1 } },
    { $limit: lowCardinality.maxValues + 1 },
    { $group: { _id: null, k: { $sum: 1 }, least: { $min: '$c' }, vs: { $push: { v: '$_id', c: '$c' } } } },
    {
      $project: {
        _id: 0,
        vs: alwaysValues(f)
          ? { $slice: ['$vs', lowCardinality.maxValues] }
          : {
              $cond: [
                { $and: [{ $lte: ['$k', lowCardinality.maxValues] }, { $gte: ['$least', lowCardinality.minDocumentsPerValue] }] },
                '$vs',
                [],
              ],
            },
      },
    },
  ];
  const [row] = await aggregate(context, collection, [
    ...values,
    { $group: { _id: `$${path}`, c: { $sum: 1 } } },
    {
      $facet: {
        distinct: [{ $limit: distinctCap + 1 }, { $count: 'n' }],
        total: [{ $group: { _id: null, t: { $sum: '$c' } } }],
        ...(keep ? { top } : {}),
      },
    },
  ]);
  const distinct = Number((row?.distinct as Document[] | undefined)?.[0]?.n ?? 0);
  const total = Number((row?.total as Document[] | undefined)?.[0]?.t ?? 0);
  const out: Pick<FieldProfile, 'distinct' | 'distinctCapped' | 'values'> = {
    distinct: Math.min(distinct, distinctCap),
    distinctCapped: distinct > distinctCap,
  };
  const kept = ((row?.top as Document[] | undefined)?.[0]?.vs ?? []) as Document[];
  if (keep && total > 0 && (kept.length > 0 || alwaysValues(f))) {
    out.values = kept.map((r) => ({ value: valueOf(f, r.v), share: Number(r.c) / total }));
  }
  return out;
}

/** A kept value as the profile holds it: a string for String and enums, a boolean, a number. */
function valueOf(f: ScalarField, raw: unknown): string | number | boolean {
  if (f.type === 'Boolean') return raw === true;
  if (f.type === 'Int' || f.type === 'BigInt') return Number(raw);
  return String(raw);
}
