import type { Document } from 'mongodb';
import type { CompositeField, CompositeType, DataModel, Model, RelationField, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { encodeComposite, encodeValue } from './values.js';

/**
 * A Prisma `where` as Prisma 6.19 renders it for MongoDB, in two steps as the engine does
 * (prisma-engines @2ba551f3):
 *  1. parse the client's object into a filter tree: query-engine/core
 *     query_graph_builder/extractors/filters/{mod.rs `extract_filter`, scalar.rs
 *     `ScalarFilterParser`, relation.rs `parse`}, then flatten it (filter_fold.rs `fold_filter`);
 *  2. render the tree into one `$expr` expression and the `$lookup` joins it needs:
 *     mongodb-query-connector filter.rs `MongoFilterVisitor`, join.rs `JoinStage::build`.
 * Every call or argument it does not know is refused (PrismaCallError), never approximated.
 */

export type ConditionOp =
  | 'equals'
  | 'notEquals'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'notStartsWith'
  | 'endsWith'
  | 'notEndsWith'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'notIn'
  | 'isSet';

export interface Condition {
  readonly op: ConditionOp;
  readonly value: unknown;
}

export type RelationCondition = 'every' | 'some' | 'none' | 'toOne';

/** query-structure `CompositeCondition`: Every, Some, None, Is, IsNot (a filter on the type), Equals, IsSet, Empty. */
export type CompositeCondition =
  | { readonly op: 'every' | 'some' | 'none' | 'is' | 'isNot'; readonly nested: Filter }
  | { readonly op: 'equals'; readonly value: unknown }
  | { readonly op: 'isSet' | 'isEmpty'; readonly value: boolean };

/** query-structure filter/list.rs `ScalarListCondition`: Contains (`has`), ContainsEvery, ContainsSome, IsEmpty. */
export type ListCondition =
  | { readonly op: 'has'; readonly value: unknown }
  | { readonly op: 'hasEvery' | 'hasSome'; readonly value: readonly unknown[] }
  | { readonly op: 'isEmpty'; readonly value: boolean };

export type Filter =
  | { readonly kind: 'and' | 'or' | 'not'; readonly filters: readonly Filter[] }
  | { readonly kind: 'empty' }
  | { readonly kind: 'scalar'; readonly field: ScalarField; readonly condition: Condition; readonly insensitive: boolean }
  | { readonly kind: 'relation'; readonly field: RelationField; readonly condition: RelationCondition; readonly nested: Filter }
  | { readonly kind: 'oneIsNull'; readonly field: RelationField }
  /** A composite (embedded document) condition: query-structure CompositeFilter. */
  | { readonly kind: 'composite'; readonly field: CompositeField; readonly condition: CompositeCondition }
  /** A scalar list condition (`has`, `hasEvery`, `hasSome`, `isEmpty`): query-structure ScalarListCondition. */
  | { readonly kind: 'list'; readonly field: ScalarField; readonly condition: ListCondition }
  /** indexgate's own: a rendered expression (a stand-in's id list), never produced from a client object. */
  | { readonly kind: 'raw'; readonly expr: Document };

const groupKeys = { AND: 'and', OR: 'or', NOT: 'not' } as const;
const relationEnvelope = new Set(['some', 'every', 'none', 'is', 'isNot']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype;

/** Defined entries only: the client drops keys whose value is `undefined` before it sends the query. */
export const definedEntries = (o: Record<string, unknown>): [string, unknown][] => Object.entries(o).filter(([, v]) => v !== undefined);

/** `extract_filter`: each key one filter, in the client's key order; n filters an AND; then `fold_filter`. */
export function parseWhere(dm: DataModel, model: Model, where: unknown, call: string): Filter {
  if (!isPlainObject(where)) throw new PrismaCallError(call, `where must be an object, not ${JSON.stringify(where)}`);
  return fold(extract(dm, model, where, call, 0));
}

/** What a `where` is written against: a model, or a composite type (the filter of an `is`, `some`, …). */
type Fields = Model | CompositeType;

function extract(dm: DataModel, model: Fields, where: Record<string, unknown>, call: string, depth: number): Filter {
  const filters: Filter[] = [];
  for (const [key, value] of definedEntries(where)) {
    const group = groupKeys[key as keyof typeof groupKeys];
    let filter: Filter;
    if (group) {
      const items = Array.isArray(value) ? value : [value];
      const parsed = items
        .map((item) => {
          if (!isPlainObject(item)) throw new PrismaCallError(call, `${key} takes an object or a list of objects`);
          return extract(dm, model, item, call, depth + 1);
        })
        .filter((f) => f.kind !== 'empty');
      if (parsed.length === 0) filter = depth === 0 ? { kind: group, filters: [] } : { kind: 'empty' };
      else if (parsed.length === 1 && group !== 'not') filter = parsed[0] as Filter;
      else filter = { kind: group, filters: parsed };
    } else {
      const field = model.field(key);
      if (!field) throw new PrismaCallError(call, `where: ${model.name} has no field ${key}`);
      const parts = (
        field.kind === 'relation'
          ? relationFilters(dm, field, value, call)
          : field.kind === 'composite'
            ? compositeFilters(dm, field, value, call)
            : scalarFilters(field, value, call)
      ).filter((f) => f.kind !== 'empty');
      filter = parts.length === 0 ? { kind: 'empty' } : parts.length === 1 ? (parts[0] as Filter) : { kind: 'and', filters: parts };
    }
    if (filter.kind !== 'empty') filters.push(filter);
  }
  return filters.length === 0 ? { kind: 'empty' } : filters.length === 1 ? (filters[0] as Filter) : { kind: 'and', filters };
}

/** `extract_scalar_filters` and `ScalarFilterParser::parse_scalar` (`reverse` under `not: {…}`). */
function scalarFilters(field: ScalarField, value: unknown, call: string): Filter[] {
  if (field.isList) return listFilters(field, value, call);
  if (!isPlainObject(value)) return [scalar(field, 'equals', value, false, call)];
  const { mode, ...ops } = value;
  if (mode !== undefined && mode !== 'default' && mode !== 'insensitive')
    throw new PrismaCallError(call, `where: ${field.name}.mode must be "default" or "insensitive"`);
  const insensitive = mode === 'insensitive';
  return parseOps(field, ops, false, insensitive, call);
}

/**
 * A scalar list's filter object (`StringNullableListFilter` & co.): core extractors/filters/scalar.rs
 * `ScalarFilterParser::parse_scalar`, "List-specific filters": `has` → `contains_element`,
 * `hasEvery` → `contains_every_element`, `hasSome` → `contains_some_element`, `isEmpty` →
 * `is_empty_list`; `equals` (the whole list) and `isSet` are the scalar conditions. Each key
 * one filter, in the client's order (an AND when several).
 */
function listFilters(field: ScalarField, value: unknown, call: string): Filter[] {
  if (!isPlainObject(value))
    throw new PrismaCallError(call, `where: ${field.name} is a list field: it takes { equals, has, hasEvery, hasSome, isEmpty, isSet }`);
  return definedEntries(value).map(([op, v]): Filter => {
    switch (op) {
      case 'equals':
        if (v !== null && !Array.isArray(v)) throw new PrismaCallError(call, `where: ${field.name}.equals takes a list`);
        return scalar(field, 'equals', v, false, call);
      case 'isSet':
        if (typeof v !== 'boolean') throw new PrismaCallError(call, `where: ${field.name}.isSet takes true or false`);
        return scalar(field, 'isSet', v, false, call);
      case 'has':
        if (v === null || Array.isArray(v) || isPlainObject(v))
          throw new PrismaCallError(call, `where: ${field.name}.has takes one value of the list's type`);
        return { kind: 'list', field, condition: { op: 'has', value: encodeValue({ ...field, isList: false }, v, call) } };
      case 'hasEvery':
      case 'hasSome':
        if (!Array.isArray(v)) throw new PrismaCallError(call, `where: ${field.name}.${op} takes a list`);
        return { kind: 'list', field, condition: { op, value: v.map((x) => encodeValue({ ...field, isList: false }, x, call)) } };
      case 'isEmpty':
        if (typeof v !== 'boolean') throw new PrismaCallError(call, `where: ${field.name}.isEmpty takes true or false`);
        return { kind: 'list', field, condition: { op: 'isEmpty', value: v } };
      default:
        throw new PrismaCallError(
          call,
          `where: ${field.name}.${op} is not a list filter (Prisma's list filters on MongoDB: equals, has, hasEvery, hasSome, isEmpty, isSet)`,
        );
    }
  });
}

const reversed: Record<string, ConditionOp> = {
  equals: 'notEquals',
  contains: 'notContains',
  startsWith: 'notStartsWith',
  endsWith: 'notEndsWith',
  lt: 'gte',
  gt: 'lte',
  lte: 'gt',
  gte: 'lt',
};

function parseOps(field: ScalarField, ops: Record<string, unknown>, reverse: boolean, insensitive: boolean, call: string): Filter[] {
  const out: Filter[] = [];
  for (const [op, v] of definedEntries(ops)) {
    switch (op) {
      case 'not':
        if (isPlainObject(v)) out.push(...parseOps(field, v, !reverse, insensitive, call));
        else out.push(scalar(field, 'notEquals', v, insensitive, call));
        break;
      case 'in':
      case 'notIn': {
        const negate = (op === 'notIn') !== reverse;
        if (v === null) out.push(scalar(field, negate ? 'notEquals' : 'equals', null, insensitive, call));
        else if (Array.isArray(v)) out.push(scalar(field, negate ? 'notIn' : 'in', v, insensitive, call));
        else throw new PrismaCallError(call, `where: ${field.name}.${op} takes a list`);
        break;
      }
      case 'equals':
      case 'contains':
      case 'startsWith':
      case 'endsWith':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        if (['contains', 'startsWith', 'endsWith'].includes(op) && field.type !== 'String')
          throw new PrismaCallError(call, `where: ${field.name}.${op} applies to String fields only`);
        if (field.objectId && ['contains', 'startsWith', 'endsWith'].includes(op))
          throw new PrismaCallError(call, `where: ${field.name}.${op}: an ObjectId field has no string filters`);
        out.push(scalar(field, reverse ? (reversed[op] as ConditionOp) : (op as ConditionOp), v, insensitive, call));
        break;
      case 'isSet':
        if (typeof v !== 'boolean') throw new PrismaCallError(call, `where: ${field.name}.isSet takes true or false`);
        out.push(scalar(field, 'isSet', reverse ? !v : v, insensitive, call));
        break;
      default:
        throw new PrismaCallError(
          call,
          `where: ${field.name}.${op} is not a scalar filter indexgate's renderer supports (equals, not, in, notIn, lt, lte, gt, gte, contains, startsWith, endsWith, mode, isSet)`,
        );
    }
  }
  return out;
}

function scalar(field: ScalarField, op: ConditionOp, value: unknown, insensitive: boolean, call: string): Filter {
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(value)) throw new PrismaCallError(call, `where: ${field.name}.${op} takes a list`);
    return { kind: 'scalar', field, condition: { op, value: value.map((v) => encodeValue(field, v, call)) }, insensitive };
  }
  if (op === 'isSet') return { kind: 'scalar', field, condition: { op, value }, insensitive };
  if (isPlainObject(value))
    throw new PrismaCallError(
      call,
      `where: ${field.name}: ${JSON.stringify(value)} is not a value for ${op} (field references are not supported)`,
    );
  return { kind: 'scalar', field, condition: { op, value: encodeValue(field, value, call) }, insensitive };
}

/** A relation kept as id arrays on both sides (`@relation(fields: [xIds], references: [id])`, list to list): psl's TwoWayEmbeddedManyToMany. */
export const isManyToMany = (field: RelationField): boolean => field.isList && field.fromFields.length > 0;

const compositeEnvelope = {
  one: new Set(['equals', 'is', 'isNot', 'isSet']),
  many: new Set(['equals', 'every', 'some', 'none', 'isEmpty', 'isSet']),
};

/**
 * core extractors/filters/composite.rs `parse`: an envelope (`equals`, `isSet`; `every`, `some`,
 * `none`, `isEmpty` on a list; `is`, `isNot` on one; exactly one key, "We require exactly one field
 * to be present on all filters"; `is: null` is `equals: null`, `isNot: null` its NOT), or else the
 * equality shorthand (the object, or list, is the value `equals` compares with).
 */
function compositeFilters(dm: DataModel, field: CompositeField, value: unknown, call: string): Filter[] {
  const type = dm.composite(field.type);
  const equals = (v: unknown): Filter => ({
    kind: 'composite',
    field,
    condition: { op: 'equals', value: encodeComposite(dm, field, v, call) },
  });
  const keys = isPlainObject(value) ? definedEntries(value) : [];
  const envelope = field.isList ? compositeEnvelope.many : compositeEnvelope.one;
  if (!isPlainObject(value) || keys.length === 0 || !keys.every(([k]) => envelope.has(k))) return [equals(value)];
  if (keys.length !== 1)
    throw new PrismaCallError(call, `where: ${field.name} takes exactly one of ${[...envelope].join(', ')} (Prisma requires one)`);
  const [op, inner] = keys[0] as [string, unknown];
  if ((op === 'is' || op === 'isNot') && inner === null) return op === 'is' ? [equals(null)] : [{ kind: 'not', filters: [equals(null)] }];
  switch (op) {
    case 'equals':
      return [equals(inner)];
    case 'isSet':
    case 'isEmpty':
      if (typeof inner !== 'boolean') throw new PrismaCallError(call, `where: ${field.name}.${op} takes true or false`);
      return [{ kind: 'composite', field, condition: { op, value: inner } }];
    default: {
      if (!isPlainObject(inner)) throw new PrismaCallError(call, `where: ${field.name}.${op} takes a filter object on ${type.name}`);
      const nested = fold(extract(dm, type, inner, call, 0));
      return [{ kind: 'composite', field, condition: { op: op as 'every' | 'some' | 'none' | 'is' | 'isNot', nested } }];
    }
  }
}

/** `extract_relation_filters` and relation.rs `parse`: `some`/`every`/`none`, `is`/`isNot`, an implicit `is`, or `null`. */
function relationFilters(dm: DataModel, field: RelationField, value: unknown, call: string): Filter[] {
  const related = dm.model(field.type);
  if (value === null) return [{ kind: 'oneIsNull', field }];
  if (!isPlainObject(value)) throw new PrismaCallError(call, `where: ${field.name} takes a relation filter object`);
  const entries = definedEntries(value);
  const envelope = entries.length > 0 && entries.every(([k]) => relationEnvelope.has(k));
  if (!envelope) {
    if (field.isList) throw new PrismaCallError(call, `where: ${field.name} is a list relation: use some, every or none`);
    return [{ kind: 'relation', field, condition: 'toOne', nested: extract(dm, related, value, call, 0) }];
  }
  return entries.map(([key, inner]): Filter => {
    if (field.isList !== ['some', 'every', 'none'].includes(key))
      throw new PrismaCallError(
        call,
        `where: ${field.name}.${key}: ${field.isList ? 'a list relation takes some, every or none' : 'a to-one relation takes is or isNot'}`,
      );
    if (inner === null) {
      if (key === 'is') return { kind: 'oneIsNull', field };
      if (key === 'isNot') return { kind: 'not', filters: [{ kind: 'oneIsNull', field }] };
      throw new PrismaCallError(call, `where: ${field.name}.${key} takes an object`);
    }
    if (!isPlainObject(inner)) throw new PrismaCallError(call, `where: ${field.name}.${key} takes an object`);
    const nested = fold(extract(dm, related, inner, call, 0));
    const condition: RelationCondition = key === 'some' ? 'some' : key === 'every' ? 'every' : key === 'is' ? 'toOne' : 'none';
    return { kind: 'relation', field, condition, nested };
  });
}

/** filter_fold.rs `fold_filter`: nested ANDs into one AND, ORs into one OR, a one-element AND/OR its element; NOT kept. */
export function fold(filter: Filter): Filter {
  if (filter.kind === 'and' || filter.kind === 'or') {
    const flat: Filter[] = [];
    for (const f of filter.filters) {
      if (f.kind === filter.kind) {
        const inner = fold(f);
        if (inner.kind === filter.kind) flat.push(...inner.filters);
        else flat.push(inner);
      } else flat.push(fold(f));
    }
    return flat.length === 1 ? (flat[0] as Filter) : { kind: filter.kind, filters: flat };
  }
  if (filter.kind === 'not') return { kind: 'not', filters: filter.filters.map(fold) };
  return filter;
}

// ---------------------------------------------------------------------------------------------
// Rendering: filter.rs `MongoFilterVisitor` @2ba551f3.

/** A `$lookup` a filter needs: the relation field it follows, nested joins, an alias and a filter of its own (`_count`). */
export interface Join {
  readonly field: RelationField;
  readonly nested: Join[];
  readonly alias?: string;
  /** A filter on the joined documents (relation counts with a `where`). */
  readonly filter?: Rendered;
}

export interface Rendered {
  readonly expr: Document;
  readonly joins: Join[];
}

interface Visitor {
  /** `$` at the root, `$$elem.` inside a relation filter's `$filter` (FilterPrefix::render_with). */
  readonly prefix: string;
  readonly invert: boolean;
  /** Inside `none`: a missing field counts as matching (`exclude_undefineds` inverted). */
  readonly invertUndefinedExclusion: boolean;
}

export function renderFilter(dm: DataModel, filter: Filter, prefix = '$', invertUndefinedExclusion = false): Rendered {
  return visit(dm, filter, { prefix, invert: false, invertUndefinedExclusion });
}

function visit(dm: DataModel, filter: Filter, v: Visitor): Rendered {
  switch (filter.kind) {
    case 'and':
      return v.invert ? boolean(dm, '$or', filter.filters, false, v) : boolean(dm, '$and', filter.filters, true, v);
    case 'or':
      return v.invert ? boolean(dm, '$and', filter.filters, true, v) : boolean(dm, '$or', filter.filters, false, v);
    case 'not': {
      const flipped = { ...v, invert: !v.invert };
      return v.invert ? boolean(dm, '$or', filter.filters, false, flipped) : boolean(dm, '$and', filter.filters, true, flipped);
    }
    case 'empty':
      return { expr: {}, joins: [] };
    case 'raw':
      return { expr: filter.expr, joins: [] };
    case 'scalar':
      return {
        expr: scalarExpr(filter.field, v.invert ? invertCondition(filter.condition) : filter.condition, filter.insensitive, v),
        joins: [],
      };
    case 'list':
      return { expr: listExpr(filter.field, filter.condition, v), joins: [] };
    case 'composite':
      return { expr: compositeExpr(dm, filter.field, filter.condition, v), joins: [] };
    case 'oneIsNull': {
      const ref = `${v.prefix}${filter.field.relationName}`;
      return { expr: { [v.invert ? '$gt' : '$eq']: [{ $size: ref }, 0] }, joins: [{ field: filter.field, nested: [] }] };
    }
    case 'relation':
      return relationExpr(
        dm,
        filter.field,
        v.invert ? invertRelation(filter.condition, !filter.field.isList) : filter.condition,
        filter.nested,
        v,
      );
  }
}

/** `visit_boolean_operator`: an empty group is a stub (`{$and: true|false}`); otherwise `{op: [children]}`, joins gathered in order (`fold_nested`). */
function boolean(dm: DataModel, op: '$and' | '$or', filters: readonly Filter[], truthy: boolean, v: Visitor): Rendered {
  if (filters.length === 0) return { expr: { $and: truthy }, joins: [] };
  const parts = filters.map((f) => visit(dm, f, v));
  return { expr: { [op]: parts.map((p) => p.expr) }, joins: parts.flatMap((p) => p.joins) };
}

/** ScalarCondition::invert (query-structure filter/scalar/condition). */
function invertCondition(c: Condition): Condition {
  const flip: Record<ConditionOp, ConditionOp> = {
    equals: 'notEquals',
    notEquals: 'equals',
    contains: 'notContains',
    notContains: 'contains',
    startsWith: 'notStartsWith',
    notStartsWith: 'startsWith',
    endsWith: 'notEndsWith',
    notEndsWith: 'endsWith',
    lt: 'gte',
    lte: 'gt',
    gt: 'lte',
    gte: 'lt',
    in: 'notIn',
    notIn: 'in',
    isSet: 'isSet',
  };
  return { op: flip[c.op], value: c.op === 'isSet' ? !c.value : c.value };
}

/** RelationCondition::invert (query-structure filter/relation.rs). */
function invertRelation(c: RelationCondition, toOne: boolean): RelationCondition {
  if (c === 'every' || c === 'some' || c === 'toOne') return 'none';
  return toOne ? 'toOne' : 'some';
}

const literal = (value: unknown): Document => ({ $literal: value });
const isSetExpr = (ref: string, isSet: boolean): Document => (isSet ? { $ne: [ref, '$$REMOVE'] } : { $eq: [ref, '$$REMOVE'] });

/** The regex a string condition is (filter.rs `regex_match`): prefix, suffix, and whether it is negated (`$not`). */
const patterns: Partial<Record<ConditionOp, readonly [string, string, boolean]>> = {
  contains: ['.*', '.*', false],
  notContains: ['.*', '.*', true],
  startsWith: ['^', '', false],
  notStartsWith: ['^', '', true],
  endsWith: ['', '$', false],
  notEndsWith: ['', '$', true],
};

/** `default_scalar_filter` / `insensitive_scalar_filter`, then `exclude_undefineds` for every condition but `isSet`. */
function scalarExpr(field: ScalarField, c: Condition, insensitive: boolean, v: Visitor): Document {
  const ref = `${v.prefix}${field.dbName}`;
  if (c.op === 'isSet') return isSetExpr(ref, c.value as boolean);
  // The value is not escaped: `contains: "a.b"` matches "axb", as in Prisma.
  const regex = (pre: string, value: unknown, post: string): Document => ({
    $regexMatch: { input: ref, regex: `${pre}${String(value)}${post}`, options: insensitive ? 'i' : '' },
  });
  const text = patterns[c.op];
  let expr: Document;
  if (text) {
    const [pre, post, negated] = text;
    expr = negated ? { $not: regex(pre, c.value, post) } : regex(pre, c.value, post);
  } else if (insensitive) {
    // Insensitive equality is an anchored regex; an ordering compares the lower-cased values (not `$literal`-wrapped).
    if (c.op === 'equals') expr = regex('^', c.value, '$');
    else if (c.op === 'notEquals') expr = { $not: regex('^', c.value, '$') };
    else if (c.op === 'in') expr = { $or: (c.value as unknown[]).map((x) => regex('^', x, '$')) };
    else if (c.op === 'notIn') expr = { $and: (c.value as unknown[]).map((x) => ({ $not: regex('^', x, '$') })) };
    else expr = { [`$${c.op}`]: [{ $toLower: ref }, { $toLower: c.value }] };
  } else if (c.op === 'in') {
    // `in` as an `$or` of `$eq`, not `$in`: "MongoDB does not optimise aggregation version of `$in`" (engines PR #4848, Prisma 5.14).
    expr = { $or: (c.value as unknown[]).map((x) => ({ $eq: [ref, literal(x)] })) };
  } else if (c.op === 'notIn') {
    expr = { $and: (c.value as unknown[]).map((x) => ({ $ne: [ref, literal(x)] })) };
  } else {
    const op = c.op === 'equals' ? '$eq' : c.op === 'notEquals' ? '$ne' : `$${c.op}`;
    expr = { [op]: [ref, literal(c.value)] };
  }
  const isSet = isSetExpr(ref, !v.invertUndefinedExclusion);
  return v.invertUndefinedExclusion ? { $or: [expr, isSet] } : { $and: [expr, isSet] };
}

/**
 * mongodb-query-connector filter.rs `MongoFilterVisitor::visit_scalar_list_filter`: `has` is
 * `$in: [value, {$ifNull: [field, []]}]` (the value not `$literal`-wrapped), `hasEvery`/`hasSome`
 * an `$and`/`$or` of those (empty: the stub `{$and: true}` / `{$and: false}`, `render_stub_condition`),
 * `isEmpty` a `$size` of the coerced array against 0; inverted, `{$not: …}`; then
 * `exclude_undefineds` as for a scalar.
 */
function listExpr(field: ScalarField, c: ListCondition, v: Visitor): Document {
  const ref = `${v.prefix}${field.dbName}`;
  const asArray = { $ifNull: [ref, []] };
  const has = (x: unknown) => ({ $in: [x, asArray] });
  let expr: Document;
  switch (c.op) {
    case 'has':
      expr = has(c.value);
      break;
    case 'hasEvery':
      expr = c.value.length === 0 ? { $and: true } : { $and: c.value.map(has) };
      break;
    case 'hasSome':
      expr = c.value.length === 0 ? { $and: false } : { $or: c.value.map(has) };
      break;
    case 'isEmpty':
      expr = { [c.value ? '$eq' : '$gt']: [{ $size: asArray }, 0] };
      break;
  }
  if (v.invert) expr = { $not: expr };
  const isSet = isSetExpr(ref, !v.invertUndefinedExclusion);
  return v.invertUndefinedExclusion ? { $or: [expr, isSet] } : { $and: [expr, isSet] };
}

/**
 * filter.rs `MongoFilterVisitor::visit_composite_filter`: `every`/`some`/`none` a `$filter` over the
 * array coerced with `$ifNull` (render_every_from_filter & co., their filter by a visitor on
 * `$$elem.`; `none` with the undefined exclusion inverted), `equals` a `$eq` with the document
 * (not `$literal`-wrapped), `isEmpty` a `$size` with a null check, `isSet` the `$$REMOVE` test,
 * `is`/`isNot` the type's filter rendered on `<prefix><field>.` (`isNot` inverted), returned as
 * is; the others `$not` when inverted, then `exclude_undefineds` (not for `isSet`).
 */
function compositeExpr(dm: DataModel, field: CompositeField, c: CompositeCondition, v: Visitor): Document {
  const ref = `${v.prefix}${field.dbName}`;
  const asArray = { $ifNull: [ref, []] };
  const filtered = (nested: Filter, invertUndefinedExclusion: boolean) => ({
    $size: { $filter: { input: asArray, as: 'elem', cond: renderFilter(dm, nested, '$$elem.', invertUndefinedExclusion).expr } },
  });
  let expr: Document;
  switch (c.op) {
    case 'is':
    case 'isNot':
      return visit(dm, c.nested, {
        prefix: `${ref}.`,
        invert: c.op === 'isNot' ? !v.invert : v.invert,
        invertUndefinedExclusion: v.invertUndefinedExclusion,
      }).expr;
    case 'every':
      expr = { $eq: [filtered(c.nested, v.invertUndefinedExclusion), { $size: asArray }] };
      break;
    case 'some':
      expr = { $gt: [filtered(c.nested, v.invertUndefinedExclusion), 0] };
      break;
    case 'none':
      expr = { $eq: [filtered(c.nested, !v.invertUndefinedExclusion), 0] };
      break;
    case 'equals':
      expr = { $eq: [ref, c.value] };
      break;
    case 'isEmpty': {
      const empty = { [c.value ? '$eq' : '$gt']: [{ $size: asArray }, 0] };
      const asNull = { $ifNull: [ref, null] };
      expr = v.invert ? { $or: [empty, { $eq: [asNull, null] }] } : { $and: [empty, { $ne: [asNull, null] }] };
      break;
    }
    case 'isSet':
      expr = isSetExpr(ref, c.value);
      break;
  }
  if (v.invert) expr = { $not: expr };
  if (c.op === 'isSet') return expr;
  const isSet = isSetExpr(ref, !v.invertUndefinedExclusion);
  return v.invertUndefinedExclusion ? { $or: [expr, isSet] } : { $and: [expr, isSet] };
}

/**
 * `visit_relation_filter`: the condition on the joined array (named after the relation), its
 * nested filter rendered by a new visitor with the `$$elem.` prefix and no inversion (filter.rs
 * `render_some_from_filter` & co.), and one join for it, its nested joins inside.
 */
function relationExpr(dm: DataModel, field: RelationField, condition: RelationCondition, nested: Filter, v: Visitor): Rendered {
  const input = `${v.prefix}${field.relationName}`;
  const size = { $size: input };
  const inner = (invertUndefinedExclusion: boolean) => renderFilter(dm, nested, '$$elem.', invertUndefinedExclusion);
  const filtered = (cond: Document) => ({ $size: { $filter: { input, as: 'elem', cond } } });
  const join = (nestedJoins: Join[]): Join[] => [{ field, nested: nestedJoins }];
  const toOne = !field.isList;
  switch (condition) {
    case 'every': {
      const r = inner(false);
      return { expr: { $eq: [filtered(r.expr), { $size: input }] }, joins: join(r.joins) };
    }
    case 'some': {
      const r = inner(false);
      return { expr: { $gt: [filtered(r.expr), 0] }, joins: join(r.joins) };
    }
    case 'none': {
      if (nested.kind === 'empty') return { expr: { $eq: [size, 0] }, joins: join([]) };
      const r = inner(true);
      const none = { $eq: [filtered(r.expr), 0] };
      // A to-one `isNot`: the related record exists and does not match.
      return { expr: toOne ? { $and: [none, { $eq: [size, 1] }] } : none, joins: join(r.joins) };
    }
    case 'toOne': {
      const r = inner(false);
      return { expr: { $and: [{ $eq: [filtered(r.expr), { $size: input }] }, { $eq: [size, 1] }] }, joins: join(r.joins) };
    }
  }
}

/**
 * join.rs `JoinStage::build`: a `$lookup` from the related collection, `let: {left_i: "$<this side's
 * linking field>"}`, a pipeline of one `$match $expr $and` of `$eq: ["$<other side's field>",
 * "$$left_i"]`, the nested joins, then the join's own filter; `as` the alias or the relation's
 * name. A to-one join also yields an `$unwind` (kept as an array inside another join).
 */
export function buildJoin(dm: DataModel, join: Join): { lookup: Document; unwind?: Document } {
  const related = dm.model(join.field.type);
  const other = dm.opposite(join.field);
  // A many-to-many relation (TwoWayEmbeddedManyToMany): the left side is this model's id
  // (query-structure RelationField `linking_fields_impl`), the right the other side's id list
  // (`related_field().scalar_fields()`), matched by `$in` after an `$addFields` that makes a
  // missing or non-array list `[]` ("required to make joins work").
  const m2m = isManyToMany(join.field);
  const left = m2m ? [dm.model(join.field.model).id] : dm.linkingFields(join.field);
  // `right_scalars`: for a many-to-many relation the other side's id list (`related_field().scalar_fields()`).
  const right = m2m
    ? other.fromFields.map((name) => dm.model(other.model).field(name)).filter((f): f is ScalarField => f?.kind === 'scalar')
    : dm.linkingFields(other);
  const op = (r: ScalarField, i: number): Document =>
    !m2m
      ? { $eq: [`$${r.dbName}`, `$$left_${i}`] }
      : r.isList
        ? { $in: [`$$left_${i}`, `$${r.dbName}`] }
        : { $in: [`$${r.dbName}`, `$$left_${i}`] };
  const pipeline: Document[] = m2m
    ? [
        {
          $addFields: Object.fromEntries(
            right.map((r) => [r.dbName, { $cond: { if: { $ne: [{ $type: `$${r.dbName}` }, 'array'] }, then: [], else: `$${r.dbName}` } }]),
          ),
        },
      ]
    : [];
  pipeline.push({ $match: { $expr: { $and: right.map(op) } } });
  const nested = [...join.nested, ...(join.filter?.joins ?? [])];
  for (const n of nested) pipeline.push(buildJoin(dm, n).lookup);
  if (join.filter) pipeline.push({ $match: { $expr: join.filter.expr } });
  const as = join.alias ?? join.field.relationName;
  const lookup = {
    $lookup: { from: related.collection, let: Object.fromEntries(left.map((l, i) => [`left_${i}`, `$${l.dbName}`])), pipeline, as },
  };
  return join.field.isList ? { lookup } : { lookup, unwind: { $unwind: { path: `$${as}`, preserveNullAndEmptyArrays: true } } };
}
