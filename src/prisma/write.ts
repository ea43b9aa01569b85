import { type Document, ObjectId } from 'mongodb';
import type { DataModel, Model, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { definedEntries, renderFilter } from './filter.js';
import { type ReadTransport, runRead, uniqueFilter } from './read.js';
import { encodeValue } from './values.js';

/**
 * The writes a route makes (`create`, `update`, `upsert`), rendered into the commands Prisma
 * 6.19's MongoDB connector sends (prisma-engines @2ba551f3; the reading is in docs/prisma-writes.md):
 *
 * - create: `insertOne` of the scalars given or defaulted, in the model's declaration order
 *   (query-engine connectors/mongodb-query-connector/src/root_queries/write.rs `create_record`;
 *   the parser fills schema defaults, `now()` once per request, `@updatedAt` fields the same
 *   `now`; `auto()` leaves `_id` to the driver), then the record read back by id
 *   (`read::find_unique`, with the call's `select`/`include`).
 * - update: the id read first (`read_id_infallible`: `$match` + `{ $project: { _id: 1 } }`),
 *   then `updateMany({ _id: { $in: ids } }, [ { $set: … } per written field, in declaration
 *   order ])` (write.rs `update_records`, update/into_operation.rs: a value is `$literal`, an
 *   increment `$add`), then the record read back.
 * - upsert: the id read first; found, the update; not found, the create (no native upsert:
 *   query_graph_builder/write/upsert.rs).
 *
 * Prisma runs each in a transaction (majority read and write concerns, which needs a replica
 * set); indexgate sends the same commands outside one, on a server that may be standalone: the
 * commit's own cost is not in the figures (docs/prisma-writes.md says so).
 */

/** The commands a write sends, as the engine sends and undoes them. */
export interface WriteTransport {
  insertOne(request: { step: string; call: string; collection: string; doc: Document; source: string }): Promise<void>;
  updateMany(request: {
    step: string;
    call: string;
    collection: string;
    ids: readonly ObjectId[];
    update: Document[];
    source: string;
  }): Promise<void>;
}

export const writeOps = ['create', 'update', 'upsert'] as const;
export type WriteOp = (typeof writeOps)[number];

const source = {
  create:
    'Prisma 6.19 create: insertOne of the given and defaulted scalars (prisma-engines @2ba551f3 mongodb-query-connector write.rs create_record)',
  preRead: "Prisma 6.19 update/upsert: the record's id read first (prisma-engines @2ba551f3 read_id_infallible)",
  update:
    'Prisma 6.19 update: updateMany by _id with one $set per written field (prisma-engines @2ba551f3 write.rs update_records, update/into_operation.rs)',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** What a write call returns: the record read back, as a read returns it. */
export async function runWrite(
  dm: DataModel,
  model: Model,
  op: WriteOp,
  args: unknown,
  label: string,
  transport: ReadTransport & WriteTransport,
): Promise<unknown> {
  const call = `prisma.${label}`;
  if (!isObject(args)) throw new PrismaCallError(call, 'takes one object of arguments');
  const now = new Date();
  const readBack = (id: ObjectId) =>
    runRead(
      dm,
      model,
      'findUniqueOrThrow',
      { where: { [model.id.name]: id.toHexString() }, ...selection(args) },
      `${label} › read back`,
      transport,
    );
  if (op === 'create') return readBack(await create(model, args.data, now, label, call, transport));
  const ids = await preRead(dm, model, args.where, label, call, transport);
  if (op === 'update') {
    const [id] = ids;
    if (!id)
      throw new PrismaCallError(
        call,
        'P2025 An operation failed because it depends on one or more records that were required but not found',
      );
    await update(model, ids, args.data, now, label, call, transport);
    return readBack(id);
  }
  const [found] = ids;
  if (found) {
    await update(model, ids, args.update, now, label, call, transport);
    return readBack(found);
  }
  return readBack(await create(model, args.create, now, label, call, transport));
}

function selection(args: Record<string, unknown>): Record<string, unknown> {
  return {
    ...(args.select === undefined ? {} : { select: args.select }),
    ...(args.include === undefined ? {} : { include: args.include }),
  };
}

function scalarOf(model: Model, key: string, call: string): ScalarField {
  const field = model.field(key);
  if (!field) throw new PrismaCallError(call, `data: ${model.name} has no field ${key}`);
  if (field.kind !== 'scalar')
    throw new PrismaCallError(
      call,
      `data.${key}: nested relation writes are not rendered by indexgate; set the foreign key (e.g. ${key}Id) instead`,
    );
  return field;
}

/** A schema default as the parser evaluates it: `now()` the request's time, `auto()` nothing (the driver's `_id`), a literal itself. */
function defaultOf(field: ScalarField, now: Date): unknown {
  const d = field.default;
  if (isObject(d) && typeof d.name === 'string') {
    if (d.name === 'now') return now;
    if (d.name === 'auto') return undefined;
    throw new PrismaCallError(`default of ${field.name}`, `the default ${d.name}() is not rendered by indexgate`);
  }
  return d;
}

async function create(model: Model, data: unknown, now: Date, label: string, call: string, transport: WriteTransport): Promise<ObjectId> {
  if (!isObject(data)) throw new PrismaCallError(call, 'create takes data: { … }');
  const given = new Map(definedEntries(data).map(([k, v]) => [scalarOf(model, k, call).name, v] as const));
  const doc: Document = {};
  const id = given.has(model.id.name) ? (encodeValue(model.id, given.get(model.id.name), call) as ObjectId) : new ObjectId();
  doc._id = id;
  for (const field of model.scalars) {
    if (field.isId) continue;
    const value = given.has(field.name)
      ? given.get(field.name)
      : field.isUpdatedAt
        ? now
        : field.default !== undefined
          ? defaultOf(field, now)
          : undefined;
    if (value === undefined) {
      if (field.isRequired && !field.isList)
        throw new PrismaCallError(call, `data.${field.name} is required (Prisma: "Argument \`${field.name}\` is missing")`);
      continue;
    }
    doc[field.dbName] = encodeValue(field, value, call);
  }
  await transport.insertOne({ step: label, call, collection: model.collection, doc, source: source.create });
  return id;
}

async function preRead(
  dm: DataModel,
  model: Model,
  where: unknown,
  label: string,
  call: string,
  transport: ReadTransport,
): Promise<ObjectId[]> {
  const rendered = renderFilter(dm, uniqueFilter(dm, model, where, call));
  const docs = await transport.aggregate({
    step: `${label} › id`,
    call,
    collection: model.collection,
    pipeline: [{ $match: { $expr: rendered.expr } }, { $project: { _id: 1 } }],
    source: source.preRead,
  });
  return docs.map((d) => d._id as ObjectId);
}

async function update(
  model: Model,
  ids: readonly ObjectId[],
  data: unknown,
  now: Date,
  label: string,
  call: string,
  transport: WriteTransport,
): Promise<void> {
  if (!isObject(data)) throw new PrismaCallError(call, 'update takes data: { … }');
  const given = new Map(definedEntries(data).map(([k, v]) => [scalarOf(model, k, call).name, v] as const));
  if (given.size === 0) return; // no field written: no command (write.rs)
  const stages: Document[] = [];
  for (const field of model.scalars) {
    const value = given.has(field.name) ? given.get(field.name) : field.isUpdatedAt ? now : undefined;
    if (value === undefined) continue;
    stages.push({ $set: { [field.dbName]: operation(field, value, call) } });
  }
  await transport.updateMany({ step: label, call, collection: model.collection, ids, update: stages, source: source.update });
}

/** One field's update (update/into_operation.rs): a value `$literal`, `{ increment }` `$add`, `{ decrement }` `$subtract`, `{ set }` a value. */
function operation(field: ScalarField, value: unknown, call: string): unknown {
  if (isObject(value) && !field.isList && field.type !== 'Json') {
    const [[op, operand] = []] = definedEntries(value);
    if (op === 'set') return { $literal: encodeValue(field, operand, call) };
    if (op === 'increment') return { $add: [`$${field.dbName}`, encodeValue(field, operand, call)] };
    if (op === 'decrement') return { $subtract: [`$${field.dbName}`, encodeValue(field, operand, call)] };
    throw new PrismaCallError(call, `data.${field.name}: the operation ${op} is not rendered by indexgate (set, increment, decrement are)`);
  }
  return { $literal: encodeValue(field, value, call) };
}
