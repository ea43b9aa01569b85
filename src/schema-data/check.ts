import type { CompositeField, DataModel, Model, ScalarField } from '../prisma/datamodel.js';
import { type SchemaProfile, schemaProfileSchema } from './profile.js';

/**
 * A schema profile's content checked against the schema it is to seed: its format, then
 * every model, field and relation it names (a profile of another schema, or of an older
 * version of this one, names something this schema does not have). The first problem, in
 * one line naming the model and field and what to do.
 */
export function checkSchemaProfile(
  content: unknown,
  model: DataModel,
): { readonly ok: true; readonly profile: SchemaProfile } | { readonly ok: false; readonly reason: string } {
  const parsed = schemaProfileSchema.safeParse(content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return {
      ok: false,
      reason: `${where ? `${where}: ` : ''}${issue?.message ?? 'not a schema profile'}; write one with \`indexgate profile --prisma-schema\``,
    };
  }
  const profile = parsed.data;
  const schema = model.file;
  const other = `: is the profile of another schema? profile the database again with \`indexgate profile --prisma-schema ${schema}\``;
  for (const [name, profiled] of Object.entries(profile.models)) {
    const m = model.models.get(name);
    if (!m) return { ok: false, reason: `models.${name}: no model ${name} in ${schema}${other}` };
    if (profiled.collection !== m.collection)
      return {
        ok: false,
        reason: `models.${name}.collection: "${profiled.collection}", but ${schema} maps ${name} to "${m.collection}"${other}`,
      };
    for (const path of Object.keys(profiled.fields)) {
      const problem = fieldProblem(model, m, path);
      if (problem) return { ok: false, reason: `models.${name}.fields.${path}: ${problem} in ${schema}${other}` };
    }
  }
  for (const [i, relation] of profile.relations.entries()) {
    const at = `relations[${i}] (${relation.name})`;
    for (const side of [relation.child, relation.parent]) {
      const m = model.models.get(side.model);
      if (!m) return { ok: false, reason: `${at}: no model ${side.model} in ${schema}${other}` };
      if (!(side.model in profile.models))
        return { ok: false, reason: `${at}: model ${side.model} is not sized in the profile's models; add it or remove the relation` };
      for (const f of side.fields ?? [])
        if (m.field(f)?.kind !== 'scalar')
          return { ok: false, reason: `${at}: ${side.model}.${f} is not a scalar field in ${schema}${other}` };
    }
    const linked = model.models
      .get(relation.child.model)
      ?.relations.some((r) => r.relationName === relation.name && r.type === relation.parent.model);
    if (!linked)
      return {
        ok: false,
        reason: `${at}: ${relation.child.model} has no relation ${relation.name} to ${relation.parent.model} in ${schema}${other}`,
      };
  }
  return { ok: true, profile };
}

/** Why a profiled field path is not one the model's documents hold (undefined when it is). */
function fieldProblem(model: DataModel, m: Model, path: string): string | undefined {
  const [head, ...rest] = path.split('.');
  let field: ScalarField | CompositeField | undefined;
  const first = m.field(head ?? '');
  if (!first) return `no field ${m.name}.${head}`;
  if (first.kind === 'relation') return `${m.name}.${head} is a relation field (it holds nothing; its key fields are profiled)`;
  field = first;
  let owner = m.name;
  for (const part of rest) {
    if (field.kind !== 'composite') return `${owner}.${field.name} is not a composite type, it has no field ${part}`;
    const type = model.composite(field.type);
    owner = type.name;
    field = type.field(part);
    if (!field) return `no field ${owner}.${part}`;
  }
  return undefined;
}
