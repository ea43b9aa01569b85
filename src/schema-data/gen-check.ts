import { profileProbabilities } from '../data/quantiles.js';
import type { CompositeType, DataModel, Model } from '../prisma/datamodel.js';
import { ceilingOf, countsOf, isKeySide, relationByFields } from './gen-plan.js';
import { enumValues } from './gen-values.js';
import type { Quantiles, RelationProfile, SchemaProfile } from './profile.js';

/**
 * Why a profile cannot be seeded from a schema at a factor, before any plan is made: the
 * first reason, in one line naming the model's field or the relation and what to do.
 */

const largest = (q: Quantiles) => q.q[q.q.length - 1] ?? 0;

/** Whether `path` (`address.city`) names a field of the model (through its composite types). */
function hasPath(schema: DataModel, model: Model, path: string): boolean {
  const [head, ...rest] = path.split('.');
  let field = model.field(head ?? '');
  for (const part of rest) {
    if (field?.kind !== 'composite') return false;
    const type: CompositeType = schema.composite(field.type);
    field = type.field(part);
  }
  return field !== undefined && field.kind !== 'relation';
}

function shapeReason(schema: DataModel, profile: SchemaProfile): string | undefined {
  for (const [name, m] of Object.entries(profile.models)) {
    const model = schema.models.get(name);
    if (!model)
      return `${name}: the profile sizes a model that ${schema.file} does not declare; pass the schema the profile was read with, or profile the database again`;
    if (m.collection !== model.collection)
      return `${name}: the profile read collection ${m.collection} but the schema maps it to ${model.collection} (@@map); pass the schema the profile was read with`;
    const missing = Object.keys(m.fields).find((path) => !hasPath(schema, model, path));
    if (missing !== undefined)
      return `${name}.${missing}: in the profile but not a field of the schema's ${name}; pass the schema the profile was read with`;
  }
  return undefined;
}

function relationShapeReason(schema: DataModel, relation: RelationProfile): string | undefined {
  const what = `relation ${relation.name}`;
  const child = schema.models.get(relation.child.model);
  const parent = schema.models.get(relation.parent.model);
  if (!child || !parent)
    return `${what}: ${child ? relation.parent.model : relation.child.model} is not a model of ${schema.file}; pass the schema the profile was read with`;
  const missing = [
    ...relation.child.fields.map((f) => [child, f] as const),
    ...(relation.parent.fields ?? []).map((f) => [parent, f] as const),
  ].find(([m, f]) => m.field(f)?.kind !== 'scalar');
  if (missing)
    return `${what}: ${missing[0].name}.${missing[1]} is not a scalar field of the schema; pass the schema the profile was read with`;
  if (relation.byParentField && parent.field(relation.byParentField.field)?.kind !== 'scalar')
    return `${what}: conditioned on ${parent.name}.${relation.byParentField.field}, which is not a scalar field of the schema; pass the schema the profile was read with`;
  if (relation.kind === 'many-to-many') return undefined;
  const field = relationByFields(child, relation.child.fields);
  if (!field || field.type !== parent.name)
    return `${what}: ${child.name}.${relation.child.fields.join(', ')} is not the key of a relation to ${parent.name} in the schema; pass the schema the profile was read with`;
  if (field.fromFields.length !== 1 || field.toFields.length !== 1 || field.toFields[0] !== parent.id.name)
    return `${what}: ${child.name}.${field.name} references ${parent.name}.${field.toFields.join(', ')}, not its id; the generator keys a child by its parent's single id: seed this relation with a generator of the application's own`;
  return undefined;
}

function fanOutReason(
  schema: DataModel,
  relation: RelationProfile,
  relations: readonly RelationProfile[],
  counts: ReadonlyMap<string, number>,
  factor: number,
): string | undefined {
  const what = `relation ${relation.name}`;
  const child = schema.model(relation.child.model);
  const C = counts.get(child.name) ?? 0;
  const P = counts.get(relation.parent.model) ?? 0;
  const maxima = [largest(relation.perParent), ...Object.values(relation.byParentField?.values ?? {}).map((v) => largest(v.perParent))];
  const most = Math.max(...maxima);
  if (relation.kind === 'many-to-many') {
    const [childList, parentList] = [relation.child.fields[0] ?? '', relation.parent.fields?.[0] ?? '?'];
    if (C > 0 && most > C)
      return `${what}: a ${relation.parent.model}.${parentList} holds up to ${most} ids but ${child.name} has ${C} documents at factor ${factor}; raise the factor or lower the fan-out`;
    if (relation.perChild && P > 0 && largest(relation.perChild) > P)
      return `${what}: a ${child.name}.${childList} holds up to ${largest(relation.perChild)} ids but ${relation.parent.model} has ${P} documents at factor ${factor}; raise the factor or lower the fan-out`;
    return undefined;
  }
  const field = relationByFields(child, relation.child.fields);
  if (!field) return undefined;
  const ceiling = ceilingOf({ counts }, child, field);
  if (C > 0 && most > ceiling) {
    const why =
      ceiling === 1
        ? `${child.name}.${field.fromFields[0]} is unique`
        : `@@unique over ${child.name}'s keys allows ${ceiling} (the other side's documents at factor ${factor})`;
    return `${what}: a ${relation.parent.model} has up to ${most} ${child.name} documents but ${why}; raise the factor, lower the fan-out or drop the unique constraint`;
  }
  // A join's other side: its children go to the parents that have any, each at most once per parent of this side.
  const partner = relations.find(
    (r) =>
      r !== relation &&
      r.kind !== 'many-to-many' &&
      r.child.model === child.name &&
      child.compoundUniques.some((u) => [...field.fromFields, ...r.child.fields].every((f) => u.fields.includes(f))),
  );
  if (C > 0 && partner) {
    const having = withChildren(partner.perParent, counts.get(partner.parent.model) ?? 0);
    if (most > having)
      return `${what}: a ${relation.parent.model} has up to ${most} ${child.name} documents, each with another ${partner.parent.model}, but only about ${having} ${partner.parent.model} documents have any at factor ${factor} (@@unique over ${child.name}'s keys); raise the factor or lower the fan-out`;
  }
  return undefined;
}

/** Of `parents`, about how many have a child: those above the quantiles' last zero. */
function withChildren(q: Quantiles, parents: number): number {
  let zero = 0;
  q.q.forEach((v, k) => {
    if (v === 0) zero = profileProbabilities[k] ?? 0;
  });
  return Math.round(parents * (1 - zero));
}

/** A required key whose parent model is not seeded. */
function keyReason(schema: DataModel, counts: ReadonlyMap<string, number>, factor: number): string | undefined {
  for (const [name, C] of counts) {
    if (C === 0) continue;
    for (const r of schema.model(name).relations) {
      if (!isKeySide(r) || (counts.get(r.type) ?? 0) > 0) continue;
      const required = r.fromFields.some((f) => schema.model(name).scalars.find((s) => s.name === f)?.isRequired);
      if (required)
        return `${name}.${r.fromFields.join(', ')}: ${C} documents need a ${r.type} but the profile seeds none at factor ${factor}; add ${r.type} to the profile, raise the factor, or make the key optional`;
    }
  }
  return undefined;
}

/** A unique field with fewer possible values than documents. */
function uniqueReason(schema: DataModel, profile: SchemaProfile, counts: ReadonlyMap<string, number>): string | undefined {
  const enums = enumValues(schema);
  for (const [name, n] of counts) {
    const model = schema.model(name);
    for (const s of model.scalars) {
      if (!s.isUnique || s.isId) continue;
      const values = profile.models[name]?.fields[s.name]?.values;
      const possible =
        s.type === 'Boolean' ? 2 : s.isEnum ? (enums.get(s.type)?.length ?? 0) : values && values.length > 0 ? values.length : Infinity;
      if (n > possible) {
        const kind = s.type === 'Boolean' ? 'a Boolean' : s.isEnum ? `enum ${s.type}` : `low-cardinality in the profile`;
        return `${name}.${s.name}: @unique but ${kind} (${possible} values) for ${n} documents; drop @unique, or profile a database where the values are unique`;
      }
    }
  }
  return undefined;
}

/** The first reason the profile cannot be seeded at `factor`, one line naming model.field (or relation) and what to do; undefined when it can. */
export function unseedableReason(schema: DataModel, profile: SchemaProfile, factor: number): string | undefined {
  const shape = shapeReason(schema, profile);
  if (shape) return shape;
  for (const r of profile.relations) {
    const reason = relationShapeReason(schema, r);
    if (reason) return reason;
  }
  const counts = countsOf(schema, profile, factor);
  const keys = keyReason(schema, counts, factor);
  if (keys) return keys;
  for (const r of profile.relations) {
    const reason = fanOutReason(schema, r, profile.relations, counts, factor);
    if (reason) return reason;
  }
  return uniqueReason(schema, profile, counts);
}
