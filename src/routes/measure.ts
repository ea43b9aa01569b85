import type { Db, Document } from 'mongodb';
import { throwIfAborted } from '../errors.js';
import type { Measurement, RouteAudience } from '../result.js';
import type { ClassContext } from '../users/user-classes.js';
import { indexKeyResolver, measurementOf } from '../plan/measurement.js';
import { analyzeExplain } from '../plan/analyze.js';
import { callRouteModel, type CommandRun, explainCommand, isOverLimit, type RouteModelCall } from './execute.js';
import { type CommandShape, routeCommands, type RouteModel } from './model.js';

/** How a route model is sampled on one side. */
export interface RouteModelPlan {
  /** Server-side limit of every command and every explain (ms). */
  maxTimeMS: number;
  /** Timed calls per class and round for a route whose first call took less than `dearMs`... */
  callsPerRound: number;
  /** ...and for a dearer one (the first call counts as one of them). */
  dearCallsPerRound: number;
  dearMs: number;
  /** Outer documents a probe lets into a $lookup when the whole command is over the limit... */
  probeDocs: number;
  /** ...and the probe's own limit (ms), at least the commands' (a probe is small by construction). */
  probeMaxTimeMS: number;
}

export const defaultRouteModelPlan: RouteModelPlan = { maxTimeMS: 10_000, callsPerRound: 6, dearCallsPerRound: 1, dearMs: 1000, probeDocs: 20, probeMaxTimeMS: 30_000 };

/**
 * What a command that reached the limit did: its plan (queryPlanner), and its work measured on
 * the first `probeDocs` documents entering its first $lookup, projected to all of them.
 */
export interface OverLimitWork {
  limitMs: number;
  plan: string[];
  /** Indexes the planner chose for it (queryPlanner). */
  indexesUsed: string[];
  probe?: { outerDocs: number; docsExamined: number; keysExamined: number; collectionScans: number; totalOuterDocs: number; projectedDocsExamined: number };
}

/** One command on one side, for one class. */
export interface CommandSide {
  step: string;
  shape: CommandShape | undefined;
  /** A fan-out command: every shape sent. */
  shapes?: CommandShape[];
  /** The plan and work of the command (explain executionStats); absent when it is over the limit or was not sent. */
  measurement?: Measurement;
  overLimit?: OverLimitWork;
  returnedDocs: number;
  returnedBytes: number;
  /** For a count: the number it counted. */
  counted?: number;
  clientSide?: { keptDocs: number; ms: number };
  /** Time of the command in each timed call (ms). */
  samplesMs: number[];
}

/** A route model on one side for one class: every timed call and every command's measurement. */
export interface RouteModelSide {
  userClass: RouteAudience;
  calls: RouteModelCall[];
  commands: CommandSide[];
  /** A command reached the limit on this side: the route's times are lower bounds. */
  overLimit: boolean;
  /** The first call took `dearMs` or more: fewer calls per round. */
  dear: boolean;
}

/**
 * The first call of a route on one side: sent with the limit, every returned byte counted,
 * then every command explained (executionStats, limit on the explain), a command over the
 * limit described by its plan and a probe. Returns the per-command measurements and the call.
 */
export async function captureRouteModel(db: Db, model: RouteModel, klass: ClassContext, plan: RouteModelPlan, signal?: AbortSignal): Promise<{ call: RouteModelCall; commands: CommandSide[] }> {
  const call = await callRouteModel(db, model, klass.context, { maxTimeMS: plan.maxTimeMS, measureBytes: true });
  const keyOf = indexKeyResolver(db);
  const commands: CommandSide[] = [];
  const byStep = new Map(routeCommands(model).map((c) => [c.step, c]));
  for (const run of call.commands) {
    throwIfAborted(signal);
    const command = byStep.get(run.step);
    const side: CommandSide = {
      step: run.step,
      shape: run.shape,
      ...(run.shapes ? { shapes: [...run.shapes] } : {}),
      returnedDocs: run.returnedDocs,
      returnedBytes: run.returnedBytes ?? 0,
      ...(run.counted === undefined ? {} : { counted: run.counted }),
      ...(run.clientSide ? { clientSide: { ...run.clientSide } } : {}),
      samplesMs: run.ms === undefined || run.overLimit ? [] : [run.ms],
    };
    if (command && run.shape) {
      if (run.overLimit) side.overLimit = await describeOverLimit(db, command.collection, run.shape, plan, (shape, verbosity, maxTimeMS) => explainCommand(db, command, shape, maxTimeMS ?? plan.maxTimeMS, verbosity));
      else {
        try {
          // A fan-out command's plan and work: every shape explained, the work summed (the plan is the first's).
          const measured: Measurement[] = [];
          for (const shape of run.shapes ?? [run.shape]) measured.push(await measurementOf(await explainCommand(db, command, shape, plan.maxTimeMS), command.collection, keyOf));
          side.measurement = combine(measured);
        } catch (error) {
          if (!isOverLimit(error)) throw error;
          side.overLimit = await describeOverLimit(db, command.collection, run.shape, plan, (shape, verbosity, maxTimeMS) => explainCommand(db, command, shape, maxTimeMS ?? plan.maxTimeMS, verbosity));
        }
      }
    }
    commands.push(side);
  }
  return { call, commands };
}

type Explainer = (shape: CommandShape, verbosity: 'executionStats' | 'queryPlanner', maxTimeMS?: number) => Promise<Document>;

async function describeOverLimit(db: Db, collection: string, shape: CommandShape, plan: RouteModelPlan, explain: Explainer): Promise<OverLimitWork> {
  const planned = analyzeExplain(await explain(shape, 'queryPlanner'), collection);
  const work: OverLimitWork = { limitMs: plan.maxTimeMS, plan: [...planned.stages], indexesUsed: [...planned.indexesUsed] };
  if (shape.kind !== 'aggregate') return work;
  const at = shape.pipeline.findIndex((s) => '$lookup' in s);
  if (at < 0) return work;
  // The probe: the same pipeline with only the first `probeDocs` documents let into the $lookup.
  const probe: CommandShape = { kind: 'aggregate', pipeline: [...shape.pipeline.slice(0, at), { $limit: plan.probeDocs }, ...shape.pipeline.slice(at)] };
  try {
    const measured = analyzeExplain(await explain(probe, 'executionStats', Math.max(plan.maxTimeMS, plan.probeMaxTimeMS)), collection);
    const lookup = measured.lookups[0];
    const outerDocs = Math.min(plan.probeDocs, await db.collection(collection).estimatedDocumentCount());
    const totalOuterDocs = at === 0 ? await db.collection(collection).estimatedDocumentCount() : await countBefore(db, collection, shape.pipeline.slice(0, at), plan.maxTimeMS);
    const docsExamined = lookup?.totalDocsExamined ?? measured.totalDocsExamined;
    work.probe = {
      outerDocs,
      docsExamined,
      keysExamined: lookup?.totalKeysExamined ?? measured.totalKeysExamined,
      collectionScans: lookup?.collectionScans ?? 0,
      totalOuterDocs,
      projectedDocsExamined: outerDocs > 0 ? Math.round((docsExamined / outerDocs) * totalOuterDocs) : 0,
    };
  } catch (error) {
    if (!isOverLimit(error)) throw error;
  }
  return work;
}

async function countBefore(db: Db, collection: string, stages: readonly Document[], maxTimeMS: number): Promise<number> {
  const [row] = await db
    .collection(collection)
    .aggregate<{ n: number }>([...stages, { $count: 'n' }], { maxTimeMS })
    .toArray();
  return row?.n ?? 0;
}

/**
 * One round of a route model on one side, for every class. In the first round each class's
 * first call is the capture (measured, explained); a route whose capture took `dearMs` or
 * more is dear: the capture is then its first timed call, and it gets `dearCallsPerRound`
 * calls per round instead of `callsPerRound`. A route with a command over the limit is not
 * called again: being over the limit is its measurement.
 */
export async function measureRouteModelRound(
  db: Db,
  model: RouteModel,
  classes: readonly ClassContext[],
  plan: RouteModelPlan,
  previous: readonly RouteModelSide[] | undefined,
  signal?: AbortSignal,
): Promise<RouteModelSide[]> {
  const out: RouteModelSide[] = [];
  for (const { audience, klass } of audiencesOf(model, classes)) {
    throwIfAborted(signal);
    const earlier = previous?.find((s) => s.userClass === audience);
    let side: RouteModelSide;
    let already = 0;
    if (earlier) side = { ...earlier, calls: [...earlier.calls], commands: earlier.commands.map((c) => ({ ...c, samplesMs: [...c.samplesMs] })) };
    else {
      const { call, commands } = await captureRouteModel(db, model, klass, plan, signal);
      const dear = call.overLimit || call.phases.total >= plan.dearMs;
      side = { userClass: audience, calls: dear ? [call] : [], commands, overLimit: call.overLimit, dear };
      already = side.calls.length;
      // A cheap route's capture was a warm-up: its command times are not samples.
      if (!dear) for (const c of side.commands) c.samplesMs = [];
    }
    const planned = side.dear ? plan.dearCallsPerRound : plan.callsPerRound;
    for (let i = already; i < planned && !side.overLimit; i++) {
      throwIfAborted(signal);
      const call = await callRouteModel(db, model, klass.context, { maxTimeMS: plan.maxTimeMS });
      side.calls.push(call);
      addSamples(side.commands, call.commands);
      if (call.overLimit) side.overLimit = true;
    }
    out.push(side);
  }
  return out;
}

/** Each class for a route built from the class's ids; once (the first class's context, unused) for a captured workload. */
function audiencesOf(model: RouteModel, classes: readonly ClassContext[]): { audience: RouteAudience; klass: ClassContext }[] {
  if (model.audience === 'captured') return classes.slice(0, 1).map((klass) => ({ audience: 'captured', klass }));
  return classes.map((klass) => ({ audience: klass.user.userClass, klass }));
}

function addSamples(commands: CommandSide[], runs: readonly CommandRun[]): void {
  for (const run of runs) {
    const side = commands.find((c) => c.step === run.step);
    if (side && run.ms !== undefined && !run.overLimit) side.samplesMs.push(run.ms);
  }
}

function sortedDocsOf(measured: readonly Measurement[]): number | null {
  const sorting = measured.filter((m) => m.blockingSort);
  if (sorting.length === 0) return measured[0]?.sortedDocs ?? null;
  return sorting.some((m) => m.sortedDocs === null) ? null : Math.max(...sorting.map((m) => m.sortedDocs as number));
}

/** The measurements of a fan-out command's shapes as one: the first's plan, every index used, the work summed, any scan or blocking sort. */
function combine(measured: readonly Measurement[]): Measurement {
  const [first, ...rest] = measured as [Measurement, ...Measurement[]];
  if (rest.length === 0) return first;
  return {
    ...first,
    indexesUsed: [...new Set(measured.flatMap((m) => m.indexesUsed))],
    totalKeysExamined: measured.reduce((n, m) => n + m.totalKeysExamined, 0),
    totalDocsExamined: measured.reduce((n, m) => n + m.totalDocsExamined, 0),
    nReturned: measured.reduce((n, m) => n + m.nReturned, 0),
    collscan: measured.some((m) => m.collscan),
    blockingSort: measured.some((m) => m.blockingSort),
    // The largest sort of any shape (each is one execution); unknown if any sorting shape's count is.
    sortedDocs: sortedDocsOf(measured),
    explainMs: measured.reduce((n, m) => n + (m.explainMs ?? 0), 0),
  };
}
