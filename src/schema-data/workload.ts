import { basename, join } from 'node:path';
import type { DataModel } from '../prisma/datamodel.js';
import { schemaOfDmmf } from '../indexing/prisma-schema.js';
import { packageRoot } from '../version.js';
import type { DatasetDefinition, DatasetPlan, IndexSpec, RouteSet, Scale, Workload } from '../workload.js';
import { schemaDataProfiles } from './data-profiles.js';
import { schemaDataset } from './generate.js';
import type { SchemaProfile } from './profile.js';

/** One scale of a schema application: a profile at a factor of its size. */
export interface ProfiledScale extends Scale {
  readonly profile: SchemaProfile;
  readonly factor: number;
}

/** What an application folder adds to its schema (src/apps/folder.ts); without it, an ad hoc application. */
export interface SchemaApplicationParts {
  readonly name: string;
  readonly scales: Readonly<Record<string, ProfiledScale>>;
  /** Index sets by name (one JSON file each), and the one the migration creates. */
  readonly sets: Readonly<Record<string, readonly IndexSpec[]>>;
  readonly migration: string;
  /** The default `--baseline` (the first of the workload's baselines): `bare` unless the application says otherwise. */
  readonly baseline?: 'bare' | 'prisma';
  readonly routes: RouteSet;
  readonly thresholdsFile: string;
}

/** The thresholds of an application that brings none: a route's TOTAL and speedup (src/schema-data/thresholds.json). */
export const defaultSchemaThresholds = join(packageRoot, 'src/schema-data/thresholds.json');

/**
 * An application described by its Prisma schema: every model a collection, data seeded
 * from schema profiles by the schema engine (src/schema-data/generate.ts), and two
 * baselines, `bare` (only `_id`) and `prisma` (the indexes the schema declares, as
 * `prisma db push` builds them). Ad hoc (`--prisma-schema` with a schema `--profile`): no
 * scales (the profile gives the size), no driver-model patterns and no built-in routes (a
 * route file names what to measure, its `users` declaration who for), index sets given as
 * files (`--indexes`). An application folder (`--app`) brings its scales, routes, sets and
 * thresholds.
 */
export function schemaWorkload(model: DataModel, parts?: SchemaApplicationParts): Workload {
  const collections = [...model.models.values()].map((m) => m.collection);
  const schema = schemaOfDmmf(model.dmmf, model.file, collections);
  return {
    name: parts?.name ?? `schema ${basename(model.file)}`,
    dataset: scaledDataset(model, collections, parts?.scales ?? {}),
    // No `users`: no built-in rule; each route file's `users` declaration says who its users are.
    indexes: {
      sets: parts?.sets ?? {},
      migration: parts?.migration ?? '',
      baselines: parts?.baseline === 'prisma' ? { prisma: schema.indexes, bare: [] } : { bare: [], prisma: schema.indexes },
      schemaBaseline: 'prisma',
    },
    patterns: { list: [], context: () => Promise.resolve({ context: {}, pageSize: 0 }) },
    routes: parts?.routes ?? { builtIn: [], defaultChoice: 'all', verifyDefault: '' },
    thresholdsFile: parts?.thresholdsFile ?? defaultSchemaThresholds,
    schemaFile: model.file,
  };
}

/**
 * The workload a `--prisma-schema` describes: the one given when the schema models the
 * collections its query patterns read (the same application, at another version of its
 * schema), else the schema's own application (another application: no built-in rule, routes,
 * sets or scales).
 */
export function workloadOfSchema(workload: Workload, model: DataModel): Workload {
  const modelled = new Set([...model.models.values()].map((m) => m.collection));
  const read = workload.patterns.list.map((p) => p.collection);
  return read.length > 0 && read.every((c) => modelled.has(c)) ? workload : schemaWorkload(model);
}

/** A plan of one scale: the fitted dataset's own plan, and which scale it is. */
interface ScaledPlan extends DatasetPlan {
  readonly scale: string;
  readonly inner: DatasetPlan;
}

/** The schema engine's dataset with one scale per profiled scale, each delegated to the dataset fitted to its profile and factor. */
function scaledDataset(
  model: DataModel,
  collections: readonly string[],
  scales: Readonly<Record<string, ProfiledScale>>,
): DatasetDefinition {
  const fitted = new Map<string, { dataset: DatasetDefinition; inner: string }>();
  const of = (scale: string): { dataset: DatasetDefinition; inner: string } => {
    const known = fitted.get(scale);
    if (known) return known;
    const profiled = scales[scale];
    if (!profiled) throw new Error(`no scale ${scale}`);
    const built = schemaDataset(model, profiled.profile, profiled.factor);
    const entry = { dataset: built.dataset, inner: built.scale };
    fitted.set(scale, entry);
    return entry;
  };
  const first = Object.keys(scales)[0];
  return {
    collections,
    scales,
    version: first === undefined ? 0 : of(first).dataset.version,
    fingerprintInput: (scale) => {
      const { dataset, inner } = of(scale);
      return dataset.fingerprintInput(inner);
    },
    plan: (scale, seed): ScaledPlan => {
      const { dataset, inner } = of(scale);
      const plan = dataset.plan(inner, seed);
      return { estimatedCounts: plan.estimatedCounts, scale, inner: plan };
    },
    generate: (plan, options) => of((plan as ScaledPlan).scale).dataset.generate((plan as ScaledPlan).inner, options),
    describeScales: () => ({
      head: ['scale', 'purpose', 'factor', 'documents'],
      rows: Object.entries(scales).map(([name, s]) => [
        name,
        s.purpose,
        s.factor,
        Math.round(Object.values(s.profile.models).reduce((n, m) => n + m.count, 0) * s.factor),
      ]),
    }),
    profiles: schemaDataProfiles(model),
  };
}
