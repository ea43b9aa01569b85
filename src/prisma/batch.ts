import { BSON, type Document } from 'mongodb';
import type { DataModel, Model } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { definedEntries } from './filter.js';
import { type ReadTransport, runRead, uniqueFilter } from './read.js';

/**
 * findUnique calls batched as Prisma 6.19 batches them.
 *
 * The client (prisma/prisma 6.19.0 packages/client/src/runtime/RequestHandler.ts and
 * DataLoader.ts) gives every findUnique / findUniqueOrThrow a batch id
 * (core/jsonProtocol/getBatchId.ts `getBatchId`: the model, then the keys, never the values,
 * of its arguments and of its selection) and dispatches the calls made in one tick (DataLoader
 * `scheduleDispatch`: a `queueMicrotask`; older clients used `process.nextTick`) by batch id:
 * one call alone is sent alone (`singleLoader`), several as one batch request (`batchLoader`,
 * no transaction).
 *
 * The engine (prisma-engines @2ba551f3 query-engine/core/src/query_document/mod.rs
 * `BatchDocument::compact`, `can_compact`, `invalid_compact_filter`,
 * `CompactedDocument::from_operations`; selection.rs `In`, `Conjuctive`) compacts a batch of
 * findUnique of the same operation (findUnique and findUniqueOrThrow are not mixed) on the same
 * model with the same nested selection, whose `where` holds only scalar equalities or compound
 * uniques, into ONE findMany: `where: { field: { in: [v1, v2, …] } }` when every call names
 * the same single field (an `OR` of `equals` when a value is a boolean), otherwise
 * `where: { OR: [{ AND: [{ a: { equals } }, { b: { equals } }] }, …] }`; it selects the
 * where's fields too, and hands each caller the first record whose fields equal its where
 * (request-handlers/src/handler.rs `handle_compacted`, `find_original_result_from_args`:
 * values compared as given, so an ObjectId written in upper case finds nothing), the added
 * fields removed. A batch it cannot compact runs each call on its own, concurrently
 * (core executor/interpreting_executor.rs `execute_all` → `execute_many_self_contained`).
 *
 * Uncertain: with several fields the engine collects the calls in a Rust `HashMap`, so the
 * order of the `OR` branches varies from process to process; indexgate keeps the calls' order.
 */

export type UniqueOp = 'findUnique' | 'findUniqueOrThrow';

export interface UniqueCall {
  readonly op: UniqueOp;
  readonly args: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** getBatchId.ts `buildKeysString`: an object's keys, sorted, nested objects in parentheses; values left out. */
function keysString(value: Record<string, unknown>): string {
  const keys = Object.keys(value)
    .sort()
    .map((key) => {
      const v = value[key];
      if (v instanceof Date) return `(${key} ($type value))`;
      return typeof v === 'object' && v !== null ? `(${key} ${keysString(v as Record<string, unknown>)})` : key;
    });
  return `(${keys.join(' ')})`;
}

/**
 * `getBatchId`: the model, the keys of the call's arguments (`where` only: select and include are
 * its selection) and of its selection (the JSON protocol's: `{$composites, $scalars}` and the
 * included relations when there is no select). The operation is not part of it.
 */
export function batchIdOf(model: Model, args: Record<string, unknown>): string {
  const { select, include, omit, ...rest } = args;
  // serializeJsonQuery.ts `createImplicitSelection`: the included relations, then `omitFields` (`field: !value`).
  const omitted = isObject(omit) ? Object.fromEntries(definedEntries(omit).map(([k, v]) => [k, !v])) : {};
  const selection = isObject(select) ? select : { $composites: true, $scalars: true, ...(isObject(include) ? include : {}), ...omitted };
  return `${model.name}${keysString(rest)}${keysString(selection)}`;
}

/** `extract_filter` (query_document/mod.rs): the where's (field, value) pairs, a compound unique's fields walked, `{ equals: v }` read as v. */
function wherePairs(model: Model, where: Record<string, unknown>): [string, unknown][] {
  return definedEntries(where).flatMap(([key, value]): [string, unknown][] => {
    const compound = model.compoundUniques.find((u) => u.name === key);
    if (compound && isObject(value)) return definedEntries(value);
    if (isObject(value)) return [[key, value.equals]];
    return [[key, value]];
  });
}

/** `invalid_compact_filter`: a key that is not a scalar field nor a compound unique, or a field's filter object without `equals`. */
function compactableWhere(model: Model, where: unknown): boolean {
  if (!isObject(where)) return false;
  return definedEntries(where).every(([key, value]) => {
    if (isObject(value) && model.compoundUniques.some((u) => u.name === key)) return true;
    const field = model.field(key);
    if (field?.kind !== 'scalar') return false;
    return isObject(value) ? 'equals' in value : true;
  });
}

/** The nested selection as the engine compares it (selection.rs `Selection` equality: names, arguments and values). */
const selectionOf = (args: Record<string, unknown>): string =>
  BSON.EJSON.stringify({ select: args.select ?? null, include: args.include ?? null, omit: args.omit ?? null } as Document, {
    relaxed: false,
  });

/** `BatchDocument::can_compact`. */
export function canCompact(model: Model, calls: readonly UniqueCall[]): boolean {
  const [first] = calls;
  if (!first) return false;
  return calls.every((c) => c.op === first.op && compactableWhere(model, c.args.where) && selectionOf(c.args) === selectionOf(first.args));
}

/** selection.rs `In` → `ArgumentValue`: the compacted findMany's where. */
export function compactedWhere(model: Model, calls: readonly UniqueCall[]): Record<string, unknown> {
  const pairs = calls.map((c) => wherePairs(model, c.args.where as Record<string, unknown>));
  const keys = new Set(pairs.flatMap((p) => p.map(([k]) => k)));
  const single = keys.size === 1 && pairs.every((p) => p.length === 1);
  if (single) {
    const [key] = [...keys] as [string];
    const values = pairs.map((p) => (p[0] as [string, unknown])[1]);
    // SelectionSet::Single: an `in` list, or an OR of equals when a value is a boolean.
    if (values.some((v) => typeof v === 'boolean')) return { OR: values.map((v) => ({ [key]: { equals: v } })) };
    return { [key]: { in: values } };
  }
  // SelectionSet::Multi: an OR over the calls of an AND over their pairs (Conjuctive::or / and; one pair is itself).
  const branches = pairs.map((p) => {
    const ands = p.map(([k, v]) => ({ [k]: { equals: v } }));
    return ands.length === 1 ? (ands[0] as Record<string, unknown>) : { AND: ands };
  });
  return branches.length === 1 ? (branches[0] as Record<string, unknown>) : { OR: branches };
}

/** handler.rs `compare_values`: a Date against a Date or its string by instant, anything else as given. */
function sameValue(result: unknown, asked: unknown): boolean {
  const time = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN);
  if (result instanceof Date || asked instanceof Date) return time(result) === time(asked);
  return result === asked;
}

export type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Sends the compacted findMany (one command, under `label`) and answers each call in order:
 * its record, `null`, or for findUniqueOrThrow a P2025 error of its own.
 */
export async function runCompacted(
  dm: DataModel,
  model: Model,
  calls: readonly UniqueCall[],
  label: string,
  transport: ReadTransport,
): Promise<Settled[]> {
  const call = `prisma.${label}`;
  const first = calls[0] as UniqueCall;
  // Each call's where is checked as Prisma checks a findUnique's (a unique field is required) before anything is sent.
  for (const c of calls) uniqueFilter(dm, model, c.args.where, call);
  const where = compactedWhere(model, calls);
  const select = isObject(first.args.select) ? first.args.select : undefined;
  // "We must select all unique fields in the query so we can match the right response back."
  const keys = [...new Set(calls.flatMap((c) => wherePairs(model, c.args.where as Record<string, unknown>).map(([k]) => k)))];
  const omit = isObject(first.args.omit) ? first.args.omit : undefined;
  // An omitted where field is selected all the same (the compacted selection adds it back) and removed again.
  const added = select ? keys.filter((k) => select[k] !== true) : omit ? keys.filter((k) => omit[k] === true) : [];
  const findManyArgs: Record<string, unknown> = {
    where,
    ...(select ? { select: { ...select, ...Object.fromEntries(added.map((k) => [k, true])) } } : {}),
    ...(isObject(first.args.include) ? { include: first.args.include } : {}),
    ...(omit ? { omit: Object.fromEntries(definedEntries(omit).filter(([k]) => !added.includes(k))) } : {}),
  };
  const records = (await runRead(dm, model, 'findMany', findManyArgs, label, transport)) as Document[];
  return transport.overhead(() =>
    calls.map((c): Settled => {
      const asked = wherePairs(model, c.args.where as Record<string, unknown>);
      const found = records.find((r) => asked.every(([k, v]) => sameValue(r[k], v)));
      if (!found) {
        if (c.op === 'findUniqueOrThrow')
          return { ok: false, error: new PrismaCallError(call, 'P2025 No record was found for a query (the route threw it)') };
        return { ok: true, value: null };
      }
      const value = { ...found };
      for (const k of added) delete value[k];
      return { ok: true, value };
    }),
  );
}
