import { BSON, type Document } from 'mongodb';
import type { DataModel, Model, RelationField, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { buildJoin, definedEntries, type Filter, type Join, parseWhere, renderFilter } from './filter.js';
import { brief } from './describe.js';
import { decodeValue, encodeValue } from './values.js';

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
}

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

interface Order {
  readonly field: ScalarField;
  readonly dir: 1 | -1;
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
  /** Projected scalars, in the engine's order (id first, then the selection, then link fields). */
  readonly projection: readonly ScalarField[];
  readonly counts: readonly { readonly field: RelationField; readonly filter: Filter | undefined }[];
  /** The client's result keys, in the order of its selection. */
  readonly result: readonly ({ kind: 'scalar'; field: ScalarField } | { kind: 'relation'; node: ReadNode } | { kind: 'count' })[];
  readonly nested: readonly ReadNode[];
}

const readArgs = new Set(['where', 'orderBy', 'skip', 'take', 'select', 'include']);
const nestedArgs = new Set(['where', 'orderBy', 'skip', 'take', 'select', 'include']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** `finalize_arguments` (core extractors/query_arguments.rs): no orderBy, and a take, a skip > 0: order by the id. */
function implicitOrder(model: Model, order: readonly Order[], skip: number | undefined, take: Take): readonly Order[] {
  if (order.length > 0) return order;
  return take.kind === 'some' || (skip ?? 0) > 0 ? [{ field: model.id, dir: 1 }] : order;
}

function parseOrder(model: Model, orderBy: unknown, call: string): Order[] {
  if (orderBy === undefined) return [];
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  return items.flatMap((item): Order[] => {
    if (!isObject(item)) throw new PrismaCallError(call, `orderBy takes { field: 'asc' | 'desc' } or a list of them`);
    // process_order_object: only the first key of an object is read.
    const first = definedEntries(item)[0];
    if (!first) return [];
    const [name, dir] = first;
    const field = model.field(name);
    if (!field || field.kind !== 'scalar')
      throw new PrismaCallError(
        call,
        `orderBy ${name}: ordering by a relation or an aggregate is not supported by indexgate's renderer; order by a scalar of ${model.name}`,
      );
    if (dir !== 'asc' && dir !== 'desc') throw new PrismaCallError(call, `orderBy ${name}: 'asc' or 'desc' (nulls is not sent on MongoDB)`);
    return [{ field, dir: dir === 'asc' ? 1 : -1 }];
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
    if (!allowed.has(key))
      throw new PrismaCallError(call, `${key} is not supported by indexgate's renderer (supported: ${[...allowed].join(', ')})`);
  if (args.select !== undefined && args.include !== undefined)
    throw new PrismaCallError(call, 'select and include cannot be used together (Prisma refuses it too)');
  const filter = args.where === undefined ? undefined : parseWhere(dm, model, args.where, call);
  const skip = parseSkip(args.skip, call);
  const take = parseTake(args.take, call);
  const order = implicitOrder(model, parseOrder(model, args.orderBy, call), skip, take);

  const selected: ScalarField[] = [];
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
  // No select: the client sends `$composites: true, $scalars: true` (every scalar, in declaration order), then the included relations.
  if (!select) for (const f of model.scalars) addScalar(f);
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
  const projection = uniqueFields([
    model.id,
    ...selected,
    ...(relation ? dm.linkingFields(dm.opposite(relation)) : []),
    ...nested.flatMap((n) => dm.linkingFields(n.relation as RelationField)),
  ]);
  const written = relation ? `${relation.name}: ${brief(args)}` : `prisma.${label.replace(/ #\d+$/, '')}(${brief(args)})`;
  return { model, ...(relation ? { relation } : {}), label, call: written, filter, order, skip, take, projection, counts, result, nested };
}

function uniqueFields(fields: readonly ScalarField[]): ScalarField[] {
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

/** `from_args` + `with_model_projection` + `with_virtual_fields` + `into_pipeline_stages`. */
function pipelineOf(dm: DataModel, node: ReadNode, filter: Filter | undefined, options: PipelineOptions): Document[] {
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
  const unwinds: Document[] = [];
  for (const join of [...filterJoins, ...countJoins]) {
    const built = buildJoin(dm, join);
    stages.push(built.lookup);
    if (built.unwind) unwinds.push(built.unwind);
  }
  if (rendered && filterJoins.length > 0) stages.push({ $match: { $expr: rendered.expr } });
  stages.push(...unwinds);
  const reversed = node.take.kind === 'some' ? node.take.n < 0 : node.take.kind === 'one' && node.take.reversed;
  if (node.order.length > 0)
    stages.push({ $sort: Object.fromEntries(node.order.map((o) => [o.field.dbName, (reversed ? -o.dir : o.dir) as 1 | -1])) });
  if (node.skip !== undefined && !options.inMemory) stages.push({ $skip: BSON.Long.fromNumber(node.skip) });
  const limit = node.take.kind === 'one' ? 1 : node.take.kind === 'some' ? Math.abs(node.take.n) : undefined;
  if (limit !== undefined && !options.inMemory) stages.push({ $limit: BSON.Long.fromNumber(limit) });
  if (options.tail === 'project') {
    stages.push({
      $project: {
        ...Object.fromEntries(node.projection.map((f) => [f.dbName, 1])),
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
  const rows = await rootRows(dm, node, transport);
  const reversed = node.take.kind === 'some' ? node.take.n < 0 : node.take.kind === 'one' && node.take.reversed;
  if (reversed) rows.reverse();
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
    node = planNode(dm, model, rest, label, call, new Set(['select', 'include']));
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
  const pipeline = transport.overhead(() => pipelineOf(dm, node, node.filter, { inMemory: false, tail: 'project' }));
  const docs = await sendWithStandIn(dm, node, pipeline, { inMemory: false, tail: 'project' }, transport, {
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
  const node = transport.overhead(() => planNode(dm, model, rest, label, call, new Set(['where', 'orderBy', 'skip', 'take'])));
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
    if (somes.length === 0 || others.some((f) => renderFilter(dm, f).joins.length > 0)) throw error;
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
  if (rows.length > 0) for (const child of node.nested) children.set(child, await nestedRead(dm, node, child, rows, transport, call));
  return transport.overhead(() =>
    rows.map((row) => {
      const out: Document = {};
      for (const item of node.result) {
        if (item.kind === 'scalar') out[item.field.name] = decodeValue(item.field, row.doc[item.field.dbName]);
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
  const inMemory = byLink.size > 1;
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

function describeProcessor(node: ReadNode): string {
  const per =
    node.take.kind === 'some'
      ? `keeps ${node.skip ? `after ${node.skip} ` : ''}the first ${Math.abs(node.take.n)} per parent`
      : node.skip
        ? `skips ${node.skip} per parent`
        : 'orders by parent';
  return `Prisma's in-memory processor ${per} (every match was fetched)`;
}

/** inmemory_record_processor.rs `apply`: reverse for a negative take, stable sort by parent, skip/take per parent, reverse back. */
function processInMemory(node: ReadNode, rows: Row[]): Row[] {
  const reversed = node.take.kind === 'some' && node.take.n < 0;
  let out = reversed ? [...rows].reverse() : [...rows];
  out = out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.parent === b.r.parent ? a.i - b.i : (a.r.parent as string) < (b.r.parent as string) ? -1 : 1))
    .map((x) => x.r);
  if (node.take.kind === 'some' || node.skip !== undefined) {
    const take = node.take.kind === 'some' ? Math.abs(node.take.n) : undefined;
    const skip = node.skip ?? 0;
    let last: string | undefined;
    let count = 0;
    out = out.filter((row) => {
      count = row.parent === last ? count + 1 : 1;
      last = row.parent;
      return count > skip && (take === undefined || count <= take + skip);
    });
  }
  return reversed ? out.reverse() : out;
}
