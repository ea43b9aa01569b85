import type { Document } from 'mongodb';
import { hash32, Rng } from '../data/random.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { DatasetDefinition, ProfileEstimate, Scale } from '../workload.js';
import { countsOf, loadOrder, planSchemaData, type SchemaPlan } from './gen-plan.js';
import { absentValue } from './gen-values.js';
import type { SchemaProfile } from './profile.js';

export { unseedableReason } from './gen-check.js';

/**
 * The data engine of any application: a dataset shaped like a schema profile
 * (src/schema-data/profile.ts), from the application's Prisma schema, `factor` times the
 * profiled database's size. Every model the profile sizes is seeded, parents first; the plan
 * (gen-plan.ts) decides the counts and deals the relations in typed arrays, then each document
 * is made from its index and its own random stream, one at a time (gen-values.ts).
 */

/** Bumped when a change here changes the data: part of the fingerprint. */
export const schemaGeneratorVersion = 3;

/** A String no other document of the model has: the index's hex, then the document's hash, to `length` characters. */
function ownValue(seed: number, stream: number, index: number, length: number): string {
  let text = index.toString(16).padStart(8, '0');
  for (let k = 0; text.length < length; k++) text += hash32(seed, stream, index, k).toString(16).padStart(8, '0');
  return text.slice(0, Math.max(length, 8));
}

/** The one scale a profile seeds under. */
export const schemaScaleName = 'profile';

/** Run budgets by documents: the built-in scales' (seed/dataset.ts) for about as many documents. */
const budgets = [
  { documents: 100_000, budgetSeconds: 180, minimumBudgetSeconds: 15 },
  { documents: 1_000_000, budgetSeconds: 300, minimumBudgetSeconds: 30 },
  { documents: 10_000_000, budgetSeconds: 900, minimumBudgetSeconds: 90 },
  { documents: Infinity, budgetSeconds: 5400, minimumBudgetSeconds: 900, largeCache: true },
] as const;

/** Bytes of typed arrays per document of a relation's sides (gen-relations.ts): a key column, a fan-out; a list's both sides. */
const arrayBytesPer = { child: 4, parent: 4, listEntry: 12, listDocument: 8, classedParent: 1 } as const;

function estimateOf(schema: DataModel, profile: SchemaProfile, factor: number): ProfileEstimate {
  const counts = countsOf(schema, profile, factor);
  let documents = 0;
  let dataBytes = 0;
  for (const [name, n] of counts) {
    documents += n;
    dataBytes += n * (profile.models[name]?.averageBytes ?? 0);
  }
  let generatorBytes = 0;
  for (const r of profile.relations) {
    const C = counts.get(r.child.model) ?? 0;
    const P = counts.get(r.parent.model) ?? 0;
    if (r.kind === 'many-to-many') {
      const entries = (r.perParent.sum / Math.max(1, r.perParent.n)) * P;
      generatorBytes += entries * arrayBytesPer.listEntry + (C + P) * arrayBytesPer.listDocument;
    } else generatorBytes += C * arrayBytesPer.child + P * arrayBytesPer.parent;
    if (r.byParentField) generatorBytes += P * arrayBytesPer.classedParent;
  }
  return { documents, dataBytes: Math.round(dataBytes), generatorBytes: Math.round(generatorBytes) };
}

/** Every document of a plan, model by model in load order, each as `[collection, document]`. */
export function* generateSchemaData(plan: SchemaPlan): Generator<readonly [string, Document]> {
  for (const model of plan.models) {
    const { fields, collection, stream } = model;
    for (let i = 0; i < model.count; i++) {
      const rng = Rng.for(plan.seed, stream, i);
      const doc: Document = {};
      for (const f of fields) {
        const value = f.value(i, rng);
        if (value !== absentValue) doc[f.dbName] = value;
      }
      for (const fill of model.uniqueFills)
        if (fill.keys.some((k) => doc[k] == null) && doc[fill.field] == null) doc[fill.field] = ownValue(plan.seed, stream, i, fill.length);
      yield [collection, doc];
    }
  }
}

/** The dataset of a schema profile at `factor` (its `profiles` left for the caller to attach), its one scale and what it will hold. */
export function schemaDataset(
  model: DataModel,
  profile: SchemaProfile,
  factor: number,
): { dataset: DatasetDefinition; scale: string; estimate: ProfileEstimate } {
  const estimate = estimateOf(model, profile, factor);
  const counts = countsOf(model, profile, factor);
  const order = loadOrder(model, counts);
  const budget = budgets.find((b) => estimate.documents <= b.documents) ?? budgets[budgets.length - 1];
  const scale: Scale = {
    name: schemaScaleName,
    purpose: `fitted to the profile of ${profile.source.database} (${profile.source.profiledAt.slice(0, 10)}) × ${factor}`,
    budgetSeconds: budget?.budgetSeconds ?? 900,
    minimumBudgetSeconds: budget?.minimumBudgetSeconds ?? 90,
    ...(budget && 'largeCache' in budget ? { largeCache: true } : {}),
  };
  const checkScale = (name: string) => {
    if (name !== schemaScaleName) throw new Error(`unknown scale ${name}: a profile's dataset has one scale, ${schemaScaleName}`);
  };
  const dataset: DatasetDefinition = {
    collections: order.map((m) => m.collection),
    scales: { [schemaScaleName]: scale },
    version: schemaGeneratorVersion,
    fingerprintInput: (name) => {
      checkScale(name);
      return { profile, dataShape: { factor, schema: model.dmmf.datamodel } };
    },
    plan: (name, seed) => {
      checkScale(name);
      return planSchemaData(model, profile, factor, seed);
    },
    generate: (plan) => generateSchemaData(plan as SchemaPlan),
    describeScales: () => ({
      head: ['scale', 'model', 'collection', 'documents', 'bytes (average)'],
      rows: order.map((m) => [
        schemaScaleName,
        m.name,
        m.collection,
        (counts.get(m.name) ?? 0).toLocaleString('en-US'),
        Math.round(profile.models[m.name]?.averageBytes ?? 0),
      ]),
    }),
  };
  return { dataset, scale: schemaScaleName, estimate };
}
