import type { Document } from 'mongodb';
import { PrismaCallError } from '../prisma/call-error.js';
import type { DataModel, Model, ScalarField } from '../prisma/datamodel.js';
import { buildJoin, isManyToMany, parseWhere, renderFilter } from '../prisma/filter.js';
import { RouteFileError } from '../route-engine/route-file-error.js';
import type { Route, RouteUsers } from '../route.js';
import type { UserRanking } from './user-classes.js';

/**
 * A route's `users` declaration, checked against the application's schema and rendered into the
 * one aggregation that ranks its users (`UserRanking`):
 *  - a one-to-many relation (the related model holds the foreign key to the user's id): the
 *    related documents matching `where`, grouped by that key;
 *  - a many-to-many relation (id lists on both sides): without `where`, the length of the user's
 *    own id list; with it, the related documents matching `where`, grouped by each id in their
 *    list of the user's ids.
 * `where` is a Prisma where on the related model, rendered as Prisma renders a find's
 * (src/prisma/filter.ts: `@map` names, the undefined exclusion, relation filters as joins).
 * A foreign key value is taken as a user's id, as the workload's rule takes `userId`: no join
 * back to the users' collection. A declaration the schema does not bear is refused naming the
 * route file, before anything is sent.
 */

/** The ranking a declaration stands for; throws `RouteFileError` naming `file` when the schema does not bear it. */
export function routeUsersRanking(dm: DataModel, users: RouteUsers, file: string): UserRanking {
  const refuse = (detail: string): never => {
    throw new RouteFileError(file, `users: ${detail}`);
  };
  const model = dm.models.get(users.model) ?? refuse(`model: ${dm.file} has no model ${users.model} (${[...dm.models.keys()].join(', ')})`);
  const lists = model.relations.filter((r) => r.isList).map((r) => r.name);
  const named = lists.length > 0 ? `its list relations: ${lists.join(', ')}` : 'it has no list relation';
  const field = model.field(users.load.relation);
  if (!field) return refuse(`load.relation: ${model.name} has no field ${users.load.relation} (${named})`);
  if (field.kind !== 'relation') return refuse(`load.relation: ${model.name}.${field.name} is not a relation field (${named})`);
  if (!field.isList)
    return refuse(
      `load.relation: ${model.name}.${field.name} is a to-one relation; a user's load counts the records of a list relation (${named})`,
    );
  const related = dm.model(field.type);
  const other = dm.opposite(field);
  let where: { match: Document[]; any: boolean };
  try {
    where = rendered(dm, related, users.load.where);
  } catch (error) {
    if (error instanceof PrismaCallError) return refuse(`load.where: ${error.detail.replace(/^where: /, '')}`);
    throw error;
  }
  const load = `${model.name}.${field.name}${where.any ? ' matching its where' : ''}`;
  const collection = related.collection;
  if (isManyToMany(field)) {
    const ids = scalarOf(model, field.fromFields[0]);
    const theirs = scalarOf(related, other.fromFields[0]);
    if (!ids || !theirs || field.fromFields.length !== 1 || other.fromFields.length !== 1)
      return refuse(`load.relation: ${model.name}.${field.name}: a many-to-many relation is read through one id list on each side`);
    if (!where.any)
      return {
        collection: model.collection,
        pipeline: [
          { $project: { n: { $size: { $cond: { if: { $isArray: `$${ids.dbName}` }, then: `$${ids.dbName}`, else: [] } } } } },
          { $match: { n: { $gte: 1 } } },
        ],
        load,
      };
    return {
      collection,
      pipeline: [...where.match, { $unwind: `$${theirs.dbName}` }, { $group: { _id: `$${theirs.dbName}`, n: { $sum: 1 } } }],
      load,
    };
  }
  const key = other.fromFields.length === 1 ? scalarOf(related, other.fromFields[0]) : undefined;
  if (!key)
    return refuse(`load.relation: ${model.name}.${field.name}: ${related.name} links to it by ${other.fromFields.length} fields, not one`);
  if (other.toFields[0] !== model.id.name)
    return refuse(
      `load.relation: ${model.name}.${field.name}: ${related.name}.${key.name} references ${model.name}.${other.toFields[0] ?? '?'}, not its id`,
    );
  return {
    collection,
    pipeline: [...where.match, { $group: { _id: `$${key.dbName}`, n: { $sum: 1 } } }, { $match: { _id: { $ne: null } } }],
    load,
  };
}

/** Each route with a `users` declaration, by id, with its ranking: checked before a run starts. */
export function routeRankings(dm: DataModel, routes: readonly Route[]): ReadonlyMap<string, UserRanking> {
  return new Map(routes.flatMap((r) => (r.users ? [[r.id, routeUsersRanking(dm, r.users, r.file)] as const] : [])));
}

const scalarOf = (model: Model, name: string | undefined): ScalarField | undefined => {
  const f = name === undefined ? undefined : model.field(name);
  return f?.kind === 'scalar' ? f : undefined;
};

/** The `where` as the stages that select the related documents: the filter's joins, then `$match: {$expr}` (read.rs `into_pipeline_stages`). */
function rendered(dm: DataModel, related: Model, where: RouteUsers['load']['where']): { match: Document[]; any: boolean } {
  if (where === undefined) return { match: [], any: false };
  const filter = parseWhere(dm, related, where, 'where');
  if (filter.kind === 'empty') return { match: [], any: false };
  const { expr, joins } = renderFilter(dm, filter);
  return { match: [...joins.map((j) => buildJoin(dm, j).lookup), { $match: { $expr: expr } }], any: true };
}
