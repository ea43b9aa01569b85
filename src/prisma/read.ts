import { BSON, type Document } from 'mongodb';
import type { CompositeField, CompositeType, DataModel, Model, RelationField, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { buildJoin, definedEntries, type Filter, isManyToMany, type Join, parseWhere, renderFilter } from './filter.js';
import { brief } from './describe.js';
import { decodeValue, encodeValue } from './values.js';

/**
 * A composite field's selection (query-structure `SelectedField::Composite`): its fields, scalars
 * and further composites; projected as dotted paths (projection.rs `path_prefixed_selection`).
 */
interface CompositeSelection {
  readonly kind: 'composite';
  readonly name: string;
  readonly field: CompositeField;
  readonly fields: readonly (ScalarField | CompositeSelection)[];
}
type Projected = ScalarField | CompositeSelection;

/**
 * Reads as Prisma 6.19 runs them on MongoDB (prisma-engines @2ba551f3): one `aggregate` per
 * model read (mongodb-query-connector query_builder/read_query_builder.rs `from_args`,
 * `into_pipeline_stages`), relations loaded by separate queries of the parents' link values
 * (query-engine/core interpreter/query_interpreters/nested_read.rs `one2m`), run one after
 * another, depth first (read.rs `process_nested`), and paginated per parent in memory when
 * they have several parents (inmemory_record_processor.rs).
 */

/** What the read engine asks of whoever sends the commands (the route recorder). */
export interface ReadTransport {
  /** Sends an aggregate and returns every document; throws an `OverLimit` when it reaches the command limit. */
  aggregate(request: CommandRequest): Promise<Document[]>;
  /** The same answer by a cheaper command (a stand-in for one over the limit): neither timed nor recorded. */
  standIn(collection: string, pipeline: Document[]): Promise<Document[]>;
  /** Prisma's own in-memory work on the results (the take per parent, the merge of nested reads): counted in the route's time. */
  clientWork<T>(step: string, describe: string, fn: () => T): T;
  /** indexgate's own work (rendering a call, shaping its result): timed apart, never counted in the route's time. */
  overhead<T>(fn: () => T): T;
  /** A command sent as given (the client's raw operations; the find a many-to-many read sends); absent where none can be sent. */
  raw?(request: RawRequest): Promise<Document[]>;
}

/** A raw command (aggregateRaw, findRaw, $runCommandRaw, and the find of a many-to-many read), sent as given. */
export type RawRequest =
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'aggregate'; readonly pipeline: Document[]; readonly options: Document })
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'find'; readonly filter: Document; readonly options: Document })
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'command'; readonly command: Document });

/** A command the engine sends: where it goes, and what it stands for. */
export interface CommandRequest {
  /** `conversation.findMany`, `conversation.findMany › members`: the call and the relation path. */
  readonly step: string;
  readonly call: string;
  readonly collection: string;
  readonly pipeline: Document[];
  readonly source: string;
}

/** A command that reached its limit. The read engine may answer its caller with a stand-in. */
export class OverLimit extends Error {
  constructor(readonly step: string) {
    super(`${step}: over the command limit`);
  }
}

export const readSource =
  'rendered as Prisma 6.19 sends it (prisma-engines @2ba551f3: mongodb-query-connector read_query_builder.rs, filter.rs, join.rs, projection.rs, orderby.rs)';
const nestedSource =
  'rendered as Prisma 6.19 sends it (prisma-engines @2ba551f3: core nested_read.rs one2m, inmemory_record_processor.rs; mongodb-query-connector read_query_builder.rs, filter.rs)';
const countSource =
  'rendered as Prisma 6.19 sends it (client aggregates/count.ts: _count._all; prisma-engines @2ba551f3 root_queries/aggregate.rs, query_builder/group_by_builder.rs)';

type Take = { kind: 'all' } | { kind: 'one'; reversed: boolean } | { kind: 'some'; n: number };

/**
 * One ordering (query-structure `OrderBy`, core extractors/query_arguments.rs `process_order_object`):
 * a scalar of the model or reached over to-one relation and composite hops (`OrderBy::Scalar` with a
 * path), or the count of a to-many relation or composite list (`OrderBy::ToManyAggregation`, `_count`),
 * itself reached over such hops.
 */
type Order =
  | { readonly kind: 'scalar'; readonly field: ScalarField; readonly path: readonly Hop[]; readonly dir: 1 | -1 }
  | { readonly kind: 'count'; readonly list: RelationField | CompositeField; readonly path: readonly Hop[]; readonly dir: 1 | -1 };
/** query-structure `OrderByHop`: a to-one relation or a composite on the way to the ordered scalar or list. */
type Hop = RelationField | CompositeField;

/** A unique field's (or compound unique's) value a cursor pins: core extractors/query_arguments.rs `extract_cursor`. */
interface CursorValue {
  readonly field: ScalarField;
  /** As sent (`(&field, value).into_bson()`). */
  readonly value: unknown;
}

/** One read: a model, its arguments, what it selects, and the relation reads below it. */
interface ReadNode {
  readonly model: Model;
  /** The relation a nested read follows (on the parent's model). */
  readonly relation?: RelationField;
  readonly label: string;
  /** The call as written, for the reports: `prisma.conversation.findMany({ … })`, `members: { … }`. */
  readonly call: string;
  readonly filter: Filter | undefined;
  readonly order: readonly Order[];
  readonly skip: number | undefined;
  readonly take: Take;
  /** `cursor`: the unique values that pin the cursor's record. */
  readonly cursor?: readonly CursorValue[];
  /** `distinct`: the scalars the rows are made distinct on, in memory (per parent in a nested read). */
  readonly distinct?: readonly ScalarField[];
  /**
   * query-structure query_arguments.rs `requires_inmemory_processing` (an unstable or null cursor,
   * or any `distinct`: MongoDB has no `DistinctOn`): the database gets no `$skip`/`$limit`
   * (`ignore_skip`/`ignore_take`) and core inmemory_record_processor.rs `apply` does them.
   */
  readonly inMemory: boolean;
  /** Projected scalars and composites, in the engine's order (id first, then the selection, then link fields). */
  readonly projection: readonly Projected[];
  readonly counts: readonly { readonly field: RelationField; readonly filter: Filter | undefined }[];
  /** The client's result keys, in the order of its selection. */
  readonly result: readonly (
    | { kind: 'scalar'; field: ScalarField }
    | { kind: 'composite'; selection: CompositeSelection }
    | { kind: 'relation'; node: ReadNode }
    | { kind: 'count' }
  )[];
  readonly nested: readonly ReadNode[];
}

const readArgs = new Set(['where', 'orderBy', 'cursor', 'skip', 'take', 'distinct', 'select', 'include', 'omit']);
const nestedArgs = new Set(['where', 'orderBy', 'cursor', 'skip', 'take', 'distinct', 'select', 'include', 'omit']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** `finalize_arguments` (core extractors/query_arguments.rs): no orderBy, and a take, a skip > 0 or a cursor: order by the id. */
function implicitOrder(model: Model, order: readonly Order[], skip: number | undefined, take: Take, cursor: boolean): readonly Order[] {
  if (order.length > 0) return order;
  return take.kind === 'some' || (skip ?? 0) > 0 || cursor ? [{ kind: 'scalar', field: model.id, path: [], dir: 1 }] : order;
}

const sortDir = (dir: unknown, name: string, call: string): 1 | -1 => {
  if (dir !== 'asc' && dir !== 'desc') throw new PrismaCallError(call, `orderBy ${name}: 'asc' or 'desc' (nulls is not sent on MongoDB)`);
  return dir === 'asc' ? 1 : -1;
};

/**
 * core extractors/query_arguments.rs `extract_order_by` / `process_order_object`: only the first
 * key of each object is read; a to-one relation is followed into its model (a hop of the path),
 * a to-many relation takes `{ _count: 'asc' | 'desc' }` (a `ToManyAggregation`).
 */
function parseOrder(dm: DataModel, model: Model, orderBy: unknown, call: string): Order[] {
  if (orderBy === undefined) return [];
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  return items.flatMap((item): Order[] => {
    if (!isObject(item)) throw new PrismaCallError(call, `orderBy takes { field: 'asc' | 'desc' } or a list of them`);
    const one = orderOf(dm, model, item, [], call);
    return one ? [one] : [];
  });
}

function orderOf(
  dm: DataModel,
  model: Model | CompositeType,
  item: Record<string, unknown>,
  path: readonly Hop[],
  call: string,
): Order | undefined {
  const first = definedEntries(item)[0];
  if (!first) return undefined;
  const [name, value] = first;
  const field = model.field(name);
  if (!field)
    throw new PrismaCallError(
      call,
      `orderBy: ${model.name} has no field ${name}${name.startsWith('_') ? ' (aggregate orderings are for groupBy)' : ''}`,
    );
  if (field.kind === 'scalar') {
    if (field.isList)
      throw new PrismaCallError(call, `orderBy ${name}: a list field cannot be ordered by (Prisma's orderBy input has no list scalars)`);
    return { kind: 'scalar', field, path, dir: sortDir(value, name, call) };
  }
  if (!isObject(value)) throw new PrismaCallError(call, `orderBy ${name} takes an object (a ${field.kind})`);
  // order_by_objects.rs `orderby_field_mapper`: a list (relation or composite) is ordered by its `_count`
  // (`order_by_to_many_aggregate_object_type`), a to-one relation or a composite by its own fields.
  if (field.isList) {
    const keys = definedEntries(value);
    if (keys.length !== 1 || keys[0]?.[0] !== '_count')
      throw new PrismaCallError(call, `orderBy ${name}: a list ${field.kind} is ordered by { _count: 'asc' | 'desc' } only`);
    return { kind: 'count', list: field, path, dir: sortDir(keys[0][1], `${name}._count`, call) };
  }
  const next = field.kind === 'relation' ? dm.model(field.type) : dm.composite(field.type);
  return orderOf(dm, next, value, [...path, field], call);
}

/**
 * What orderby.rs makes of one ordering (`OrderByData::compute`, `compute_prefix`, `binding_names`,
 * `full_reference_path`; `OrderByBuilder::build`): the `$sort` key, the join it needs (aliased
 * `orderby_<relation name>_<index>`, nested joins for further hops), the `$addFields` of a count,
 * and the names a cursor binds and compares (cursor.rs).
 */
interface OrderData {
  readonly order: Order;
  readonly key: string;
  readonly join?: Join;
  readonly addFields?: readonly Document[];
  /** `binding_names`: the `let` variable and the field it binds. */
  readonly bindLeft: string;
  readonly bindRight: string;
  /** `full_reference_path(true)` / `full_reference_path(false)`. */
  readonly bound: string;
  readonly unbound: string;
}

function orderData(order: readonly Order[]): OrderData[] {
  return order.map((o, index): OrderData => {
    const hops: readonly Hop[] = o.kind === 'count' ? [...o.path, o.list] : o.path;
    if (hops.length === 0) {
      const f = (o as Extract<Order, { kind: 'scalar' }>).field;
      // binding_names: the client name, first letter lower-cased (prisma/prisma#14001), bound to the database name.
      const left = f.name.charAt(0).toLowerCase() + f.name.slice(1);
      return { order: o, key: f.dbName, bindLeft: left, bindRight: f.dbName, bound: left, unbound: f.dbName };
    }
    // compute_prefix: a relation hop by its relation's name, a composite by its database name; with a
    // relation hop the first part is the join's alias `orderby_<part>_<index>`.
    const parts = hops.map((h) => (h.kind === 'relation' ? h.relationName : h.dbName));
    const relations = hops.filter((h): h is RelationField => h.kind === 'relation');
    const first = parts[0] as string;
    const alias = relations.length > 0 ? `orderby_${first}_${index}` : undefined;
    if (alias) parts[0] = alias;
    const prefix = parts.join('.');
    // compute: the relation hops' joins folded right to left (each inside the one before), the first aliased; composites need none.
    const [firstRelation, ...rest] = relations;
    const join: Join | undefined = firstRelation
      ? { field: firstRelation, nested: rest.reduceRight<Join[]>((inner, hop) => [{ field: hop, nested: inner }], []), alias }
      : undefined;
    const bind = parts[0] as string;
    if (o.kind === 'scalar') {
      // full_reference_path: the prefix, then the scalar's database name.
      const ref = `${prefix}.${o.field.dbName}`;
      return { order: o, key: ref, ...(join ? { join } : {}), bindLeft: bind, bindRight: bind, bound: ref, unbound: ref };
    }
    // A ToManyAggregation (`_count`), OrderByBuilder::build: a composite-only path is counted into
    // its `clone_to` (`orderby_<first part>_<index>`) and sorted by it; over relation hops, the join's
    // alias is unwound to the next part for every to-one hop (`unwind_aggregate_joins`) and replaced by
    // its `$size`. Referenced (cursor) by the prefix (`full_reference_path` of an aggregation).
    if (!alias) {
      const cloneTo = `orderby_${first}_${index}`;
      return {
        order: o,
        key: cloneTo,
        addFields: [{ $addFields: { [cloneTo]: { $size: { $ifNull: [`$${prefix}`, []] } } } }],
        bindLeft: bind,
        bindRight: bind,
        bound: prefix,
        unbound: prefix,
      };
    }
    const unwinds = hops.flatMap((hop, i) =>
      hop.isList || parts[i + 1] === undefined
        ? []
        : [
            { $unwind: { path: `$${alias}`, preserveNullAndEmptyArrays: true } },
            { $addFields: { [alias]: `$${alias}.${parts[i + 1] as string}` } },
          ],
    );
    return {
      order: o,
      key: alias,
      ...(join ? { join } : {}),
      addFields: [...unwinds, { $addFields: { [alias]: { $size: { $ifNull: [`$${alias}`, []] } } } }],
      bindLeft: alias,
      bindRight: alias,
      bound: prefix,
      unbound: prefix,
    };
  });
}

function parseTake(take: unknown, call: string): Take {
  if (take === undefined) return { kind: 'all' };
  if (typeof take !== 'number' || !Number.isInteger(take)) throw new PrismaCallError(call, `take must be an integer`);
  return { kind: 'some', n: take };
}

function parseSkip(skip: unknown, call: string): number | undefined {
  if (skip === undefined) return undefined;
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0)
    throw new PrismaCallError(call, `skip must be an integer ≥ 0 ("Invalid value for skip argument")`);
  return skip;
}

/** A read's node from the client's arguments (`select`/`include` → selection, nested reads, `_count`). */
function planNode(
  dm: DataModel,
  model: Model,
  args: Record<string, unknown>,
  label: string,
  call: string,
  allowed: Set<string>,
  relation?: RelationField,
): ReadNode {
  for (const [key] of definedEntries(args))
    if (key === 'relationLoadStrategy')
      throw new PrismaCallError(
        call,
        'relationLoadStrategy is not supported on MongoDB (Prisma offers it only with the relationJoins preview on SQL connectors)',
      );
    else if (!allowed.has(key))
      throw new PrismaCallError(call, `${key} is not supported by indexgate's renderer (supported: ${[...allowed].join(', ')})`);
  if (args.select !== undefined && args.include !== undefined)
    throw new PrismaCallError(call, 'select and include cannot be used together (Prisma refuses it too)');
  const omitted = parseOmit(model, args.omit, args.select !== undefined, call);
  const filter = args.where === undefined ? undefined : parseWhere(dm, model, args.where, call);
  const skip = parseSkip(args.skip, call);
  const take = parseTake(args.take, call);
  const cursor = args.cursor === undefined ? undefined : parseCursor(model, args.cursor, call);
  const order = implicitOrder(model, parseOrder(dm, model, args.orderBy, call), skip, take, cursor !== undefined);
  const distinct = args.distinct === undefined ? undefined : parseDistinct(model, args.distinct, call);
  const inMemory = distinct !== undefined || (cursor !== undefined && unstableOrNullCursor(dm, model, order));

  const selected: Projected[] = [];
  const result: ReadNode['result'][number][] = [];
  const nested: ReadNode[] = [];
  const counts: { field: RelationField; filter: Filter | undefined }[] = [];
  const addScalar = (f: ScalarField) => {
    selected.push(f);
    result.push({ kind: 'scalar', field: f });
  };
  const select = isObject(args.select) ? args.select : undefined;
  const include = isObject(args.include) ? args.include : undefined;
  if (args.select !== undefined && !select) throw new PrismaCallError(call, 'select takes an object');
  if (args.include !== undefined && !include) throw new PrismaCallError(call, 'include takes an object');
  const addComposite = (c: CompositeSelection) => {
    selected.push(c);
    result.push({ kind: 'composite', selection: c });
  };
  // No select: the client sends `$composites: true, $scalars: true`, which request-handlers
  // protocols/json/protocol_adapter.rs `convert_selection` expands in that key order: every
  // composite (`default_composite_selection`), then every scalar (`default_scalar_selection`),
  // each in declaration order; then the included relations.
  // `omit` (client serializeJsonQuery.ts `omitFields`: `field: false` in that selection) removes
  // the field from it (protocol_adapter.rs `convert_selection`: `push_nested_exclusion`, then
  // `remove_nested_selection`); the id and link fields are still projected (below), not returned.
  if (!select) {
    for (const f of model.composites) if (!omitted.has(f.name)) addComposite(wholeComposite(dm, f));
    for (const f of model.scalars) if (!omitted.has(f.name)) addScalar(f);
  }
  for (const [key, value] of definedEntries(select ?? include ?? {})) {
    if (value === false) continue;
    if (key === '_count') {
      counts.push(...planCounts(dm, model, value, call));
      result.push({ kind: 'count' });
      continue;
    }
    const field = model.field(key);
    if (!field) throw new PrismaCallError(call, `${select ? 'select' : 'include'}: ${model.name} has no field ${key}`);
    if (field.kind === 'scalar') {
      if (include) throw new PrismaCallError(call, `include: ${key} is a scalar; include takes relations (use select)`);
      if (value !== true) throw new PrismaCallError(call, `select: ${key} takes true`);
      addScalar(field);
      continue;
    }
    if (field.kind === 'composite') {
      if (include) throw new PrismaCallError(call, `include: ${key} is a composite field; include takes relations (use select)`);
      addComposite(compositeSelection(dm, field, value, call));
      continue;
    }
    // A relation: its foreign-key scalars are selected at its place (read/utils.rs `pairs_to_selections`), its read nested.
    for (const fk of field.fromFields) {
      const f = model.field(fk);
      if (f?.kind === 'scalar') selected.push(f);
    }
    const nestedArgsOf = value === true ? {} : isObject(value) ? value : undefined;
    if (!nestedArgsOf) throw new PrismaCallError(call, `${key} takes true or an object`);
    if (!field.isList)
      for (const k of ['where', 'orderBy', 'skip', 'take'])
        if (nestedArgsOf[k] !== undefined) throw new PrismaCallError(call, `${key} is a to-one relation: ${k} is not allowed on it`);
    const node = planNode(dm, dm.model(field.type), nestedArgsOf, `${label} › ${key}`, call, nestedArgs, field);
    nested.push(node);
    result.push({ kind: 'relation', node });
  }

  // collect_selected_fields: the id first; merge_relation_selections: the parent's link (nested reads), then each nested read's link.
  // collect_selected_fields: "Distinct fields are always selected because we are processing them in-memory".
  const projection = uniqueFields([
    model.id,
    ...selected,
    ...(distinct ?? []),
    ...(relation ? dm.linkingFields(dm.opposite(relation)) : []),
    ...nested.flatMap((n) => dm.linkingFields(n.relation as RelationField)),
  ]);
  if (inMemory && cursor?.some((c) => !projection.includes(c.field)))
    throw new PrismaCallError(
      call,
      "cursor: with this ordering Prisma finds the cursor's row in memory by its fields; select them (indexgate's renderer does not render the read without them)",
    );
  const written = relation ? `${relation.name}: ${brief(args)}` : `prisma.${label.replace(/ #\d+$/, '')}(${brief(args)})`;
  return {
    model,
    ...(relation ? { relation } : {}),
    label,
    call: written,
    filter,
    order,
    skip,
    take,
    ...(cursor ? { cursor } : {}),
    ...(distinct ? { distinct } : {}),
    inMemory,
    projection,
    counts,
    result,
    nested,
  };
}

/**
 * `omit: { field: true | false }` (GA since Prisma 6.2; the client's `<Model>Omit`: scalar, enum and
 * composite fields, client-generator-js SelectIncludeOmit.ts `buildOmitType`); with `select` the
 * client refuses it (serializeJsonQuery.ts `serializeSelectionSet`: MutuallyExclusiveFields).
 */
function parseOmit(model: Model, omit: unknown, withSelect: boolean, call: string): Set<string> {
  if (omit === undefined) return new Set();
  if (withSelect) throw new PrismaCallError(call, 'omit and select cannot be used together (Prisma refuses it too)');
  if (!isObject(omit)) throw new PrismaCallError(call, 'omit takes { field: true | false }');
  const out = new Set<string>();
  for (const [name, value] of definedEntries(omit)) {
    const field = model.field(name);
    if (!field) throw new PrismaCallError(call, `omit: ${model.name} has no field ${name}`);
    if (field.kind === 'relation')
      throw new PrismaCallError(call, `omit: ${name} is a relation; omit takes scalar and composite fields (Prisma's ${model.name}Omit)`);
    if (typeof value !== 'boolean') throw new PrismaCallError(call, `omit: ${name} takes true or false`);
    if (value) out.add(name);
  }
  return out;
}

/**
 * core extractors/query_arguments.rs `extract_cursor`: the cursor is a `WhereUniqueInput` (the
 * client refuses one without a unique field); each unique field, or a compound unique's fields in
 * their declared order, is one (field, value) pair.
 */
function parseCursor(model: Model, cursor: unknown, call: string): CursorValue[] {
  if (!isObject(cursor)) throw new PrismaCallError(call, 'cursor takes an object of unique fields');
  const out: CursorValue[] = [];
  const uniques = [
    model.id.name,
    ...model.scalars.filter((f) => f.isUnique).map((f) => f.name),
    ...model.compoundUniques.map((u) => u.name),
  ];
  for (const [key, value] of definedEntries(cursor)) {
    const field = model.field(key);
    const compound = model.compoundUniques.find((u) => u.name === key);
    if (field?.kind === 'scalar' && (field.isId || field.isUnique)) out.push({ field, value: encodeValue(field, value, call) });
    else if (compound) {
      if (!isObject(value)) throw new PrismaCallError(call, `cursor.${key} takes { ${compound.fields.join(', ')} }`);
      for (const name of compound.fields) {
        const f = model.field(name) as ScalarField;
        if (value[name] === undefined) throw new PrismaCallError(call, `cursor.${key} needs ${name}`);
        out.push({ field: f, value: encodeValue(f, value[name], call) });
      }
    } else if (!field) throw new PrismaCallError(call, `cursor: ${model.name} has no field ${key}`);
    else
      throw new PrismaCallError(
        call,
        `cursor: ${key} is not a unique field of ${model.name}; a cursor is a ${model.name}WhereUniqueInput (${uniques.join(', ')})`,
      );
  }
  if (out.length === 0)
    throw new PrismaCallError(call, `cursor needs a unique field of ${model.name} (Prisma: "needs at least one of ${uniques.join(', ')}")`);
  return out;
}

/** core extractors/query_arguments.rs `extract_distinct`: a scalar field or a list of them (the client's `distinct: 'a'` is `['a']`). */
function parseDistinct(model: Model, distinct: unknown, call: string): ScalarField[] {
  const names = Array.isArray(distinct) ? distinct : [distinct];
  if (names.length === 0) throw new PrismaCallError(call, 'distinct takes a field or a non-empty list of fields');
  return names.map((name) => {
    if (typeof name !== 'string') throw new PrismaCallError(call, `distinct takes field names, not ${JSON.stringify(name)}`);
    const field = model.field(name);
    if (!field) throw new PrismaCallError(call, `distinct: ${model.name} has no field ${name}`);
    if (field.kind !== 'scalar')
      throw new PrismaCallError(
        call,
        `distinct: ${name} is a ${field.kind} field; distinct takes scalar fields (Prisma's ${model.name}ScalarFieldEnum)`,
      );
    return field;
  });
}

/**
 * query-structure query_arguments.rs `contains_null_cursor` (a cursor with an ordering on an
 * optional scalar) or `contains_unstable_cursor` (`is_stable_ordering` false: no unique scalar of
 * the model, no compound unique fully ordered on, no unique reached over required 1:1 hops).
 */
function unstableOrNullCursor(dm: DataModel, model: Model, order: readonly Order[]): boolean {
  const scalars = order.filter((o): o is Extract<Order, { kind: 'scalar' }> => o.kind === 'scalar');
  if (scalars.some((o) => !o.field.isRequired)) return true;
  if (order.length === 0) return false;
  const onModel = scalars.filter((o) => o.path.length === 0);
  const onRelation = scalars.filter((o) => o.path.length > 0);
  if (onRelation.some((o) => o.path.some((hop) => !hop.isRequired))) return true;
  const unique = (f: ScalarField) => f.isUnique || f.isId;
  const sourceUnique = onModel.some((o) => unique(o.field));
  const compound = model.compoundUniques.some((u) => u.fields.every((name) => onModel.some((o) => o.field.name === name)));
  // A 1:1 hop: neither side a list (RelationField::relation().is_one_to_one()).
  const oneToOne = onRelation.some(
    (o) => unique(o.field) && o.path.every((hop) => hop.kind === 'relation' && !hop.isList && !dm.opposite(hop).isList),
  );
  return !(sourceUnique || compound || oneToOne);
}

/** A composite selected whole (`address: true`, or by default): every field of its type, composites whole too. */
function wholeComposite(dm: DataModel, field: CompositeField): CompositeSelection {
  const type: CompositeType = dm.composite(field.type);
  return {
    kind: 'composite',
    name: field.name,
    field,
    fields: type.fields.map((f) => (f.kind === 'composite' ? wholeComposite(dm, f) : f)),
  };
}

/** `address: true` or `address: { select: { city: true, geo: true | { select } } }`. */
function compositeSelection(dm: DataModel, field: CompositeField, value: unknown, call: string): CompositeSelection {
  if (value === true) return wholeComposite(dm, field);
  if (!isObject(value) || !isObject(value.select) || Object.keys(value).some((k) => k !== 'select'))
    throw new PrismaCallError(call, `select: ${field.name} takes true or { select: { … } } (a composite)`);
  const type = dm.composite(field.type);
  const fields = definedEntries(value.select).flatMap(([name, v]): (ScalarField | CompositeSelection)[] => {
    if (v === false) return [];
    const f = type.field(name);
    if (!f) throw new PrismaCallError(call, `select: ${field.type} has no field ${name}`);
    if (f.kind === 'composite') return [compositeSelection(dm, f, v, call)];
    if (v !== true) throw new PrismaCallError(call, `select: ${field.name}.${name} takes true`);
    return [f];
  });
  return { kind: 'composite', name: field.name, field, fields };
}

/** projection.rs `path_prefixed_selection`: a scalar `path.db_name: 1`, a composite its fields under its name. */
function projectionPaths(p: Projected, parent: string): string[] {
  const path = parent
    ? `${parent}.${p.kind === 'composite' ? p.field.dbName : p.dbName}`
    : p.kind === 'composite'
      ? p.field.dbName
      : p.dbName;
  return p.kind === 'composite' ? p.fields.flatMap((f) => projectionPaths(f, path)) : [path];
}

/** A composite as the client gets it: its selected fields (scalars decoded as scalars are), a list of them, or null. */
function decodeComposite(sel: CompositeSelection, value: unknown): unknown {
  if (value === undefined || value === null) return sel.field.isList ? [] : null;
  if (Array.isArray(value)) return value.map((v) => decodeComposite({ ...sel, field: { ...sel.field, isList: false } }, v));
  const doc = value as Document;
  return Object.fromEntries(
    sel.fields.map((f) =>
      f.kind === 'composite' ? [f.name, decodeComposite(f, doc[f.field.dbName])] : [f.name, decodeValue(f, doc[f.dbName])],
    ),
  );
}

function uniqueFields<T extends { readonly name: string }>(fields: readonly T[]): T[] {
  const seen = new Set<string>();
  return fields.filter((f) => (seen.has(f.name) ? false : (seen.add(f.name), true)));
}

/** `_count: true` (every to-many relation) or `_count: { select: { rel: true | { where } } }` (read/utils.rs `extract_relation_count_selections`). */
function planCounts(dm: DataModel, model: Model, value: unknown, call: string): { field: RelationField; filter: Filter | undefined }[] {
  if (value === true) return model.relations.filter((r) => r.isList).map((field) => ({ field, filter: undefined }));
  if (!isObject(value) || !isObject(value.select))
    throw new PrismaCallError(call, '_count takes true or { select: { relation: true | { where } } }');
  return definedEntries(value.select).flatMap(([name, v]) => {
    if (v === false) return [];
    const field = model.field(name);
    if (!field || field.kind !== 'relation' || !field.isList)
      throw new PrismaCallError(call, `_count: ${name} is not a list relation of ${model.name}`);
    if (v === true) return [{ field, filter: undefined }];
    if (!isObject(v) || Object.keys(v).some((k) => k !== 'where'))
      throw new PrismaCallError(call, `_count.select.${name} takes true or { where }`);
    return [{ field, filter: v.where === undefined ? undefined : parseWhere(dm, dm.model(field.type), v.where, call) }];
  });
}

/** `VirtualSelection::db_alias`: `_aggr_count_<relation field>`. */
const countAlias = (field: RelationField) => `_aggr_count_${field.name}`;

interface PipelineOptions {
  /** Leave `$skip`/`$limit` to the in-memory processor (a nested read with several parents). */
  readonly inMemory: boolean;
  readonly tail: 'project' | 'count';
}

/**
 * `from_args` + `with_model_projection` + `with_virtual_fields` + `build` (read_query_builder.rs):
 * without a cursor `into_pipeline_stages`, with one `cursored_pipeline_stages`.
 */
function pipelineOf(dm: DataModel, node: ReadNode, filter: Filter | undefined, options: PipelineOptions): Document[] {
  const orders = orderData(node.order);
  if (!node.cursor) return innerStages(dm, node, filter, options, orders, undefined);
  // cursored_pipeline_stages: pin the cursor's record, add the ordering joins (no `$unwind`) and
  // their `$addFields`, then a self-`$lookup` of the usual pipeline with the cursor condition
  // added to the post-join filters, bound to the cursor record's order values (`let`).
  const cursorFilter = { $and: node.cursor.map((c) => ({ $eq: [`$${c.field.dbName}`, c.value] })) };
  const inner = innerStages(dm, node, filter, options, orders, cursorCondition(orders, isReversed(node)));
  return [
    { $match: { $expr: cursorFilter } },
    ...orders.flatMap((o) => (o.join ? [buildJoin(dm, o.join).lookup] : [])),
    ...orders.flatMap((o) => o.addFields ?? []),
    {
      $lookup: {
        from: node.model.collection,
        let: Object.fromEntries(orders.map((o) => [o.bindLeft, `$${o.bindRight}`])),
        pipeline: inner,
        as: 'cursor_inner',
      },
    },
    { $unwind: '$cursor_inner' },
    { $replaceRoot: { newRoot: '$cursor_inner' } },
  ];
}

/** `Take::is_reversed` (a negative take; findFirst's `take: -1`): the ordering, the cursor's comparisons and the rows are reversed. */
const isReversed = (node: ReadNode): boolean =>
  node.take.kind === 'some' ? node.take.n < 0 : node.take.kind === 'one' && node.take.reversed;

/**
 * cursor.rs `cursor_conditions`: one ordering, its comparison with equality; several, an `$or`
 * over n = 0.. of `$and` [equalities on the first k-1 (`map_equality_condition`, both sides the
 * bound name), a comparison on the k-th (with equality only for the last ordering)].
 * `map_orderby_condition`: `$gte`/`$lte` (or `$gt`/`$lt`) of `$<unbound>` and `$$<bound>`,
 * flipped for a negative take.
 */
function cursorCondition(orders: readonly OrderData[], reverse: boolean): Document {
  const compare = (o: OrderData, includeEq: boolean): Document => {
    const ascending = (o.order.dir === 1) !== reverse;
    const op = ascending ? (includeEq ? '$gte' : '$gt') : includeEq ? '$lte' : '$lt';
    return { [op]: [`$${o.unbound}`, `$$${o.bound}`] };
  };
  if (orders.length === 1) return compare(orders[0] as OrderData, true);
  const n = orders.length;
  const ors: Document[] = [];
  for (let i = 0; i < n; i += 1) {
    const head = orders.slice(0, n - i - 1);
    const last = orders[n - i - 1] as OrderData;
    ors.push({
      $and: [...head.map((o) => ({ $eq: [`$${o.bound}`, `$$${o.bound}`] })), compare(last, head.length === n - 1)],
    });
  }
  return { $or: ors };
}

/** `into_pipeline_stages`: `$match`, joins (filter, relation counts, orderings), `$addFields`, post-join `$match`es, `$unwind`s, `$sort`, `$skip`, `$limit`, `$project` (or the count's `$group`). */
function innerStages(
  dm: DataModel,
  node: ReadNode,
  filter: Filter | undefined,
  options: PipelineOptions,
  orders: readonly OrderData[],
  cursorCond: Document | undefined,
): Document[] {
  const stages: Document[] = [];
  const rendered = filter ? renderFilter(dm, filter) : undefined;
  const filterJoins = rendered?.joins ?? [];
  if (rendered && filterJoins.length === 0) stages.push({ $match: { $expr: rendered.expr } });
  const countJoins: Join[] =
    options.tail === 'project'
      ? node.counts.map((c) => ({
          field: c.field,
          nested: [],
          alias: countAlias(c.field),
          ...(c.filter ? { filter: renderFilter(dm, c.filter) } : {}),
        }))
      : [];
  // self.joins (the filter's, then with_virtual_fields' counts) chained with order_joins.
  const orderJoins = orders.flatMap((o) => (o.join ? [o.join] : []));
  const unwinds: Document[] = [];
  for (const join of [...filterJoins, ...countJoins, ...orderJoins]) {
    const built = buildJoin(dm, join);
    stages.push(built.lookup);
    if (built.unwind) unwinds.push(built.unwind);
  }
  // order_aggregate_projections: an ordering by a relation's count.
  stages.push(...orders.flatMap((o) => o.addFields ?? []));
  if (rendered && filterJoins.length > 0) stages.push({ $match: { $expr: rendered.expr } });
  if (cursorCond) stages.push({ $match: { $expr: cursorCond } });
  stages.push(...unwinds);
  const reversed = isReversed(node);
  if (orders.length > 0)
    stages.push({ $sort: Object.fromEntries(orders.map((o) => [o.key, (reversed ? -o.order.dir : o.order.dir) as 1 | -1])) });
  const paginateInDb = !options.inMemory && !node.inMemory;
  if (node.skip !== undefined && paginateInDb) stages.push({ $skip: BSON.Long.fromNumber(node.skip) });
  const limit = node.take.kind === 'one' ? 1 : node.take.kind === 'some' ? Math.abs(node.take.n) : undefined;
  if (limit !== undefined && paginateInDb) stages.push({ $limit: BSON.Long.fromNumber(limit) });
  if (options.tail === 'project') {
    stages.push({
      $project: {
        ...Object.fromEntries(node.projection.flatMap((f) => projectionPaths(f, '')).map((path) => [path, 1])),
        ...Object.fromEntries(node.counts.map((c) => [countAlias(c.field), { $size: `$${countAlias(c.field)}` }])),
      },
    });
  } else {
    // GroupByBuilder::render with `_count._all` only: no `$project` (aggregate.rs).
    stages.push({ $group: { _id: null, count_all: { $sum: 1 } } });
  }
  return stages;
}

/** A record: the document as the server returned it, and the parent it belongs to (nested reads). */
interface Row {
  readonly doc: Document;
  parent?: string;
}

const keyOf = (value: unknown): string =>
  value instanceof BSON.ObjectId ? value.toHexString() : value instanceof Date ? value.toISOString() : JSON.stringify(value);

export type ReadOp = 'findMany' | 'findFirst' | 'findFirstOrThrow' | 'findUnique' | 'findUniqueOrThrow';

/** Runs a model read and returns what the client returns (objects, a single object, or null). */
export async function runRead(
  dm: DataModel,
  model: Model,
  op: ReadOp,
  args: unknown,
  label: string,
  transport: ReadTransport,
): Promise<unknown> {
  const call = `prisma.${label}`;
  const a = args === undefined ? {} : args;
  if (!isObject(a)) throw new PrismaCallError(call, 'takes one object of arguments');
  const node = transport.overhead(() => planRead(dm, model, op, a, label, call));
  if (node.take.kind === 'some' && node.take.n === 0) return op === 'findMany' ? [] : null;
  let rows = await rootRows(dm, node, transport);
  // mongodb-query-connector root_queries/read.rs `get_many_records`: the rows of a reversed take are reversed back.
  if (isReversed(node)) rows.reverse();
  // core interpreter/query_interpreters/read.rs `read_many`: `requires_inmemory_processing` → InMemoryRecordProcessor::apply.
  if (node.inMemory) rows = transport.clientWork(node.label, describeRootProcessor(node), () => processInMemory(node, rows));
  const kept = op === 'findMany' ? rows : rows.slice(0, 1);
  const results = await resolve(dm, node, kept, transport, call);
  if (op === 'findMany') return results;
  const first = results[0] ?? null;
  if (first === null && op.endsWith('OrThrow'))
    throw new PrismaCallError(call, 'P2025 No record was found for a query (the route threw it)');
  return first;
}

function planRead(dm: DataModel, model: Model, op: ReadOp, a: Record<string, unknown>, label: string, call: string): ReadNode {
  let node: ReadNode;
  if (op === 'findUnique' || op === 'findUniqueOrThrow') {
    if (a.where === undefined) throw new PrismaCallError(call, 'needs a where with a unique field');
    const { where, ...rest } = a;
    node = planNode(dm, model, rest, label, call, new Set(['select', 'include', 'omit']));
    node = { ...node, filter: uniqueFilter(dm, model, where, call), call: `prisma.${label.replace(/ #\d+$/, '')}(${brief(a)})` };
  } else {
    node = planNode(dm, model, a, label, call, readArgs);
    if (op === 'findFirst' || op === 'findFirstOrThrow') {
      // read/first.rs `try_limit_to_one`, after the implicit order was decided.
      const take = node.take;
      if (take.kind === 'some' && take.n !== 1 && take.n !== -1)
        throw new PrismaCallError(
          call,
          "findFirst takes no take but 1 or -1 (Prisma: \"The 'findFirst' operation cannot be used with a 'take' argument that isn't 1 or -1\")",
        );
      node = { ...node, take: { kind: 'one', reversed: take.kind === 'some' && take.n === -1 } };
    }
  }
  return node;
}

/** extractors/filters/mod.rs `extract_unique_filter`: the unique fields' equalities, AND the rest of the where (not folded together). */
export function uniqueFilter(dm: DataModel, model: Model, where: unknown, call: string): Filter {
  if (!isObject(where)) throw new PrismaCallError(call, 'where must be an object');
  const unique: Filter[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of definedEntries(where)) {
    const field = model.field(key);
    const compound = model.compoundUniques.find((u) => u.name === key);
    if (field?.kind === 'scalar' && (field.isId || field.isUnique)) {
      unique.push({ kind: 'scalar', field, condition: { op: 'equals', value: encodeValue(field, value, call) }, insensitive: false });
    } else if (compound) {
      if (!isObject(value)) throw new PrismaCallError(call, `where.${key} takes { ${compound.fields.join(', ')} }`);
      unique.push({
        kind: 'and',
        filters: compound.fields.map((name) => {
          const f = model.field(name) as ScalarField;
          return {
            kind: 'scalar' as const,
            field: f,
            condition: { op: 'equals' as const, value: encodeValue(f, value[name], call) },
            insensitive: false,
          };
        }),
      });
    } else rest[key] = value;
  }
  if (unique.length === 0)
    throw new PrismaCallError(
      call,
      `where needs a unique field of ${model.name} (${[model.id.name, ...model.scalars.filter((s) => s.isUnique).map((s) => s.name), ...model.compoundUniques.map((u) => u.name)].join(', ')})`,
    );
  return {
    kind: 'and',
    filters: [{ kind: 'and', filters: unique }, Object.keys(rest).length > 0 ? parseWhere(dm, model, rest, call) : { kind: 'empty' }],
  };
}

async function rootRows(dm: DataModel, node: ReadNode, transport: ReadTransport): Promise<Row[]> {
  const options = { inMemory: node.inMemory, tail: 'project' } as const;
  const pipeline = transport.overhead(() => pipelineOf(dm, node, node.filter, options));
  const docs = await sendWithStandIn(dm, node, pipeline, options, transport, {
    step: node.label,
    call: node.call,
    collection: node.model.collection,
    pipeline,
    source: readSource,
  });
  return docs.map((doc) => ({ doc }));
}

/** `count({ where, skip, take, orderBy })`: the client's `aggregate` with `_count._all`; the number it counted. */
export async function runCount(dm: DataModel, model: Model, args: unknown, label: string, transport: ReadTransport): Promise<number> {
  const call = `prisma.${label}`;
  const a = args === undefined ? {} : args;
  if (!isObject(a)) throw new PrismaCallError(call, 'takes one object of arguments');
  const { select, ...rest } = a;
  if (select !== undefined && !(isObject(select) && Object.keys(select).length === 1 && select._all === true)) {
    throw new PrismaCallError(call, "count's select: only { _all: true } is supported by indexgate's renderer");
  }
  // The count is an aggregate (root_queries/aggregate.rs): no in-memory processor, the cursor and pagination are the database's.
  const node = transport.overhead(() => ({
    ...planNode(dm, model, rest, label, call, new Set(['where', 'orderBy', 'cursor', 'skip', 'take'])),
    inMemory: false,
  }));
  if (node.take.kind === 'some' && node.take.n === 0) return 0;
  const options = { inMemory: false, tail: 'count' } as const;
  const pipeline = transport.overhead(() => pipelineOf(dm, node, node.filter, options));
  const docs = await sendWithStandIn(dm, node, pipeline, options, transport, {
    step: label,
    call: node.call,
    collection: model.collection,
    pipeline,
    source: countSource,
  });
  const counted = docs[0]?.count_all;
  return typeof counted === 'number' ? counted : Number(counted ?? 0);
}

/**
 * Sends a root read; if it reaches its limit and its filter's joins are `some` relation
 * filters at the top of an AND, its answer is fetched by a semi-join instead (the parents
 * whose children match, then the same read on those ids without the joins), so that the
 * route's later commands run on the rows the application would have: a stand-in, not
 * timed, not recorded. Otherwise the limit ends the route's call (OverLimit propagates).
 */
async function sendWithStandIn(
  dm: DataModel,
  node: ReadNode,
  pipeline: Document[],
  options: PipelineOptions,
  transport: ReadTransport,
  request: CommandRequest,
): Promise<Document[]> {
  try {
    return await transport.aggregate({ ...request, pipeline });
  } catch (error) {
    if (!(error instanceof OverLimit) || !node.filter) throw error;
    const parts = node.filter.kind === 'and' ? node.filter.filters : [node.filter];
    const somes = parts.filter(
      (f): f is Extract<Filter, { kind: 'relation' }> => f.kind === 'relation' && f.condition === 'some' && f.field.isList,
    );
    const others = parts.filter((f) => !somes.includes(f as never));
    if (somes.length === 0 || somes.some((f) => isManyToMany(f.field)) || others.some((f) => renderFilter(dm, f).joins.length > 0))
      throw error;
    let ids: Map<string, unknown> | undefined;
    for (const some of somes) {
      const inner = renderFilter(dm, some.nested);
      if (inner.joins.length > 0) throw error;
      const [link] = dm.linkingFields(dm.opposite(some.field));
      if (!link || dm.linkingFields(some.field).length !== 1) throw error;
      const found = await transport.standIn(dm.model(some.field.type).collection, [
        { $match: { $expr: inner.expr } },
        { $group: { _id: `$${link.dbName}` } },
      ]);
      const next = new Map(found.map((d) => [keyOf(d._id), d._id as unknown]));
      ids = ids ? new Map([...ids].filter(([k]) => next.has(k))) : next;
    }
    const [parentLink] = dm.linkingFields(somes[0]?.field as RelationField);
    const rest: Filter =
      others.length === 0 ? { kind: 'empty' } : others.length === 1 ? (others[0] as Filter) : { kind: 'and', filters: others };
    const stages = pipelineOf(dm, node, rest.kind === 'empty' ? undefined : rest, options);
    return transport.standIn(node.model.collection, [
      { $match: { [(parentLink as ScalarField).dbName]: { $in: [...(ids ?? new Map()).values()] } } },
      ...stages,
    ]);
  }
}

/** Decodes the rows into client objects, reading each relation below them first (depth first, in selection order). */
async function resolve(dm: DataModel, node: ReadNode, rows: readonly Row[], transport: ReadTransport, call: string): Promise<Document[]> {
  const children = new Map<ReadNode, Map<string, Document[]>>();
  if (rows.length > 0)
    for (const child of node.nested)
      children.set(
        child,
        isManyToMany(child.relation as RelationField)
          ? await nestedManyToMany(dm, node, child, rows, transport, call)
          : await nestedRead(dm, node, child, rows, transport, call),
      );
  return transport.overhead(() =>
    rows.map((row) => {
      const out: Document = {};
      for (const item of node.result) {
        if (item.kind === 'scalar') out[item.field.name] = decodeValue(item.field, row.doc[item.field.dbName]);
        else if (item.kind === 'composite')
          out[item.selection.name] = decodeComposite(item.selection, row.doc[item.selection.field.dbName]);
        else if (item.kind === 'count')
          out._count = Object.fromEntries(node.counts.map((c) => [c.field.name, Number(row.doc[countAlias(c.field)] ?? 0)]));
        else {
          const own = children.get(item.node)?.get(parentKey(node, row)) ?? [];
          out[(item.node.relation as RelationField).name] = (item.node.relation as RelationField).isList ? own : (own[0] ?? null);
        }
      }
      return out;
    }),
  );
}

const parentKey = (node: ReadNode, row: Row): string => keyOf(row.doc[node.model.id.dbName]);

/**
 * nested_read.rs `one2m`: the parents' link values, unique in order of first appearance
 * (nulls dropped); none: no query. The child's link `in` them, ANDed after the relation's own
 * `where` (not folded); with several parents, `$skip`/`$limit` are not sent and the
 * in-memory processor sorts the children by parent and keeps `skip`/`take` per parent.
 */
async function nestedRead(
  dm: DataModel,
  parent: ReadNode,
  node: ReadNode,
  parents: readonly Row[],
  transport: ReadTransport,
  call: string,
): Promise<Map<string, Document[]>> {
  const relation = node.relation as RelationField;
  const parentLink = dm.linkingFields(relation);
  const childLink = dm.linkingFields(dm.opposite(relation));
  if (parentLink.length !== 1 || childLink.length !== 1)
    throw new PrismaCallError(call, `${relation.name}: relations over several fields are not supported by indexgate's renderer`);
  const [pl, cl] = [parentLink[0] as ScalarField, childLink[0] as ScalarField];
  // link value → the parents holding it
  const byLink = new Map<string, { value: unknown; parents: string[] }>();
  for (const row of parents) {
    const value = row.doc[pl.dbName];
    if (value === null || value === undefined) continue;
    const key = keyOf(value);
    const entry = byLink.get(key);
    if (entry) entry.parents.push(parentKey(parent, row));
    else byLink.set(key, { value, parents: [parentKey(parent, row)] });
  }
  const out = new Map<string, Document[]>();
  if (byLink.size === 0) return out;
  // nested_read.rs `one2m`: the processor when there are several parents or the arguments need it
  // (`requires_inmemory_processing`: a distinct, an unstable or null cursor).
  const inMemory = byLink.size > 1 || node.inMemory;
  const inFilter: Filter = {
    kind: 'scalar',
    field: cl,
    condition: { op: 'in', value: [...byLink.values()].map((e) => e.value) },
    insensitive: false,
  };
  const filter: Filter = node.filter ? { kind: 'and', filters: [node.filter, inFilter] } : inFilter;
  const pipeline = transport.overhead(() => pipelineOf(dm, node, filter, { inMemory, tail: 'project' }));
  const docs = await transport.aggregate({
    step: node.label,
    call: node.call,
    collection: node.model.collection,
    pipeline,
    source: nestedSource,
  });
  // mongodb-query-connector root_queries/read.rs `get_many_records`: the rows of a negative take are reversed back.
  if (isReversed(node)) docs.reverse();
  let rows: Row[] = [];
  const fkOnParent = relation.fromFields.length > 0;
  for (const doc of docs) {
    const entry = byLink.get(keyOf(doc[cl.dbName]));
    if (!entry) continue;
    if (fkOnParent) {
      // The link is on the parent (message.sender): the child belongs to every parent holding it.
      for (const p of entry.parents) rows.push({ doc, parent: p });
    } else rows.push({ doc, parent: entry.parents[entry.parents.length - 1] as string });
  }
  // One parent: the database paginated; several: the processor sorts by parent and paginates (nested_read.rs `one2m`).
  if (inMemory) rows = transport.clientWork(node.label, describeProcessor(node), () => processInMemory(node, rows));
  return resolveIntoParents(dm, node, rows, transport, call, out);
}

/** A nested read's rows resolved (their own nested reads) and merged into their parents, in row order. */
async function resolveIntoParents(
  dm: DataModel,
  node: ReadNode,
  rows: readonly Row[],
  transport: ReadTransport,
  call: string,
  out: Map<string, Document[]>,
): Promise<Map<string, Document[]>> {
  const results = await resolve(dm, node, rows, transport, call);
  transport.clientWork(node.label, 'merge into the parents', () => {
    rows.forEach((row, i) => {
      const list = out.get(row.parent as string) ?? [];
      list.push(results[i] as Document);
      out.set(row.parent as string, list);
    });
  });
  return out;
}

function describeRootProcessor(node: ReadNode): string {
  const what = [
    node.distinct ? `keeps the first row of each ${node.distinct.map((f) => f.name).join(', ')}` : undefined,
    node.cursor ? 'drops the rows before the cursor' : undefined,
    node.skip ? `skips ${node.skip}` : undefined,
    node.take.kind !== 'all' ? `keeps ${node.take.kind === 'one' ? 1 : Math.abs(node.take.n)}` : undefined,
  ].filter((x) => x !== undefined);
  return `Prisma's in-memory processor ${what.join(', ')} (every match was fetched)`;
}

/** A value's identity for the processor's comparisons, whatever BSON number type carries it. */
const valueKey = (v: unknown): string =>
  keyOf(v instanceof BSON.Long ? v.toNumber() : v instanceof BSON.Int32 || v instanceof BSON.Double ? v.valueOf() : (v ?? null));

const m2mSource =
  'rendered as Prisma 6.19 sends it (prisma-engines: core nested_read.rs m2m; mongodb-query-connector root_queries/read.rs get_related_m2m_record_ids, read_query_builder.rs)';

/**
 * core interpreter/query_interpreters/nested_read.rs `m2m`, for a relation kept as id lists:
 * mongodb-query-connector root_queries/read.rs `get_related_m2m_record_ids` first `find`s the
 * parents by id (`{_id: {$in: ids}}`, projecting the id and the id list under its client name),
 * giving (parent, child) pairs in the order found; no pair, no further query. Then the children
 * are read with `_id in` every child id of the pairs (duplicates kept) ANDed after the relation's
 * own `where` (none when only the id is selected and there are no arguments: the ids are the
 * records); always through the in-memory processor (`new_from_query_args`: no `$skip`/`$limit`).
 * Each child goes to the last parent of its pairs, copies of it to the others, right after it.
 */
async function nestedManyToMany(
  dm: DataModel,
  parent: ReadNode,
  node: ReadNode,
  parents: readonly Row[],
  transport: ReadTransport,
  call: string,
): Promise<Map<string, Document[]>> {
  const relation = node.relation as RelationField;
  const raw = transport.raw?.bind(transport);
  if (!raw)
    throw new PrismaCallError(call, `${relation.name}: this transport cannot send the find Prisma sends for a many-to-many relation`);
  const holder = dm.model(relation.model).field(relation.fromFields[0] as string) as ScalarField;
  const idField = parent.model.id;
  const ids = parents.map((row) => row.doc[idField.dbName]);
  const found = await raw({
    kind: 'find',
    step: `${node.label} (ids)`,
    call: node.call,
    collection: parent.model.collection,
    filter: { [idField.dbName]: { $in: ids } },
    // `relation_ids_field_name = id_holder_field.name()`: the client name, also where the ids are read from.
    options: { projection: { [idField.dbName]: 1, [holder.name]: 1 } },
    source: m2mSource,
  });
  const pairs: { parent: string; child: unknown }[] = [];
  for (const doc of found) {
    const list = doc[holder.name];
    for (const child of Array.isArray(list) ? list : list === undefined || list === null ? [] : [list])
      pairs.push({ parent: keyOf(doc[idField.dbName]), child });
  }
  const out = new Map<string, Document[]>();
  if (pairs.length === 0) return out;
  const childId = node.model.id;
  const onlyId =
    !node.filter &&
    node.order.length === 0 &&
    node.take.kind === 'all' &&
    node.skip === undefined &&
    node.counts.length === 0 &&
    node.projection.length === 1 &&
    node.projection[0] === childId;
  let docs: Document[];
  if (onlyId) {
    // ManyRecords::from(child_ids).with_unique_records(): the ids themselves, each once.
    const seen = new Set<string>();
    docs = pairs.flatMap((p) => (seen.has(keyOf(p.child)) ? [] : (seen.add(keyOf(p.child)), [{ [childId.dbName]: p.child }])));
  } else {
    const inFilter: Filter = {
      kind: 'scalar',
      field: childId,
      condition: { op: 'in', value: pairs.map((p) => p.child) },
      insensitive: false,
    };
    const filter: Filter = node.filter ? { kind: 'and', filters: [node.filter, inFilter] } : inFilter;
    const pipeline = transport.overhead(() => pipelineOf(dm, node, filter, { inMemory: true, tail: 'project' }));
    docs = await transport.aggregate({ step: node.label, call: node.call, collection: node.model.collection, pipeline, source: m2mSource });
    if (isReversed(node)) docs.reverse();
  }
  const parentsOf = new Map<string, string[]>();
  for (const p of pairs) parentsOf.set(keyOf(p.child), [...(parentsOf.get(keyOf(p.child)) ?? []), p.parent]);
  let rows: Row[] = [];
  for (const doc of docs) {
    const of = parentsOf.get(keyOf(doc[childId.dbName]));
    parentsOf.delete(keyOf(doc[childId.dbName]));
    if (!of || of.length === 0) continue;
    const last = of[of.length - 1] as string;
    rows.push({ doc, parent: last }, ...of.slice(0, -1).map((p) => ({ doc, parent: p })));
  }
  rows = transport.clientWork(node.label, describeProcessor(node), () => processInMemory(node, rows));
  return resolveIntoParents(dm, node, rows, transport, call, out);
}

function describeProcessor(node: ReadNode): string {
  const per =
    node.take.kind === 'some'
      ? `keeps ${node.skip ? `after ${node.skip} ` : ''}the first ${Math.abs(node.take.n)} per parent`
      : node.skip
        ? `skips ${node.skip} per parent`
        : 'orders by parent';
  const what = [
    node.distinct ? `keeps the first row of each ${node.distinct.map((f) => f.name).join(', ')} per parent` : undefined,
    node.cursor ? "drops each parent's rows before the cursor" : undefined,
    per,
  ].filter((x) => x !== undefined);
  return `Prisma's in-memory processor ${what.join(', ')} (every match was fetched)`;
}

/**
 * inmemory_record_processor.rs `apply`: reverse for a negative take; in a nested read a stable sort
 * by parent (`order_by_parent`); `apply_distinct` (per parent, the first row of each distinct
 * value, `unique_by`); `apply_pagination` (with a cursor, each parent's rows before the first one
 * holding the cursor's values are dropped, every row of a parent without it too; then skip and
 * take per parent); reverse back.
 */
function processInMemory(node: ReadNode, rows: Row[]): Row[] {
  const reversed = isReversed(node);
  let out = reversed ? [...rows].reverse() : [...rows];
  if (out[0]?.parent !== undefined)
    out = out
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (a.r.parent === b.r.parent ? a.i - b.i : (a.r.parent as string) < (b.r.parent as string) ? -1 : 1))
      .map((x) => x.r);
  if (node.distinct) {
    const seen = new Set<string>();
    const fields = node.distinct;
    out = out.filter((row) => {
      const key = [row.parent ?? '', ...fields.map((f) => valueKey(row.doc[f.dbName]))].join('\u0000');
      return seen.has(key) ? false : (seen.add(key), true);
    });
  }
  if (node.take.kind !== 'all' || node.skip !== undefined || node.cursor) {
    if (node.cursor) {
      const cursor = node.cursor;
      let parent: string | undefined;
      let seen = false;
      out = out.filter((row) => {
        if (row.parent !== parent) [parent, seen] = [row.parent, false];
        return (seen ||= cursor.every((c) => valueKey(row.doc[c.field.dbName]) === valueKey(c.value)));
      });
    }
    const take = node.take.kind === 'one' ? 1 : node.take.kind === 'some' ? Math.abs(node.take.n) : undefined;
    const skip = node.skip ?? 0;
    let last: string | undefined;
    let count = 0;
    out = out.filter((row, i) => {
      count = i > 0 && row.parent === last ? count + 1 : 1;
      last = row.parent;
      return count > skip && (take === undefined || count <= take + skip);
    });
  }
  return reversed ? out.reverse() : out;
}
