import { type Db, type Document, ObjectId } from 'mongodb';
import { throwIfAborted } from '../errors.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { ParamValue, Route } from '../route.js';
import { RouteFileError } from '../route-engine/route-file-error.js';
import { asRecord, callWriteRoute, isUndone, undoWrites, type WriteCall } from '../route-engine/write-call.js';
import type { UserDefinition } from '../workload.js';
import type { WriteEffect } from '../indexing/write-keys.js';

/**
 * The write routes on one side of the set (bench only, on its own target): each route called
 * for a spread of active memberships, every call undone before the next; the index keys each
 * call writes counted by the server's profiler (`keysInserted`, `keysDeleted`: a work count,
 * the same on any machine), in calls of their own (which also warm the caches), and the calls'
 * time measured with the profiler off: fewer calls of a route that is dear on this side. The data after the side is the data before it (checked document by document).
 */

export interface WritePlan {
  /** Timed calls per route and side (the slowdown's interval needs at least 5 before the set and 3 after). */
  readonly timedCalls: number;
  /** Timed calls of a dear route (its counted call took `dearMs` or more: a collection scan before the set). */
  readonly dearTimedCalls: number;
  readonly dearMs: number;
  /** Calls per route and side with the profiler on (keys counted, not timed). */
  readonly countedCalls: number;
  /** Memberships the calls spread over. */
  readonly memberships: number;
  readonly maxTimeMS: number;
  /**
   * The limit of the counted calls (untimed: they count keys): a read that scans a collection before the set gets longer to
   * finish there, so that its writes' keys are still counted; a counted call over it leaves the route's keys unknown.
   */
  readonly countedMaxTimeMS: number;
}

export const defaultWritePlan: WritePlan = {
  timedCalls: 12,
  dearTimedCalls: 6,
  dearMs: 500,
  countedCalls: 1,
  memberships: 6,
  maxTimeMS: 10_000,
  countedMaxTimeMS: 60_000,
};

/** Index keys written per call on one collection (the mean over the counted calls). */
export interface KeysWritten {
  readonly collection: string;
  readonly inserted: number;
  readonly deleted: number;
}

export interface WriteSide {
  /** Each timed call's whole time, ms. */
  readonly samplesMs: number[];
  readonly keys: KeysWritten[];
  /** Each step's time in the timed calls, ms (a step a call did not send has fewer). */
  readonly stepMs: Record<string, number[]>;
  /** The steps of the first call, in order: what the route sends. */
  readonly steps: readonly { readonly step: string; readonly kind: 'read' | 'insert' | 'update'; readonly collection: string }[];
  /** What each counted call's writes did (the document inserted, an update's documents before and after): which index each key went to. */
  readonly effects: (readonly WriteEffect[])[];
  /**
   * A call reached its limit on this side (the step, the limit): the route was not called again on this side (each call would
   * wait for the limit), its samples are the calls before it; when it was the counted call, its keys are unknown (`keys` empty).
   */
  overLimit?: { readonly step: string; readonly limitMs: number; readonly counted: boolean };
}

export interface WriteRouteRun {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly source?: string;
  before?: WriteSide;
  after?: WriteSide;
}

/** Active memberships spread over the collection (by _id), deterministic for a dataset. Read-only. */
export async function sampleMemberships(db: Db, users: UserDefinition, count: number): Promise<Document[]> {
  const { collection, activeFilter } = users.memberships;
  const coll = db.collection(collection);
  const n = await coll.countDocuments(activeFilter);
  const picked: Document[] = [];
  for (let i = 0; i < Math.min(count, n); i++) {
    const [doc] = await coll
      .find(activeFilter)
      .sort({ _id: 1 })
      .skip(Math.floor((i * n) / count))
      .limit(1)
      .toArray();
    if (doc) picked.push(doc);
  }
  return picked;
}

export interface WriteSideInput {
  readonly db: Db;
  readonly dm: DataModel;
  readonly routes: readonly Route[];
  readonly memberships: readonly Document[];
  readonly users: UserDefinition;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly plan: WritePlan;
  readonly signal?: AbortSignal | undefined;
}

/** Measures every write route on the current state; throws if a call could not be undone (the data would differ). */
export async function measureWriteSide(input: WriteSideInput): Promise<Map<string, WriteSide>> {
  const { db, routes, memberships, plan } = input;
  const out = new Map<string, WriteSide>();
  const userField = input.users.memberships.userField;
  // A route's target, looked up once per membership (every call is undone: the data, so the answer, stays the same).
  const targets = new Map<string, Readonly<Record<string, unknown>>>();
  const targetOf = async (route: Route, m: number, user: { id: string }, membership: Record<string, unknown>) => {
    if (!route.target) return undefined;
    const key = `${route.id}#${m}`;
    let found = targets.get(key);
    if (!found) {
      const doc = await route.target({ db, user, membership, ObjectId });
      if (!doc) throw new RouteFileError(route.file, `its target found nothing for user ${user.id}`);
      found = asRecord(doc);
      targets.set(key, found);
    }
    return found;
  };
  const run = async (route: Route, i: number, effects = false, maxTimeMS = plan.maxTimeMS): Promise<WriteCall> => {
    const m = i % memberships.length;
    const doc = memberships[m] as Document;
    const user = { id: String(doc[userField]), class: 'member' };
    const membership = asRecord(doc);
    const target = await targetOf(route, m, user, membership);
    return callWriteRoute(
      db,
      input.dm,
      route,
      { user, params: { ...route.params, ...input.params }, membership, ...(target ? { target } : {}) },
      { maxTimeMS, effects },
    );
  };
  const undo = async (route: Route, done: WriteCall): Promise<WriteCall> => {
    await undoWrites(db, done.undo);
    if (!(await isUndone(db, done.undo)))
      throw new Error(
        `write route ${route.id}: a call could not be undone; the dataset now differs from the seeded one (seed again with --drop)`,
      );
    return done;
  };
  for (const route of routes) out.set(route.id, { samplesMs: [], stepMs: {}, keys: [], steps: [], effects: [] });
  // Keys, counted by the profiler (level 2 on this database only, then off and its collection dropped).
  const keyTotals = new Map<string, Map<string, { inserted: number; deleted: number }>>();
  const dear = new Set<string>();
  for (const route of routes) {
    const totals = new Map<string, { inserted: number; deleted: number }>();
    for (let i = 0; i < plan.countedCalls; i++) {
      throwIfAborted(input.signal);
      // An empty profile before the call, so that every entry read after it is the call's (no clock compared).
      await db
        .collection('system.profile')
        .drop()
        .catch(() => undefined);
      await db.command({ profile: 2 });
      let done: WriteCall;
      try {
        done = await run(route, i, true, plan.countedMaxTimeMS);
      } finally {
        await db.command({ profile: 0 });
      }
      await undo(route, done);
      if (done.overLimit !== undefined) {
        // It stopped before its writes: what it wrote is not what a call writes. Its keys unknown, the route not called again here.
        (out.get(route.id) as WriteSide).overLimit = { step: done.overLimit, limitMs: plan.countedMaxTimeMS, counted: true };
        totals.clear();
        break;
      }
      (out.get(route.id) as WriteSide).effects.push(done.effects);
      if (done.totalMs >= plan.dearMs) dear.add(route.id);
      if (i === 0)
        (out.get(route.id) as { steps: WriteSide['steps'] }).steps = done.steps.map(({ step, kind, collection }) => ({
          step,
          kind,
          collection,
        }));
      const entries = await db
        .collection('system.profile')
        .find({ op: { $in: ['insert', 'update'] } })
        .toArray();
      for (const e of entries) {
        const collection = String(e.ns).slice(db.databaseName.length + 1);
        const t = totals.get(collection) ?? { inserted: 0, deleted: 0 };
        t.inserted += Number(e.keysInserted ?? 0);
        t.deleted += Number(e.keysDeleted ?? 0);
        totals.set(collection, t);
      }
    }
    keyTotals.set(route.id, totals);
  }
  await db
    .collection('system.profile')
    .drop()
    .catch(() => undefined);
  for (const route of routes) {
    const side = out.get(route.id) as WriteSide;
    for (const [collection, t] of keyTotals.get(route.id) ?? [])
      side.keys.push({ collection, inserted: t.inserted / plan.countedCalls, deleted: t.deleted / plan.countedCalls });
  }
  // Time, the counted calls having warmed the caches: the routes in turn, a dear route (a scan on this side) fewer times.
  for (let i = 0; i < plan.timedCalls; i++)
    for (const route of routes) {
      const side = out.get(route.id) as WriteSide;
      if ((dear.has(route.id) && i >= plan.dearTimedCalls) || side.overLimit) continue;
      throwIfAborted(input.signal);
      const done = await undo(route, await run(route, i));
      if (done.overLimit !== undefined) {
        side.overLimit = { step: done.overLimit, limitMs: plan.maxTimeMS, counted: false };
        continue;
      }
      side.samplesMs.push(done.totalMs);
      for (const s of done.steps) (side.stepMs[s.step] ??= []).push(s.ms);
    }
  return out;
}
