import { BSON, type Document } from 'mongodb';
import type { DataModel, Model, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { buildJoin, definedEntries, type Filter, parseWhere, renderFilter } from './filter.js';
import { brief } from './describe.js';
import type { ReadTransport } from './read.js';

/**
 * `aggregate` and `groupBy` as Prisma 6.19 runs them on MongoDB (prisma-engines @2ba551f3):
 * the client desugars the call into an aggregation selection (prisma/prisma 6.19.0
 * packages/client/src/runtime/core/model/aggregates/aggregate.ts `desugarUserArgs`,
 * groupBy.ts: the `by` fields selected too), the core checks it (query-engine/core
 * query_graph_builder/read/aggregations/{mod.rs `resolve_query`, group_by.rs `verify_*`}),
 * and the connector sends ONE aggregate (mongodb-query-connector root_queries/aggregate.rs
 * `aggregate`: `MongoReadQueryBuilder::from_args(..).with_groupings(by, selections, having)`),
 * whose `$group` / `$project` come from query_builder/group_by_builder.rs
 * `GroupByBuilder::render` and whose stage order is read_query_builder.rs
 * `into_pipeline_stages`: for `aggregate` the `$sort`/`$skip`/`$limit` apply to the documents
 * before the `$group`; for `groupBy` they apply to the groups, after it.
 *
 * Uncertain: `GroupByBuilder` keeps its aggregations in a Rust `HashSet`, so the order of the
 * keys inside Prisma's `$group` and `$project` changes from process to process; indexgate
 * writes them in the order of the call's selection (then those only `having` needs). The
 * keys, their expressions and the stages are Prisma's; only that order is chosen.
 */

type AggregationKind = 'count' | 'avg' | 'sum' | 'min' | 'max';
const aggregationKeys: Readonly<Record<string, AggregationKind>> = {
  _count: 'count',
  _avg: 'avg',
  _sum: 'sum',
  _min: 'min',
  _max: 'max',
};

/** One `_count`/`_avg`/… of the call (core `AggregationSelection`), in the call's key order. */
interface Selection {
  readonly key: '_count' | '_avg' | '_sum' | '_min' | '_max';
  readonly kind: AggregationKind;
  /** `_count: { _all: true }` (`count_all`). */
  readonly all: boolean;
  /** `_count: true`: the client's sugar for `{ _all: true }`, unpacked to a number (aggregate.ts `createUnpacker`). */
  readonly sugar: boolean;
  readonly fields: readonly ScalarField[];
}

interface Order {
  /** The `$sort` key (`age`, `_id.age`, `avg_age`). */
  readonly key: string;
  readonly dir: 1 | -1;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** query-structure `is_numeric`: the fields `_avg` and `_sum` take (schema build/output_types/aggregation/mod.rs `collect_numeric_fields`). */
const isNumeric = (f: ScalarField) => !f.isList && ['Int', 'BigInt', 'Float', 'Decimal'].includes(f.type);
/** `collect_non_list_nor_json_fields`: the fields `_min` and `_max` take. */
const isMinMaxable = (f: ScalarField) => !f.isList && f.type !== 'Json';
/** The types whose aggregated values indexgate decodes as the connector does (value.rs `read_scalar_value`); others are refused. */
const decodable = (f: ScalarField) => f.isEnum || ['String', 'Int', 'BigInt', 'Float', 'Boolean', 'DateTime'].includes(f.type);

export const aggregateSource =
  'rendered as Prisma 6.19 sends it (client aggregates/aggregate.ts desugarUserArgs; prisma-engines @2ba551f3 mongodb-query-connector root_queries/aggregate.rs, query_builder/group_by_builder.rs GroupByBuilder::render, read_query_builder.rs into_pipeline_stages)';
export const groupBySource =
  'rendered as Prisma 6.19 sends it (client aggregates/groupBy.ts; prisma-engines @2ba551f3 core read/aggregations/group_by.rs; mongodb-query-connector root_queries/aggregate.rs, group_by_builder.rs, read_query_builder.rs into_pipeline_stages, orderby.rs OrderByBuilder::build, filter.rs aggregate_conditions)';

/** `resolve_query` / `resolve_fields`: each aggregation key of the call, its fields in the call's order. */
function parseSelections(model: Model, args: Record<string, unknown>, call: string): Selection[] {
  const out: Selection[] = [];
  for (const [key, value] of definedEntries(args)) {
    const kind = aggregationKeys[key];
    if (!kind) continue;
    if (value === false) continue;
    if (kind === 'count' && value === true) {
      out.push({ key: '_count', kind, all: true, sugar: true, fields: [] });
      continue;
    }
    if (!isObject(value)) throw new PrismaCallError(call, `${key} takes { field: true, … }${kind === 'count' ? ' or true' : ''}`);
    let all = false;
    const fields: ScalarField[] = [];
    for (const [name, on] of definedEntries(value)) {
      if (on === false) continue;
      if (on !== true) throw new PrismaCallError(call, `${key}.${name} takes true`);
      if (kind === 'count' && name === '_all') {
        all = true;
        continue;
      }
      const field = model.field(name);
      if (!field || field.kind !== 'scalar') throw new PrismaCallError(call, `${key}: ${model.name} has no scalar field ${name}`);
      if ((kind === 'avg' || kind === 'sum') && !isNumeric(field))
        throw new PrismaCallError(
          call,
          `${key}: ${name} is not a numeric field (Prisma offers ${key} on Int, BigInt, Float and Decimal only)`,
        );
      if ((kind === 'min' || kind === 'max') && !isMinMaxable(field))
        throw new PrismaCallError(call, `${key}: ${name} is a list or Json field (Prisma offers ${key} on other scalars only)`);
      if (kind !== 'count' && !decodable(field))
        throw new PrismaCallError(call, `${key}: ${name} (${field.type}): values of this type are not supported by indexgate's renderer`);
      fields.push(field);
    }
    out.push({ key: key as Selection['key'], kind, all, sugar: false, fields });
  }
  return out;
}

/** One aggregated field of the `$group` (group_by_builder.rs `aggregations`: a set, so each (field, kind) once). */
interface Grouping {
  readonly field: ScalarField;
  readonly kind: AggregationKind;
}

/** The `{kind}_{db name}` key an aggregation gets (group_by_builder.rs `aggregation_pair`, `count_field_pair`). */
const aggregationKey = (kind: AggregationKind, field: ScalarField) => `${kind}_${field.dbName}`;

/** group_by_builder.rs `GroupByBuilder::render`: the `$group` stage and, when a field is counted, the `$project` after it. */
function groupStages(by: readonly ScalarField[], countAll: boolean, groupings: readonly Grouping[]): Document[] {
  const group: Document = {
    _id: by.length === 0 ? null : Object.fromEntries(by.map((f) => [f.dbName, `$${f.dbName}`])),
  };
  const project: Document = {};
  if (countAll) {
    group.count_all = { $sum: 1 };
    project.count_all = 1;
  }
  for (const { field, kind } of groupings) {
    const key = aggregationKey(kind, field);
    if (kind === 'count') {
      // "MongoDB requires a different construct for counting on fields": every value pushed, and a 1 or 0 per
      // document by whether the value is truthy (`$cond: {if: "$f"}`: 0, false, null and a missing field count 0),
      // summed by the `$project`. The `push_` array is built and then dropped by the `$project`.
      group[`push_${field.dbName}`] = { $push: `$${field.dbName}` };
      group[key] = { $push: { $cond: { if: `$${field.dbName}`, then: 1, else: 0 } } };
      project[key] = { $sum: `$${key}` };
    } else {
      group[key] = { [`$${kind}`]: `$${field.dbName}` };
      project[key] = 1;
    }
  }
  // `requires_projection`: only a field count needs the `$project`.
  return groupings.some((g) => g.kind === 'count') ? [{ $group: group }, { $project: project }] : [{ $group: group }];
}

function addGrouping(groupings: Grouping[], grouping: Grouping): void {
  if (!groupings.some((g) => g.kind === grouping.kind && g.field.name === grouping.field.name)) groupings.push(grouping);
}

function parseSkip(skip: unknown, call: string): number | undefined {
  if (skip === undefined) return undefined;
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0)
    throw new PrismaCallError(call, `skip must be an integer ≥ 0 ("Invalid value for skip argument")`);
  return skip;
}

function parseTake(take: unknown, call: string): number | undefined {
  if (take === undefined) return undefined;
  if (typeof take !== 'number' || !Number.isInteger(take)) throw new PrismaCallError(call, 'take must be an integer');
  return take;
}

const direction = (dir: unknown, where: string, call: string): 1 | -1 => {
  if (dir === 'asc') return 1;
  if (dir === 'desc') return -1;
  throw new PrismaCallError(call, `orderBy ${where}: 'asc' or 'desc' (nulls is not sent on MongoDB)`);
};

/**
 * extractors/query_arguments.rs `process_order_object` (only the first key of each object is
 * read), rendered by orderby.rs `OrderByBuilder::build`: for an aggregate, a scalar's db name;
 * for a groupBy, `_id.<field>` for a `by` field and `<kind>_<field>` for an aggregate
 * (`{ _avg: { age: 'asc' } }` → `avg_age`).
 */
function parseOrder(model: Model, orderBy: unknown, grouped: boolean, call: string): { order: Order[]; fields: ScalarField[] } {
  if (orderBy === undefined) return { order: [], fields: [] };
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  const order: Order[] = [];
  const fields: ScalarField[] = [];
  for (const item of items) {
    if (!isObject(item)) throw new PrismaCallError(call, `orderBy takes { field: 'asc' | 'desc' } or a list of them`);
    const first = definedEntries(item)[0];
    if (!first) continue;
    const [name, value] = first;
    const kind = aggregationKeys[name];
    if (kind) {
      if (!grouped)
        throw new PrismaCallError(
          call,
          `orderBy ${name}: ordering by an aggregate is not supported by indexgate's renderer outside groupBy`,
        );
      if (!isObject(value)) throw new PrismaCallError(call, `orderBy ${name} takes { field: 'asc' | 'desc' }`);
      const inner = definedEntries(value)[0];
      if (!inner) continue;
      const field = model.field(inner[0]);
      if (!field || field.kind !== 'scalar')
        throw new PrismaCallError(call, `orderBy ${name}: ${model.name} has no scalar field ${inner[0]}`);
      if ((kind === 'avg' || kind === 'sum') && !isNumeric(field))
        throw new PrismaCallError(call, `orderBy ${name}: ${field.name} is not numeric`);
      order.push({ key: aggregationKey(kind, field), dir: direction(inner[1], `${name}.${field.name}`, call) });
      continue;
    }
    const field = model.field(name);
    if (!field) throw new PrismaCallError(call, `orderBy: ${model.name} has no field ${name}`);
    if (field.kind !== 'scalar')
      throw new PrismaCallError(
        call,
        `orderBy ${name}: ordering by a relation is not supported by indexgate's renderer in ${grouped ? 'groupBy' : 'aggregate'}`,
      );
    order.push({ key: grouped ? `_id.${field.dbName}` : field.dbName, dir: direction(value, name, call) });
    fields.push(field);
  }
  return { order, fields };
}

/** The part of a pipeline before the aggregation: the where, its joins and its post-join `$match` (read_query_builder.rs `from_args`). */
function whereStages(dm: DataModel, filter: Filter | undefined): { before: Document[]; unwinds: Document[] } {
  const before: Document[] = [];
  const unwinds: Document[] = [];
  if (!filter) return { before, unwinds };
  const rendered = renderFilter(dm, filter);
  if (rendered.joins.length === 0) before.push({ $match: { $expr: rendered.expr } });
  for (const join of rendered.joins) {
    const built = buildJoin(dm, join);
    before.push(built.lookup);
    if (built.unwind) unwinds.push(built.unwind);
  }
  if (rendered.joins.length > 0) before.push({ $match: { $expr: rendered.expr } });
  return { before, unwinds };
}

/** `$sort` (reversed for a negative take), `$skip` and `$limit` as int64 (into_pipeline_stages). */
function pageStages(order: readonly Order[], skip: number | undefined, take: number | undefined): Document[] {
  const stages: Document[] = [];
  const reversed = take !== undefined && take < 0;
  if (order.length > 0) stages.push({ $sort: Object.fromEntries(order.map((o) => [o.key, (reversed ? -o.dir : o.dir) as 1 | -1])) });
  if (skip !== undefined) stages.push({ $skip: BSON.Long.fromNumber(skip) });
  if (take !== undefined) stages.push({ $limit: BSON.Long.fromNumber(Math.abs(take)) });
  return stages;
}

/**
 * A value of an aggregation row as the client gets it: value.rs `read_scalar_value` with the
 * type output_meta.rs `from_aggregation_selection` gives it (query-structure
 * aggregate_selection.rs `identifiers`: `_count` an Int, `_avg` a Float, `_sum`/`_min`/`_max`
 * the field's type), then the client's own types (a BigInt a JS `bigint`). The driver has
 * already turned int32, int64 within 2^53 and doubles into numbers.
 */
function decodeAs(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => decodeAs(type, v));
  // A boolean is 0 or 1 (value.rs: `(Int, Boolean) => bool as i64`).
  const asNumber = (v: unknown): number => (v instanceof BSON.Long ? v.toNumber() : Number(v));
  switch (type) {
    case 'Int':
      // (Int, Double) → `i as i64`: truncated.
      return Math.trunc(asNumber(value));
    case 'BigInt':
      return value instanceof BSON.Long ? BigInt(value.toString()) : BigInt(Math.trunc(asNumber(value)));
    case 'Float':
    case 'Decimal':
      return value instanceof BSON.Decimal128 ? Number(value.toString()) : asNumber(value);
    case 'String':
      return value instanceof BSON.ObjectId ? value.toHexString() : value;
    default:
      // Boolean, DateTime and enums as they are (an enum is its string).
      return value;
  }
}

/** aggregate.rs `to_aggregation_rows` / `empty_aggregation`: one client object per document (or the empty row). */
function toRow(selections: readonly Selection[], doc: Document | undefined): Document {
  const out: Document = {};
  for (const s of selections) {
    const values: Document = {};
    for (const f of s.fields) {
      const key = aggregationKey(s.kind, f);
      if (s.kind === 'count') values[f.name] = doc ? decodeAs('Int', doc[key]) : 0;
      else if (!doc) values[f.name] = null;
      else if (s.kind === 'avg') values[f.name] = decodeAs(f.type === 'Decimal' ? 'Decimal' : 'Float', doc[key]);
      else values[f.name] = decodeAs(f.type, doc[key]);
    }
    // "if `all` is set, it will always be the last of the count results" (aggregate_selection.rs).
    if (s.all) values._all = doc ? decodeAs('Int', doc.count_all) : 0;
    out[s.key] = s.sugar ? values._all : values;
  }
  return out;
}

const aggregateArgs = new Set(['where', 'orderBy', 'cursor', 'skip', 'take', '_count', '_avg', '_sum', '_min', '_max']);
const groupByArgs = new Set(['where', 'orderBy', 'by', 'having', 'skip', 'take', '_count', '_avg', '_sum', '_min', '_max']);

function checkArgs(args: unknown, allowed: Set<string>, call: string): Record<string, unknown> {
  const a = args === undefined ? {} : args;
  if (!isObject(a)) throw new PrismaCallError(call, 'takes one object of arguments');
  for (const [key] of definedEntries(a)) {
    if (key === 'cursor') throw new PrismaCallError(call, "cursor is not supported by indexgate's renderer in an aggregation");
    if (!allowed.has(key)) throw new PrismaCallError(call, `${key} is not an argument Prisma takes here (${[...allowed].join(', ')})`);
  }
  return a;
}

/** `prisma.<model>.aggregate(args)`: one aggregate, `$group: {_id: null}` after the documents' where, order, skip and take. */
export async function runAggregate(dm: DataModel, model: Model, args: unknown, label: string, transport: ReadTransport): Promise<Document> {
  const call = `prisma.${label}`;
  const planned = transport.overhead(() => {
    const a = checkArgs(args, aggregateArgs, call);
    const selections = parseSelections(model, a, call);
    if (selections.length === 0)
      throw new PrismaCallError(call, "an aggregate without _count, _avg, _sum, _min or _max is not rendered by indexgate's renderer");
    const filter = a.where === undefined ? undefined : parseWhere(dm, model, a.where, call);
    const skip = parseSkip(a.skip, call);
    const take = parseTake(a.take, call);
    let { order } = parseOrder(model, a.orderBy, false, call);
    // finalize_arguments (core extractors/query_arguments.rs): a take or a skip > 0 without orderBy orders by the id.
    if (order.length === 0 && (take !== undefined || (skip ?? 0) > 0)) order = [{ key: model.id.dbName, dir: 1 }];
    const groupings: Grouping[] = [];
    for (const s of selections) for (const field of s.fields) addGrouping(groupings, { field, kind: s.kind });
    const { before, unwinds } = whereStages(dm, filter);
    const pipeline = [
      ...before,
      ...unwinds,
      ...pageStages(order, skip, take),
      ...groupStages(
        [],
        selections.some((s) => s.all),
        groupings,
      ),
    ];
    return { selections, pipeline, take };
  });
  // As `count` does (read.ts runCount): a take of 0 answers the empty aggregation without sending.
  if (planned.take === 0) return toRow(planned.selections, undefined);
  const docs = await transport.aggregate({
    step: label,
    call: `prisma.${label.replace(/ #\d+$/, '')}(${brief(args ?? {})})`,
    collection: model.collection,
    pipeline: planned.pipeline,
    source: aggregateSource,
  });
  // aggregate.rs: no document → `empty_aggregation` (counts 0, everything else null).
  return transport.overhead(() => toRow(planned.selections, docs[0]));
}

/** The `having` of a groupBy as a filter over the grouped documents: `by` fields under `_id`, aggregates under `<kind>_<field>`. */
function parseHaving(
  dm: DataModel,
  model: Model,
  by: readonly ScalarField[],
  having: unknown,
  groupings: Grouping[],
  call: string,
): { filter: Filter; uncountable: Set<string> } {
  // A stand-in model whose fields are what a having filter refers to: filter.rs `aggregate_conditions` renders an
  // aggregate's condition on `$<kind>_<db name>` ("ignore_target"); a `by` field's on `$_id.<db name>` (FilterPrefix `_id`).
  const fields = new Map<string, ScalarField>();
  const uncountable = new Set<string>();
  const missing: string[] = [];
  const byField = (name: string): string => {
    const field = model.field(name);
    if (!field || field.kind !== 'scalar') throw new PrismaCallError(call, `having: ${model.name} has no scalar field ${name}`);
    return field.name;
  };
  const aggregateField = (kind: AggregationKind, field: ScalarField): string => {
    if ((kind === 'avg' || kind === 'sum') && !isNumeric(field))
      throw new PrismaCallError(call, `having: ${field.name}._${kind}: ${field.name} is not numeric`);
    if ((kind === 'min' || kind === 'max') && !isMinMaxable(field))
      throw new PrismaCallError(call, `having: ${field.name}._${kind}: not on a list or Json field`);
    const name = `_${kind}(${field.name})`;
    const dbName = aggregationKey(kind, field);
    if (!fields.has(name)) {
      // filter.rs `coerce_to_bson_for_filter`: a `_count` of a non-numeric field compares with a bare int64 (no `$literal`);
      // any other aggregate's value is the field's own BSON type, in a `$literal`.
      const counted = kind === 'count' && !isNumeric(field);
      if (counted) uncountable.add(`$${dbName}`);
      fields.set(name, {
        ...field,
        name,
        dbName,
        isList: false,
        isId: false,
        isUnique: false,
        ...(counted ? { type: 'Int', isEnum: false, objectId: false, int32: false } : {}),
      });
    }
    addGrouping(groupings, { field, kind });
    return name;
  };
  // ScalarFilterParser on a having object: each key of a field's object one filter, an aggregate key
  // (`_avg: {…}`) an AggregationFilter, in the key order; rewritten as an AND of single filters on the stand-in.
  const rewrite = (where: unknown): Record<string, unknown> => {
    if (!isObject(where)) throw new PrismaCallError(call, 'having takes an object');
    const parts: Record<string, unknown>[] = [];
    for (const [key, value] of definedEntries(where)) {
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        const items = Array.isArray(value) ? value.map(rewrite) : rewrite(value);
        parts.push({ [key]: items });
        continue;
      }
      const name = byField(key);
      const field = model.field(name) as ScalarField;
      const inBy = by.some((f) => f.name === name);
      const plain = (v: unknown) => {
        if (!inBy) missing.push(name);
        if (!fields.has(name)) fields.set(name, { ...field, dbName: `_id.${field.dbName}` });
        return { [name]: v };
      };
      if (!isObject(value)) {
        parts.push(plain(value));
        continue;
      }
      const { mode, ...ops } = value;
      for (const [op, v] of definedEntries(ops)) {
        const kind = aggregationKeys[op];
        if (kind) {
          if (!isObject(v)) throw new PrismaCallError(call, `having: ${name}.${op} takes a filter object`);
          parts.push({ [aggregateField(kind, field)]: v });
        } else parts.push(plain({ [op]: v, ...(mode === undefined ? {} : { mode }) }));
      }
    }
    return parts.length === 1 ? (parts[0] as Record<string, unknown>) : { AND: parts };
  };
  const rewritten = rewrite(having);
  // group_by.rs `verify_having`.
  if (missing.length > 0)
    throw new PrismaCallError(
      call,
      `Every field used in \`having\` filters must either be an aggregation filter or be included in the selection of the query. Missing fields: ${[...new Set(missing)].join(', ')}`,
    );
  const standIn: Model = {
    ...model,
    fields: [...fields.values()],
    scalars: [...fields.values()],
    relations: [],
    field: (n) => fields.get(n),
  };
  return { filter: parseWhere(dm, standIn, rewritten, call), uncountable };
}

/** A `_count` of a non-numeric field compared with a bare value: `[ref, {$literal: v}]` → `[ref, v]`. */
function unwrapLiterals(expr: unknown, refs: Set<string>): unknown {
  if (Array.isArray(expr)) {
    const [ref, value] = expr as unknown[];
    if (expr.length === 2 && typeof ref === 'string' && refs.has(ref) && isObject(value) && '$literal' in value)
      return [ref, value.$literal];
    return expr.map((e) => unwrapLiterals(e, refs));
  }
  if (isObject(expr) && !(expr as { _bsontype?: string })._bsontype)
    return Object.fromEntries(Object.entries(expr).map(([k, v]) => [k, unwrapLiterals(v, refs)]));
  return expr;
}

/** `prisma.<model>.groupBy(args)`: one aggregate, `$group` by the `by` fields, then having, order, skip and take on the groups. */
export async function runGroupBy(dm: DataModel, model: Model, args: unknown, label: string, transport: ReadTransport): Promise<Document[]> {
  const call = `prisma.${label}`;
  const planned = transport.overhead(() => {
    const a = checkArgs(args, groupByArgs, call);
    const names = typeof a.by === 'string' ? [a.by] : a.by;
    if (!Array.isArray(names)) throw new PrismaCallError(call, 'by takes a field name or a list of them');
    // group_by.rs `extract_grouping`.
    if (names.length === 0) throw new PrismaCallError(call, 'At least one selection is required for the `by` argument.');
    const by = names.map((name) => {
      const field = typeof name === 'string' ? model.field(name) : undefined;
      if (!field || field.kind !== 'scalar') throw new PrismaCallError(call, `by: ${model.name} has no scalar field ${String(name)}`);
      if (!decodable(field))
        throw new PrismaCallError(
          call,
          `by: ${field.name} (${field.type}${field.isList ? '[]' : ''}): grouping by it is not supported by indexgate's renderer`,
        );
      return field;
    });
    const selections = parseSelections(model, a, call);
    const filter = a.where === undefined ? undefined : parseWhere(dm, model, a.where, call);
    const skip = parseSkip(a.skip, call);
    const take = parseTake(a.take, call);
    if (take !== undefined && take < 0)
      throw new PrismaCallError(
        call,
        "a negative take in groupBy is not rendered by indexgate's renderer (whether Prisma reverses the groups back is not settled)",
      );
    let { order, fields: ordered } = parseOrder(model, a.orderBy, true, call);
    // finalize_arguments: a take or skip > 0 without orderBy orders by the id, which group_by.rs then checks like any ordering.
    if (order.length === 0 && (take !== undefined || (skip ?? 0) > 0)) {
      order = [{ key: `_id.${model.id.dbName}`, dir: 1 }];
      ordered = [model.id];
    }
    // group_by.rs `verify_orderings`.
    const notGrouped = ordered.filter((f) => !by.some((b) => b.name === f.name)).map((f) => f.name);
    if (notGrouped.length > 0)
      throw new PrismaCallError(
        call,
        `Every field used for orderBy must be included in the by-arguments of the query. Missing fields: ${notGrouped.join(', ')}`,
      );
    const groupings: Grouping[] = [];
    for (const s of selections) for (const field of s.fields) addGrouping(groupings, { field, kind: s.kind });
    // with_groupings: the having filter rendered with the `_id` prefix, after the `$group` (and its `$project`).
    let havingStage: Document[] = [];
    if (a.having !== undefined) {
      const { filter: havingFilter, uncountable } = parseHaving(dm, model, by, a.having, groupings, call);
      const rendered = renderFilter(dm, havingFilter);
      havingStage = [{ $match: { $expr: uncountable.size > 0 ? unwrapLiterals(rendered.expr, uncountable) : rendered.expr } }];
    }
    const { before, unwinds } = whereStages(dm, filter);
    const pipeline = [
      ...before,
      ...groupStages(
        by,
        selections.some((s) => s.all),
        groupings,
      ),
      ...havingStage,
      ...unwinds,
      ...pageStages(order, skip, take),
    ];
    return { selections, by, pipeline, take };
  });
  if (planned.take === 0) return [];
  const docs = await transport.aggregate({
    step: label,
    call: `prisma.${label.replace(/ #\d+$/, '')}(${brief(args ?? {})})`,
    collection: model.collection,
    pipeline: planned.pipeline,
    source: groupBySource,
  });
  return transport.overhead(() =>
    docs.map((doc) => {
      const id = (doc._id ?? {}) as Document;
      const row = toRow(planned.selections, doc);
      // to_aggregation_rows: each `by` value from `_id` (mongod writes a missing field there as null).
      for (const f of planned.by) {
        row[f.name] = decodeAs(f.type, id[f.dbName]);
      }
      return row;
    }),
  );
}
