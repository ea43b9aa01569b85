import type { Db, Document, ObjectId } from 'mongodb';
import type { Route } from './route.js';

/**
 * What a workload is, as the engine sees it: the one boundary between the engine (`src/`)
 * and the description of an application (`seed/`, `indexes/`, `bench/`). The workload
 * folders implement these types and are assembled in one place (`bench/built-in-workload.ts`),
 * which the CLI's entry point hands to the commands; nothing else in `src/` imports them
 * (eslint.config.js keeps it so).
 */
export interface Workload {
  /** Names the workload in the output (e.g. "meeshy GET /api/v1/conversations"). */
  readonly name: string;
  readonly dataset: DatasetDefinition;
  /**
   * The built-in rule for who the routes are measured for; an application described only by
   * its schema has none, and each of its routes declares its own (`users` in a route file).
   */
  readonly users?: UserDefinition;
  readonly indexes: IndexSets;
  readonly patterns: PatternSet;
  readonly routes: RouteSet;
  /** The shipped gate thresholds (JSON), used when `--thresholds` is not given. */
  readonly thresholdsFile: string;
  /** The Prisma schema of the seeded collections: the models a route's `prisma` client knows without `--prisma-schema`. */
  readonly schemaFile: string;
}

// ─── The data ───────────────────────────────────────────────────────────────────────────

/** One `--scale`: its name, what it is for, and the run's budget at that size. */
export interface Scale {
  readonly name: string;
  readonly purpose: string;
  /** Default `--budget-seconds` of a bench at this scale. */
  readonly budgetSeconds: number;
  /** Below this, seeding alone does not fit and no sample could be taken. */
  readonly minimumBudgetSeconds: number;
  /** An embedded mongod for this scale needs a WiredTiger cache larger than its default (about half the machine's memory). */
  readonly largeCache?: boolean;
}

/** The plan of one dataset, decided before its first document: opaque to the engine but for its counts. */
export interface DatasetPlan {
  /** For progress: exact where the plan decides them, estimated for the rest. */
  readonly estimatedCounts: Readonly<Record<string, number>>;
}

/** The data a workload seeds: deterministic per (scale, seed), generated one document at a time. */
export interface DatasetDefinition {
  /** Every collection the application stores, in load order. */
  readonly collections: readonly string[];
  readonly scales: Readonly<Record<string, Scale>>;
  /** Bumped when a generator change changes the data: part of the fingerprint. */
  readonly version: number;
  /** Everything besides the version and the seed that decides the data (the fingerprint hashes it, in this order). */
  fingerprintInput(scale: string): { readonly profile: unknown; readonly dataShape: unknown };
  plan(scale: string, seed: number): DatasetPlan;
  generate(plan: DatasetPlan, options?: { readonly messagesPerWindow?: number | undefined }): Iterable<readonly [string, Document]>;
  /** `seed --profiles`: what each scale holds, as a table. */
  describeScales(seed: number): { readonly head: readonly string[]; readonly rows: ReadonlyArray<ReadonlyArray<string | number>> };
  /** Data profiles (`indexgate profile`, `--profile`): a real database's shape, and datasets fitted to it. */
  readonly profiles?: DataProfiles;
}

/** A data profile as the engine sees it: a JSON document the workload reads, checks and fits to. */
export interface ProfileData {
  readonly format: string;
}

/** One figure of a profile beside the same figure of the data seeded from it. */
export interface ProfileFit {
  readonly what: string;
  readonly profiled: number;
  readonly seeded: number;
  /** |seeded − profiled| / profiled; null when only the profile's is 0. */
  readonly offBy: number | null;
}

/** What seeding a profile at a factor will hold, before it starts (to refuse what the machine cannot take). */
export interface ProfileEstimate {
  readonly documents: number;
  /** Documents × the profile's average document size per collection. */
  readonly dataBytes: number;
  /** What the generators keep in memory while they run (users, conversations, memberships). */
  readonly generatorBytes: number;
}

export interface DataProfiles {
  /** Reads a database's shape with read-only commands: counts, shares and quantiles, no document, id, name or text. */
  read(db: Db, serverVersion: string): Promise<ProfileData>;
  /** A profile file's content checked: the profile, or its first problem in one line. */
  check(content: unknown): { readonly ok: true; readonly profile: ProfileData } | { readonly ok: false; readonly reason: string };
  /** The dataset whose one scale is fitted to `profile` at `factor` times its size. */
  fitted(
    profile: ProfileData,
    factor: number,
  ): { readonly dataset: DatasetDefinition; readonly scale: string; readonly estimate: ProfileEstimate };
  /** Each figure of `profiled` (counts times `factor`) beside the same figure of `seeded`. */
  compare(profiled: ProfileData, seeded: ProfileData, factor: number): readonly ProfileFit[];
  /** What a profile holds, as a table (the `profile` command's output). */
  describe(profile: ProfileData): { readonly head: readonly string[]; readonly rows: ReadonlyArray<ReadonlyArray<string | number>> };
}

/** Where a user's memberships are: the engine ranks users by them to pick the user classes. */
export interface UserDefinition {
  readonly memberships: { readonly collection: string; readonly userField: string; readonly activeFilter: Document };
}

// ─── The indexes ────────────────────────────────────────────────────────────────────────

/** Ascending or descending, as createIndex takes them. */
export type KeyPattern = Readonly<Record<string, 1 | -1>>;

export const priorities = ['P0', 'P1', 'P2'] as const;
export type Priority = (typeof priorities)[number];

/** One index, as data: what to create and what it is meant to do. */
export interface IndexSpec {
  readonly name: string;
  readonly collection: string;
  readonly key: KeyPattern;
  readonly unique?: boolean;
  /** Only for a migration's own indexes: its runbook's priority and expected impact. */
  readonly priority?: Priority;
  readonly expectedImpact?: string;
  readonly purpose?: string;
}

export interface IndexSets {
  /** Every named set (`indexes list --set`); the gate names an index by its spec when one of these has it. */
  readonly sets: Readonly<Record<string, readonly IndexSpec[]>>;
  /** The set the migration creates: bench's and verify's default. */
  readonly migration: string;
  /** The states a dataset can start in (`--baseline`, the first the default): which indexes exist besides `_id`. */
  readonly baselines: Readonly<Record<string, readonly IndexSpec[]>>;
  /** The baseline that is the application's Prisma schema's indexes: `--prisma-schema` replaces its list with the schema's. */
  readonly schemaBaseline?: string;
}

// ─── The query patterns ─────────────────────────────────────────────────────────────────

export type PatternQuery =
  | {
      readonly kind: 'find';
      readonly filter: Document;
      readonly projection?: Document;
      readonly sort?: Document;
      readonly skip?: number;
      readonly limit?: number;
    }
  | {
      readonly kind: 'aggregate';
      /** Where the pipeline runs when it is not the pattern's collection (a $lookup into it). */
      readonly on?: string;
      readonly pipeline: readonly Document[];
    };

/**
 * One query of a route, built from the ids a user's route has in hand (`Context`, the
 * workload's own type: the engine only carries it from `PatternSet.context` to `build`).
 */
export interface QueryPattern<Context = unknown> {
  readonly id: string;
  readonly title: string;
  /** The collection whose index serves the pattern (for a $lookup pattern: the joined one). */
  readonly collection: string;
  readonly phase: string;
  /** Gated patterns must meet the plan thresholds; the others are measured and reported. */
  readonly gated: boolean;
  /** The index(es) of the migration's set meant to serve it (an index with the same key under another name counts). */
  readonly intendedIndexes: readonly string[];
  /** Said in the output when the set does not serve the pattern. */
  readonly note?: string;
  build(ctx: Context): PatternQuery;
}

/** Runs one pattern and returns its documents; the engine passes the driver, tests may pass fakes. */
export type RunPattern<Context = unknown> = (pattern: QueryPattern<Context>, ctx: Context) => Promise<Document[]>;

export interface PatternSet<Context = unknown> {
  readonly list: readonly QueryPattern<Context>[];
  /** The ids the patterns are built from, for one user: found by running the route's first patterns (cheap in every state). */
  context(run: RunPattern<Context>, userId: ObjectId): Promise<{ context: Context; pageSize: number }>;
}

// ─── The routes ─────────────────────────────────────────────────────────────────────────

export interface RouteSet {
  /** The built-in route files, loaded; `--route` chooses among them by id (`all`: every one). */
  readonly builtIn: readonly Route[];
  /** `--route` when neither it nor `--route-file` is given. */
  readonly defaultChoice: string;
  /** `verify`'s route when none is named (it must be read-only and cheap on any state). */
  readonly verifyDefault: string;
  /**
   * The application's own route and what bench measures as its remedies: more indexes (the
   * set `remedySet` of `IndexSets.sets`), and a rewrite with them.
   */
  readonly application?: { readonly id: string; readonly remedySet: string; readonly rewrite: Route };
  /** The application's write routes (`writes: true`): what bench measures the set's write cost on, when no write route file is given. */
  readonly writes?: readonly Route[];
}

/** The index specs of every named set, once each: what the gate can name an index by. */
export function knownIndexSpecs(indexes: IndexSets): readonly IndexSpec[] {
  const seen = new Set<string>();
  return Object.values(indexes.sets)
    .flat()
    .filter((s) => !seen.has(s.name) && seen.add(s.name) !== undefined);
}

/** The migration's set. */
export function migrationSet(indexes: IndexSets): readonly IndexSpec[] {
  return indexes.sets[indexes.migration] ?? [];
}

/** The collections the query patterns read, in the dataset's order: what a read-only command needs to find on a target. */
export function patternCollections(workload: Pick<Workload, 'dataset' | 'patterns'>): readonly string[] {
  return workload.dataset.collections.filter((c) => workload.patterns.list.some((p) => p.collection === c));
}
