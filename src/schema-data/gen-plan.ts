import { ObjectId } from 'mongodb';
import { hash32, Rng } from '../data/random.js';
import { profileProbabilities } from '../data/quantiles.js';
import type { DataModel, Model, RelationField, ScalarField } from '../prisma/datamodel.js';
import type { DatasetPlan } from '../workload.js';
import { absentValue, enumValues, type FieldMaker, fieldMaker, idMaker, type MakerContext, Sequences, valueOfKey } from './gen-values.js';
import {
  type Adjacency,
  apportion,
  childKeys,
  fanOut,
  keyCodes,
  pairLists,
  type ParentClasses,
  seatsOf,
  separatePairs,
} from './gen-relations.js';
import type { RelationProfile, SchemaProfile } from './profile.js';

/**
 * The plan of a dataset seeded from a schema and a profile: every model's count, its fields'
 * producers in declaration order, and the relations dealt in typed arrays (gen-relations.ts),
 * all decided before the first document. A document is then a function of its index alone.
 */

/** One field of a document: its database name and its value for document i. */
interface Producer {
  readonly dbName: string;
  readonly value: FieldMaker;
}

export interface ModelPlan {
  readonly name: string;
  readonly collection: string;
  readonly count: number;
  /** The random stream of the model's documents. */
  readonly stream: number;
  readonly fields: readonly Producer[];
  /** The @@uniques a missing key leaves open (see `openUniques`): a document they cannot tell apart gets a value of its own. */
  readonly uniqueFills: readonly UniqueFill[];
}

/**
 * A @@unique over relation keys and a String of the model's own (meeshy's Participant:
 * `@@unique([conversationId, userId, sessionTokenHash])`): distinct key pairs keep it, but a
 * document whose key is null or absent (an anonymous participant) is told apart only by the
 * String. Such a document gets a String of its own (hex, the field's median length) where the
 * profile would leave it null or absent: the application writes one (a session's token hash)
 * exactly where it writes no user. Without it MongoDB's unique index, which holds null as a
 * value, refuses the second such document.
 */
export interface UniqueFill {
  /** The keys' names in the database: one of them null or absent opens the unique. */
  readonly keys: readonly string[];
  /** The String field (database name) given a value of its own. */
  readonly field: string;
  readonly length: number;
}

export interface SchemaPlan extends DatasetPlan {
  readonly seed: number;
  /** In load order: parents before their children. */
  readonly models: readonly ModelPlan[];
  /** What the plan's typed arrays weigh, bytes. */
  readonly arrayBytes: number;
}

/** Each model's documents at `factor`: the profile's count × factor, rounded, for models both the profile and the schema hold. */
export function countsOf(schema: DataModel, profile: SchemaProfile, factor: number): ReadonlyMap<string, number> {
  const counts = new Map<string, number>();
  for (const [name, m] of Object.entries(profile.models)) if (schema.models.has(name)) counts.set(name, Math.round(m.count * factor));
  return counts;
}

/** The models a relation field's key points at, when this side holds a single-field key to the other's id. */
export const isKeySide = (r: RelationField): boolean => !r.isList && r.fromFields.length > 0;

/** The seeded models, parents first (declaration order among equals; a cycle is broken in declaration order). */
export function loadOrder(schema: DataModel, counts: ReadonlyMap<string, number>): Model[] {
  const models = [...schema.models.values()].filter((m) => counts.has(m.name));
  const placed = new Set<string>();
  const order: Model[] = [];
  while (order.length < models.length) {
    const ready =
      models.find(
        (m) =>
          !placed.has(m.name) && m.relations.every((r) => !isKeySide(r) || r.type === m.name || placed.has(r.type) || !counts.has(r.type)),
      ) ?? models.find((m) => !placed.has(m.name));
    if (!ready) break;
    placed.add(ready.name);
    order.push(ready);
  }
  return order;
}

/** The relation field of `model` whose key fields are `fields`. */
export function relationByFields(model: Model, fields: readonly string[]): RelationField | undefined {
  return model.relations.find((r) => r.fromFields.length === fields.length && r.fromFields.every((f, k) => f === fields[k]));
}

/** A parent's id as the child's key field stores it (an ObjectId id in a plain String key: its hex). */
const asKey = (key: ScalarField, id: unknown): unknown => (id instanceof ObjectId && !key.objectId ? id.toHexString() : id);

interface Planner {
  readonly schema: DataModel;
  readonly profile: SchemaProfile;
  readonly factor: number;
  readonly seed: number;
  readonly counts: ReadonlyMap<string, number>;
  readonly ids: ReadonlyMap<string, (index: number) => unknown>;
  bytes: number;
}

const count = (p: Planner, model: string) => p.counts.get(model) ?? 0;

/** Named random streams of a plan, so that no two decisions share numbers. */
const streams = { documents: 100, relation: 1000, classes: 2000, fallback: 3000 } as const;

/** The values of a parent's field the fan-out is conditioned on: dealt exactly (the profile's parents per value, scaled). */
function classesOf(p: Planner, relation: RelationProfile, index: number): { field: string; keys: string[]; of: Uint8Array } | undefined {
  const by = relation.byParentField;
  if (!by) return undefined;
  const keys = Object.keys(by.values).slice(0, 255);
  const parents = count(p, relation.parent.model);
  const perClass = apportion(
    Float64Array.from(keys, (k) => by.values[k]?.parents ?? 0),
    parents,
  );
  const of = Uint8Array.from(seatsOf(perClass, parents));
  Rng.for(p.seed, streams.classes, index).shuffle(of);
  p.bytes += of.byteLength;
  return { field: by.field, keys, of };
}

/** What the children of one model's key relations hold: per key field, each child's parent (or a `keyCodes` code). */
interface KeyColumn {
  readonly relation: RelationField;
  readonly parentCount: number;
  readonly keys: Int32Array;
}

/**
 * Plans the profiled relations: the key columns of one-to-many and one-to-one relations, the
 * lists of many-to-many ones, and the parents' classes their fan-outs are conditioned on.
 */
function planRelations(p: Planner) {
  const columns = new Map<string, KeyColumn[]>();
  const lists = new Map<string, { adjacency: Adjacency; other: string; zeroShare: number }>();
  const classes = new Map<string, { keys: string[]; of: Uint8Array }>();
  p.profile.relations.forEach((relation, index) => {
    const child = p.schema.models.get(relation.child.model);
    const parentModel = relation.parent.model;
    if (!child || !p.schema.models.has(parentModel)) return;
    const rng = Rng.for(p.seed, streams.relation, index);
    const fieldClasses = classesOf(p, relation, index);
    const known = fieldClasses && classes.get(`${parentModel}.${fieldClasses.field}`);
    const parentClasses = known ?? fieldClasses;
    if (fieldClasses && !known) classes.set(`${parentModel}.${fieldClasses.field}`, fieldClasses);
    const conditioned: ParentClasses | undefined =
      parentClasses && relation.byParentField
        ? {
            of: parentClasses.of,
            perParent: parentClasses.keys.map(
              (k) => relation.byParentField?.values[k]?.perParent ?? { n: 0, sum: 0, q: relation.perParent.q.map(() => 0) },
            ),
          }
        : undefined;
    const C = count(p, child.name);
    const P = count(p, parentModel);
    if (relation.kind === 'many-to-many') {
      const childField = relation.child.fields[0] ?? '';
      const parentField = relation.parent.fields?.[0];
      const parentsSum = (relation.perParent.sum / Math.max(1, relation.perParent.n)) * P;
      const childrenSum = relation.perChild ? (relation.perChild.sum / Math.max(1, relation.perChild.n)) * C : parentsSum;
      const edges = Math.min(C * P, Math.round((parentsSum + childrenSum) / 2));
      const parentLengths = fanOut(relation.perParent, P, edges, C, rng, conditioned);
      const childLengths = relation.perChild ? fanOut(relation.perChild, C, edges, P, rng) : apportion(new Float64Array(C), edges, P);
      const { a, b } = pairLists(childLengths, parentLengths, rng, `${relation.name} (${child.name}.${childField})`);
      p.bytes += 4 * (3 * edges + 2 * (C + P));
      const zeros = (lengths: Int32Array) => lengths.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) / Math.max(1, lengths.length);
      lists.set(`${child.name}.${childField}`, { adjacency: a, other: parentModel, zeroShare: zeros(childLengths) });
      if (parentField) lists.set(`${parentModel}.${parentField}`, { adjacency: b, other: child.name, zeroShare: zeros(parentLengths) });
      return;
    }
    const field = relationByFields(child, relation.child.fields);
    if (!field) return;
    const keyProfile = p.profile.models[child.name]?.fields[relation.child.fields[0] ?? ''];
    const missing = {
      absent: Math.round(C * (keyProfile?.absent ?? 0)),
      null: Math.round(C * (keyProfile?.null ?? 0)),
      dangling: Math.round(C * (relation.danglingShare ?? 0)),
    };
    const linked = Math.max(0, C - missing.absent - missing.null - missing.dangling);
    const counts = fanOut(relation.perParent, P, linked, ceilingOf(p, child, field), rng, conditioned);
    const keys = childKeys(counts, C, missing, rng);
    p.bytes += 4 * (C + P);
    columns.set(child.name, [...(columns.get(child.name) ?? []), { relation: field, parentCount: P, keys }]);
  });
  // A @@unique over two relations' keys (a join): the pairs made distinct.
  for (const [name, cols] of columns) {
    const model = p.schema.model(name);
    for (const u of model.compoundUniques) {
      const covered = cols.filter((c) => c.relation.fromFields.every((f) => u.fields.includes(f)));
      const [first, second] = covered;
      if (first && second)
        separatePairs(
          first.keys,
          second.keys,
          second.parentCount,
          Rng.for(p.seed, streams.relation, 999),
          `${name} @@unique(${u.fields.join(', ')})`,
        );
    }
  }
  return { columns, lists, classes };
}

/** The most children a parent can hold: 1 for a unique key, the other parent's count for a key in a @@unique with another relation's. */
export function ceilingOf(p: { readonly counts: ReadonlyMap<string, number> }, child: Model, field: RelationField): number {
  const keys = field.fromFields;
  const unique = keys.length === 1 && child.scalars.some((s) => s.name === keys[0] && s.isUnique);
  if (unique) return 1;
  let ceiling = Infinity;
  for (const u of child.compoundUniques) {
    if (!keys.every((k) => u.fields.includes(k))) continue;
    for (const other of child.relations) {
      if (other === field || !isKeySide(other) || !other.fromFields.every((k) => u.fields.includes(k))) continue;
      ceiling = Math.min(ceiling, p.counts.get(other.type) ?? 0);
    }
  }
  return ceiling;
}

/** The fields whose values must be unique: @unique ones, and one field of each @@unique that no two relations' keys cover. */
function uniqueFields(model: Model): Set<string> {
  const keys = new Set(model.relations.flatMap((r) => (isKeySide(r) ? r.fromFields : [])));
  const unique = new Set(model.scalars.filter((s) => s.isUnique && !s.isId && !keys.has(s.name)).map((s) => s.name));
  for (const u of model.compoundUniques) {
    if (u.fields.filter((f) => keys.has(f)).length >= 2) continue;
    const own = u.fields.filter((f) => !keys.has(f)).map((f) => model.field(f));
    const pick = own.find((f) => f?.kind === 'scalar' && f.type === 'String') ?? own.find((f) => f?.kind === 'scalar');
    if (pick) unique.add(pick.name);
  }
  return unique;
}

/** Plans a dataset: see the module's comment. */
export function planSchemaData(schema: DataModel, profile: SchemaProfile, factor: number, seed: number): SchemaPlan {
  const counts = countsOf(schema, profile, factor);
  const order = loadOrder(schema, counts);
  const ids = new Map([...schema.models.values()].map((m) => [m.name, idMaker(m.id, m.name, counts.get(m.name) ?? 0, seed)]));
  const p: Planner = { schema, profile, factor, seed, counts, ids, bytes: 0 };
  const { columns, lists, classes } = planRelations(p);
  const sequences = new Sequences(seed);
  const enums = enumValues(schema);
  const models = order.map((model, index): ModelPlan => {
    const n = count(p, model.name);
    const ctx: MakerContext = {
      sequences,
      seed,
      count: n,
      enums,
      schema,
      profile: profile.models[model.name],
      factor,
      unique: uniqueFields(model),
    };
    const keyFields = new Map<string, { column: KeyColumn | undefined; relation: RelationField }>();
    for (const r of model.relations) {
      if (!isKeySide(r)) continue;
      const column = columns.get(model.name)?.find((c) => c.relation === r);
      for (const f of r.fromFields) keyFields.set(f, { column, relation: r });
    }
    const fields: Producer[] = [];
    for (const f of model.fields) {
      if (f.kind === 'relation') continue;
      const path = `${model.name}.${f.name}`;
      if (f.kind === 'scalar' && f.isId) {
        const id = ids.get(model.name) ?? ((i: number) => i);
        fields.push({ dbName: f.dbName, value: (i) => id(i) });
        continue;
      }
      const key = keyFields.get(f.name);
      const list = lists.get(path);
      const cls = classes.get(path);
      if (f.kind === 'scalar' && key) fields.push({ dbName: f.dbName, value: keyProducer(p, f, key.relation, key.column, index) });
      else if (f.kind === 'scalar' && list) fields.push({ dbName: f.dbName, value: listProducer(p, model.name, f, list, sequences) });
      else if (f.kind === 'scalar' && cls)
        fields.push({ dbName: f.dbName, value: (i) => valueOfKey(f, cls.keys[cls.of[i] ?? 0] ?? 'undefined') });
      else if (f.kind === 'scalar' && f.isList && model.relations.some((r) => r.isList && r.fromFields.includes(f.name)))
        fields.push({ dbName: f.dbName, value: () => [] });
      else
        fields.push({
          dbName: f.dbName,
          value: fieldMaker({ path: f.name, field: f, profile: profile.models[model.name]?.fields[f.name] }, ctx),
        });
    }
    return {
      name: model.name,
      collection: model.collection,
      count: n,
      stream: streams.documents + index,
      fields,
      uniqueFills: openUniques(model, profile),
    };
  });
  const estimatedCounts = Object.fromEntries(models.map((m) => [m.collection, m.count]));
  return { seed, models, estimatedCounts, arrayBytes: p.bytes };
}

/** The @@uniques of `model` that a missing relation key leaves to one of its own String fields (`UniqueFill`). */
function openUniques(model: Model, profile: SchemaProfile): UniqueFill[] {
  const keys = new Map(model.relations.flatMap((r) => (isKeySide(r) ? r.fromFields.map((f) => [f, r] as const) : [])));
  const fills: UniqueFill[] = [];
  for (const u of model.compoundUniques) {
    const covered = u.fields.filter((f) => keys.has(f));
    const optional = covered.filter((f) => model.field(f)?.isRequired === false);
    const own = u.fields
      .filter((f) => !keys.has(f))
      .map((f) => model.field(f))
      .find((f): f is ScalarField => f?.kind === 'scalar' && f.type === 'String' && !f.isList);
    if (optional.length === 0 || !own) continue;
    const lengths = profile.models[model.name]?.fields[own.name]?.lengths;
    const median = lengths?.q[profileProbabilities.indexOf(0.5)];
    fills.push({
      keys: covered.map((f) => (model.field(f) as ScalarField).dbName),
      field: own.dbName,
      length: Math.max(16, Math.round(median ?? 24)),
    });
  }
  return fills;
}

/** A key field's value: its planned parent, or absent, null or an id no parent has; unplanned (no profile for the relation): a parent by the child's hash. */
function keyProducer(
  p: Planner,
  field: ScalarField,
  relation: RelationField,
  column: KeyColumn | undefined,
  modelIndex: number,
): FieldMaker {
  const parentId = p.ids.get(relation.type) ?? ((i: number) => i);
  const parents = count(p, relation.type);
  if (column) {
    const { keys } = column;
    return (i) => {
      const k = keys[i] ?? keyCodes.absent;
      if (k >= 0) return asKey(field, parentId(k));
      if (k === keyCodes.absent) return absentValue;
      if (k === keyCodes.null) return null;
      return asKey(field, parentId(parents + (i % 1_000_000)));
    };
  }
  const unique = field.isUnique;
  const missing = () => (field.isRequired ? asKey(field, parentId(parents + 1)) : absentValue);
  if (parents === 0) return missing;
  return (i) =>
    unique
      ? i < parents
        ? asKey(field, parentId(i))
        : missing()
      : asKey(field, parentId(hash32(p.seed, streams.fallback + modelIndex, i) % parents));
}

/** A many-to-many id list: the planned other side's ids; an empty list is left out or null in the field's shares of the empty ones. */
function listProducer(
  p: Planner,
  modelName: string,
  field: ScalarField,
  list: { adjacency: Adjacency; other: string; zeroShare: number },
  sequences: Sequences,
): FieldMaker {
  const otherId = p.ids.get(list.other) ?? ((i: number) => i);
  const { offsets, others } = list.adjacency;
  const fieldProfile = p.profile.models[modelName]?.fields[field.name];
  const zero = Math.max(1e-9, list.zeroShare);
  const absent = Math.min(1, (fieldProfile?.absent ?? 0) / zero);
  const nulled = Math.min(1, absent + (fieldProfile?.null ?? 0) / zero);
  const u = sequences.take();
  return (i) => {
    const from = offsets[i] ?? 0;
    const to = offsets[i + 1] ?? 0;
    if (from === to && nulled > 0) {
      const x = u(i);
      if (x < absent) return absentValue;
      if (x < nulled) return null;
    }
    const ids = new Array<unknown>(to - from);
    for (let k = from; k < to; k++) ids[k - from] = asKey(field, otherId(others[k] ?? 0));
    return ids;
  };
}
