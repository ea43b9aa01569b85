import type { Document } from 'mongodb';
import type { ClientSide } from '../../src/routes/model.js';

/**
 * How Prisma 6's MongoDB connector writes a read, reduced to the pieces the conversation
 * list uses. Read from prisma/prisma-engines at 2ba551f3 (the engines commit Prisma 6.19.0
 * pins), query-engine/connectors/mongodb-query-connector and query-engine/core; the README's
 * "The application's route" lists them.
 */

/**
 * A scalar equality: `{$and: [{$eq: ["$f", {$literal: v}]}, {$ne: ["$f", "$$REMOVE"]}]}`.
 * filter.rs @2ba551f3: `default_scalar_filter` (equals), `coerce_to_bson_for_filter` (every value
 * wrapped in `$literal`, engines PR #3211) and `exclude_undefineds` (the `$ne … $$REMOVE`).
 * `prefix` is `$` at the root and `$$elem.` inside a relation filter's `$filter` (`FilterPrefix::render_with`).
 */
export function equals(field: string, value: unknown, prefix = '$'): Document {
  const ref = `${prefix}${field}`;
  return { $and: [{ $eq: [ref, { $literal: value }] }, { $ne: [ref, '$$REMOVE'] }] };
}

/**
 * An `in` list: an `$or` of `$eq`, no `$in` (filter.rs @2ba551f3, `ScalarCondition::In`; engines
 * PR #4848, Prisma 5.14: "MongoDB does not optimise aggregation version of `$in` to use indexes").
 */
export function inList(field: string, values: readonly unknown[], prefix = '$'): Document {
  const ref = `${prefix}${field}`;
  return { $and: [{ $or: values.map((v) => ({ $eq: [ref, { $literal: v }] })) }, { $ne: [ref, '$$REMOVE'] }] };
}

/** AND of filters; one filter is not wrapped (filter.rs `visit_boolean_operator`, core `filter_fold.rs` @2ba551f3). */
export function and(...filters: Document[]): Document {
  return filters.length === 1 ? (filters[0] as Document) : { $and: filters };
}

/** Every filter is an `$expr` (read_query_builder.rs @2ba551f3, `into_pipeline_stages`). */
export const match = (filter: Document): Document => ({ $match: { $expr: filter } });

/** `$project`: the id first, then the selected scalars (projection.rs @2ba551f3, `IntoBson for FieldSelection`). */
export function project(fields: readonly string[]): Document {
  return { $project: Object.fromEntries(['_id', ...fields.filter((f) => f !== '_id')].map((f) => [f, 1])) };
}

/**
 * A relation filter `some` on a to-many relation: a `$lookup` of every related document (join.rs
 * @2ba551f3, `JoinStage::build`: `let: {left_0: "$<parent field>"}`, one `$match $expr` on the
 * child's link field, no `$project`, `as` the relation's name), then the condition on the joined
 * array: `{$gt: [{$size: {$filter: {input, as: "elem", cond}}}, 0]}` (filter.rs `render_some`).
 */
export function someJoin(from: string, childField: string, relationName: string): Document {
  return {
    $lookup: {
      from,
      let: { left_0: '$_id' },
      pipeline: [{ $match: { $expr: { $and: [{ $eq: [`$${childField}`, '$$left_0'] }] } } }],
      as: relationName,
    },
  };
}

export function someCondition(relationName: string, cond: Document): Document {
  return { $gt: [{ $size: { $filter: { input: `$${relationName}`, as: 'elem', cond } } }, 0] };
}

/**
 * Prisma's in-memory pagination of a nested to-many read with several parents
 * (core inmemory_record_processor.rs, `InMemoryRecordProcessor::apply`): records stable-sorted
 * by parent link, then `skip`/`take` per parent. Used when the read has more than one parent
 * (nested_read.rs `one2m`); the command then carries no `$limit` (prisma/orm #13865).
 */
export function takePerParent(take: number, parentField: string, what: string): ClientSide {
  return {
    describe: `keeps the first ${take} ${what} per ${parentField} in memory (Prisma's in-memory take: every match was fetched)`,
    keep(docs) {
      const seen = new Map<string, number>();
      const kept: Document[] = [];
      for (const doc of docs) {
        const parent = String(doc[parentField]);
        const n = seen.get(parent) ?? 0;
        if (n < take) kept.push(doc);
        seen.set(parent, n + 1);
      }
      return kept;
    },
  };
}

/** Distinct values of a field, in first-seen order (nested_read.rs: the parents' link values, `uniq_selections`). */
export function distinct<T>(docs: readonly Document[], field: string): T[] {
  const seen = new Map<string, T>();
  for (const doc of docs) {
    const value = doc[field] as T | null | undefined;
    if (value !== null && value !== undefined && !seen.has(String(value))) seen.set(String(value), value);
  }
  return [...seen.values()];
}
