import type { Db } from 'mongodb';
import type { IndexSpec } from '../workload.js';
import { throwIfAborted } from '../errors.js';
import { formatKey, type IndexFinding, type IndexStatus, judge, listIndexes, type Staleness } from './inspect.js';

/** One index of the result JSON: `{ name, collection, key, status, buildMs }` and why. */
export interface IndexOutcome {
  readonly name: string;
  readonly collection: string;
  readonly key: Readonly<Record<string, 1 | -1>>;
  readonly status: IndexStatus;
  /** Wall time of the build; 0 when nothing was built. */
  readonly buildMs: number;
  /** The name the server knows it by (differs from name when equivalent). */
  readonly existingName: string | null;
  readonly detail: string;
  readonly priority?: string | undefined;
  /** With status `stale`: what the server holds or did for it (a stale index can still be built). */
  readonly serverStatus?: Exclude<IndexStatus, 'stale'> | undefined;
  /** With status `stale`: what the application's schema lacks for it. */
  readonly stale?: Staleness | undefined;
}

export interface ApplyOptions {
  signal?: AbortSignal | undefined;
  /** Called as each index is done (for progress). */
  onIndex?: (outcome: IndexOutcome) => void;
  /** Create each index hidden (createIndexes `hidden: true`: built and maintained, ignored by the planner); the caller unhides it. */
  hidden?: boolean;
}

/**
 * Creates each index unless the collection already has it, one at a time so that each
 * build is timed on its own. Same key under another name: `equivalent` (the server's
 * code 85 is not a failure). Same name with another key: `conflict`, and nothing is
 * dropped. Idempotent: a second run reports `present`.
 */
export async function applyIndexes(db: Db, specs: readonly IndexSpec[], options: ApplyOptions = {}): Promise<IndexOutcome[]> {
  const outcomes: IndexOutcome[] = [];
  for (const spec of specs) {
    throwIfAborted(options.signal);
    const finding = judge(spec, await listIndexes(db, spec.collection));
    let outcome: IndexOutcome;
    if (finding.status !== 'missing') {
      outcome = toOutcome(spec, finding.status, 0, finding.existingName, finding.detail);
    } else {
      outcome = await create(db, spec, options.hidden ?? false);
    }
    outcomes.push(outcome);
    options.onIndex?.(outcome);
  }
  return outcomes;
}

async function create(db: Db, spec: IndexSpec, hidden: boolean): Promise<IndexOutcome> {
  const started = performance.now();
  try {
    await db
      .collection(spec.collection)
      .createIndex({ ...spec.key }, { name: spec.name, ...(spec.unique ? { unique: true } : {}), ...(hidden ? { hidden: true } : {}) });
    return toOutcome(spec, 'created', performance.now() - started, spec.name, `built ${spec.name} ${formatKey(spec.key)}`);
  } catch (error) {
    const code = (error as { code?: number }).code;
    // Another client created it meanwhile: judge again by key.
    if (code === 85 || code === 86) {
      const finding = judge(spec, await listIndexes(db, spec.collection));
      if (finding.status !== 'missing') return toOutcome(spec, finding.status, 0, finding.existingName, finding.detail);
    }
    throw error;
  }
}

function toOutcome(spec: IndexSpec, status: IndexStatus, buildMs: number, existingName: string | null, detail: string): IndexOutcome {
  return {
    name: spec.name,
    collection: spec.collection,
    key: spec.key,
    status,
    buildMs: Math.round(buildMs * 10) / 10,
    existingName,
    detail,
    priority: spec.priority,
  };
}

/**
 * Creates a set of indexes with one createIndexes command per collection (one scan of
 * each collection builds all its indexes): how a restored database gets its Prisma
 * indexes. Each outcome carries its collection's build time.
 */
export async function createIndexesPerCollection(db: Db, specs: readonly IndexSpec[], signal?: AbortSignal): Promise<IndexOutcome[]> {
  const byCollection = new Map<string, IndexSpec[]>();
  for (const spec of specs) byCollection.set(spec.collection, [...(byCollection.get(spec.collection) ?? []), spec]);
  const outcomes: IndexOutcome[] = [];
  for (const [collection, list] of byCollection) {
    throwIfAborted(signal);
    const started = performance.now();
    await db
      .collection(collection)
      .createIndexes(list.map((s) => ({ key: { ...s.key }, name: s.name, ...(s.unique ? { unique: true } : {}) })));
    const ms = performance.now() - started;
    for (const spec of list)
      outcomes.push(toOutcome(spec, 'created', ms, spec.name, `built with the other ${collection} indexes in ${Math.round(ms)} ms`));
  }
  return outcomes;
}

/** Findings as the result JSON's `indexes[]` entries. */
export function findingsAsOutcomes(findings: readonly IndexFinding[]): IndexOutcome[] {
  return findings.map((f) => ({
    name: f.spec.name,
    collection: f.spec.collection,
    key: f.spec.key,
    status: f.status,
    buildMs: 0,
    existingName: f.existingName,
    detail: f.detail,
    priority: f.spec.priority,
  }));
}
