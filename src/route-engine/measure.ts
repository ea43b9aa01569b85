import { BSON, type Db, type Document } from 'mongodb';
import type { ReadCommand } from '../capture/shape.js';
import { throwIfAborted } from '../errors.js';
import { analyzeExplain } from '../plan/analyze.js';
import { type IndexKeyOf, indexKeyResolver, measurementOf } from '../plan/measurement.js';
import type { DataModel } from '../prisma/datamodel.js';
import type { Measurement, ProbeWork, TimeSpent } from '../result.js';

export type { RouteTimeBreakdown, TimeSpent } from '../result.js';
import { type CallInput, callRoute, type RouteCall } from './call.js';
import { type CommandShape, explainShape, type RecorderOptions, sameCommandKey } from './recorder.js';
import { dataLimitFailure, didNotFinish, isOverLimit } from '../mongo/over-limit.js';
import type { ParamValue, Route } from '../route.js';
import type { RoutePlan } from './route-plan.js';

export { budgetsPerCommandLimit, commandLimitFor, defaultRoutePlan, type RoutePlan } from './route-plan.js';

/** Who a route is measured for: a sampled user of a class, or (a replayed workload) the captured parameters. */
export interface Audience {
  readonly userClass: string;
  readonly input: CallInput;
}

/**
 * What a command that reached the limit did: its plan (queryPlanner), and its work measured on
 * the first `probeDocs` documents entering its first $lookup, projected to all of them.
 */
export interface OverLimitWork {
  limitMs: number;
  plan: string[];
  /** Indexes the planner chose for it (queryPlanner). */
  indexesUsed: string[];
  /** It was not sent for this audience: known over the limit on this state whoever asks (why). */
  inferred?: string;
  /** It did not finish because the server refused it for the data it met (e.g. a result over 16 MB): why, in one line. */
  failed?: string;
  probe?: ProbeWork;
}

/** One command (step) of a route on one side, for one audience. */
export interface CommandSide {
  step: string;
  call: string;
  collection: string;
  command: ReadCommand;
  source: string;
  shapes: CommandShape[];
  /** Its plan and work (explain executionStats, the work of a fan-out summed); absent when it is over the limit. */
  measurement?: Measurement;
  /** Its measurement is the explain of a query pattern that sends the same command on the same state (which one). */
  measuredAs?: string;
  overLimit?: OverLimitWork;
  returnedDocs: number;
  returnedBytes: number;
  counted?: number;
  clientSide?: { describe: string; keptDocs: number; ms: number };
  /** Time of the command in each timed call (ms). */
  samplesMs: number[];
}

/** A route on one side for one audience: every timed call and every command's measurement. */
export interface RouteSide {
  userClass: string;
  input: CallInput;
  calls: RouteCall[];
  commands: CommandSide[];
  /** A command reached the limit on this side: the route's times are lower bounds. */
  overLimit: boolean;
  /** The step whose limit ended the calls (the commands after it were not sent). */
  stopped?: string;
  /** The first call took `dearMs` or more: fewer calls per round. */
  dear: boolean;
}

export const noTimeSpent = (): TimeSpent => ({ timedCalls: 0, capture: 0, overLimitCalls: 0, explains: 0, probes: 0 });

export interface MeasureContext {
  readonly db: Db;
  readonly dm: DataModel;
  readonly plan: RoutePlan;
  readonly signal?: AbortSignal | undefined;
  /** Accumulates where the time goes (see TimeSpent). */
  readonly spent?: TimeSpent | undefined;
  /**
   * Probes already measured on this state, by collection and probe pipeline: one per part of the
   * routes stage (its index state does not change), never shared across states.
   */
  readonly probes?: Map<string, ProbeWork> | undefined;
  /**
   * Joins known over the limit on this state whoever asks, by collection and pipeline up to the
   * $lookup (the probe's key): why, in words. A later command with the same join is not sent.
   */
  readonly joinsOverLimit?: Map<string, string> | undefined;
  /**
   * The capture explains every command that finished (its plan and work, default true). False where only the route's times are
   * read (the index remedy: its effect is the calls' TOTAL); a command over the limit is still described, for its join's probe.
   */
  readonly explainCommands?: boolean | undefined;
  /**
   * Commands already explained on this state by an earlier stage (the query patterns', src/run/explain-patterns.ts), by
   * `sameCommandKey`: a route command that sends one of them is measured on that explain, not explained again.
   */
  readonly explained?: ReadonlyMap<string, ExplainedCommand> | undefined;
}

/** A command explained by an earlier stage on the same state: its measurement, and what sent it (e.g. `pattern lastMessage (heavy)`). */
export interface ExplainedCommand {
  readonly measurement: Measurement;
  readonly by: string;
}

/** The key of a command's first $lookup and what precedes it: the same for every user when nothing before it is the user's. */
export function joinKey(collection: string, shape: CommandShape): string | undefined {
  if (shape.kind !== 'aggregate') return undefined;
  const at = shape.pipeline.findIndex((s) => '$lookup' in s);
  if (at < 0) return undefined;
  return `${collection}|${BSON.EJSON.stringify(shape.pipeline.slice(0, at + 1), { relaxed: false })}`;
}

/** The recorder's hook: a command whose join is known over the limit on this state is not sent. */
function knownOverLimit(ctx: MeasureContext): RecorderOptions['knownOverLimit'] {
  const joins = ctx.joinsOverLimit;
  if (!joins) return undefined;
  return (collection, shape) => {
    const key = judgedJoinKey(collection, shape);
    return key === undefined ? undefined : joins.get(key);
  };
}

/** Runs `fn`, adding its wall time to `spent[field]` (when there is one). */
async function timedInto<T>(
  spent: TimeSpent | undefined,
  field: keyof TimeSpent | ((value: T) => keyof TimeSpent),
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const value = await fn();
  if (spent) spent[typeof field === 'function' ? field(value) : field] += performance.now() - started;
  return value;
}

/**
 * The first call of a route on one side: every returned byte counted, then every command
 * explained (executionStats, the limit on the explain), a command over the limit described
 * by its plan and a probe.
 */
export async function captureRoute(
  ctx: MeasureContext,
  route: Route,
  audience: Audience,
): Promise<{ call: RouteCall; commands: CommandSide[] }> {
  const { db, plan } = ctx;
  const probedBefore = ctx.spent?.probes ?? 0;
  // What a command over the limit was found to do during the call (by its shape), not asked again after it.
  const learnt = new Map<CommandShape, OverLimitWork>();
  const call = await timedInto(
    ctx.spent,
    (c: RouteCall) => (c.overLimit ? 'overLimitCalls' : 'capture'),
    () =>
      callRoute(db, ctx.dm, route, audience.input, {
        maxTimeMS: plan.maxTimeMS,
        measureBytes: true,
        knownOverLimit: prejudge(ctx),
        // Its join known over the limit at once: the call's later commands with the same join are not sent.
        onOverLimit: async (collection, shape) => {
          learnt.set(shape, await timedInto(ctx.spent, 'probes', () => describeOverLimit(ctx, collection, shape)));
        },
      }),
  );
  // The probes made during the call (a join judged before it is sent) are counted as probes, not twice.
  if (ctx.spent) ctx.spent[call.overLimit ? 'overLimitCalls' : 'capture'] -= ctx.spent.probes - probedBefore;
  const keyOf = indexKeyResolver(db);
  const commands: CommandSide[] = [];
  for (const run of call.commands) {
    throwIfAborted(ctx.signal);
    const side: CommandSide = {
      step: run.step,
      call: run.call,
      collection: run.collection,
      command: run.command,
      source: run.source,
      shapes: [...run.shapes],
      returnedDocs: run.returnedDocs,
      returnedBytes: run.returnedBytes ?? 0,
      ...(run.counted === undefined ? {} : { counted: run.counted }),
      ...(run.clientSide ? { clientSide: { ...run.clientSide } } : {}),
      samplesMs: run.overLimit ? [] : [run.ms],
    };
    const first = run.shapes[0] as CommandShape;
    const overLimit = async () =>
      learnt.get(first) ?? (await timedInto(ctx.spent, 'probes', () => describeOverLimit(ctx, run.collection, first)));
    if (run.overLimit) {
      side.overLimit = await overLimit();
      if (run.inferred) side.overLimit.inferred = run.inferred;
      if (run.failed) side.overLimit.failed = run.failed;
    } else if (ctx.explainCommands !== false) {
      const shared = sharedExplain(ctx, run.collection, run.shapes);
      if (shared) {
        side.measurement = structuredClone(shared.measurement);
        side.measuredAs = shared.by;
      } else
        try {
          side.measurement = await timedInto(ctx.spent, 'explains', () =>
            explainCommand(db, run.collection, run.shapes, plan.maxTimeMS, keyOf),
          );
        } catch (error) {
          if (!didNotFinish(error)) throw error;
          side.overLimit = await overLimit();
          const failed = dataLimitFailure(error);
          if (failed) side.overLimit.failed = failed;
        }
    }
    commands.push(side);
  }
  return { call, commands };
}

/**
 * The explain an earlier stage made of the same command on this state, when it finished within the commands' limit: the
 * same command document (its comment and time limit aside) on the same data and indexes gets the same plan and does the
 * same work, so explaining it again would only repeat it (the driver model's `lastMessage` before the indexes: 8.7 s for
 * the heavy user at medium under Wine). A fan-out (several shapes) is explained on its own.
 */
function sharedExplain(ctx: MeasureContext, collection: string, shapes: readonly CommandShape[]): ExplainedCommand | undefined {
  if (!ctx.explained || shapes.length !== 1) return undefined;
  const shared = ctx.explained.get(sameCommandKey(collection, shapes[0] as CommandShape));
  const ms = shared?.measurement.explainMs;
  // Only explains that finished are kept (explainAll's `commands`): the limit is the one left to check.
  return typeof ms === 'number' && ms < ctx.plan.maxTimeMS ? shared : undefined;
}

/**
 * A command's every shape explained (executionStats, the limit on each explain) and measured as
 * one (a fan-out's work summed); an explain over the limit throws MaxTimeMSExpired.
 */
export async function explainCommand(
  db: Db,
  collection: string,
  shapes: readonly CommandShape[],
  maxTimeMS: number,
  keyOf: IndexKeyOf,
): Promise<Measurement> {
  const measured: Measurement[] = [];
  for (const shape of shapes) measured.push(await measurementOf(await explainShape(db, collection, shape, maxTimeMS), collection, keyOf));
  return combine(measured);
}

/** How far over the limit a join's projected time must be before commands sending it are no longer sent (a margin for the projection's error). */
const joinOverLimitFactor = 3;

/** An explain's execution time (ms): the query's, or an aggregation's last stage estimate (which includes those before it). */
function probeTime(raw: Document): number | undefined {
  if (typeof raw.executionStats?.executionTimeMillis === 'number') return raw.executionStats.executionTimeMillis;
  const stages = raw.stages as Document[] | undefined;
  const last = stages?.[stages.length - 1];
  return typeof last?.executionTimeMillisEstimate === 'number' ? last.executionTimeMillisEstimate : undefined;
}

async function describeOverLimit(ctx: MeasureContext, collection: string, shape: CommandShape): Promise<OverLimitWork> {
  const { db, plan } = ctx;
  // Choosing a plan executes nothing: it gets a limit against a hung server only, not the (possibly tiny) one the command
  // exceeded nor the probe's (a probe limit of a few ms is a plan a test may choose).
  const planLimit = Math.max(probeLimitOf(plan), planningMaxTimeMS);
  const planned = analyzeExplain(await explainShape(db, collection, shape, planLimit, 'queryPlanner'), collection);
  const work: OverLimitWork = { limitMs: plan.maxTimeMS, plan: [...planned.stages], indexesUsed: [...planned.indexesUsed] };
  const probe = await probeJoin(ctx, collection, shape);
  if (!probe) return work;
  work.probe = probe;
  // The command was over the limit and its $lookup alone is projected far over it: any command that sends this join on this
  // state is over the limit whoever asks (it must read them all before anything after it runs). Not sent again: it would only wait.
  const key = joinKey(collection, shape);
  if (key && probe.projectedMs !== undefined && probe.projectedMs >= joinOverLimitFactor * plan.maxTimeMS && !ctx.joinsOverLimit?.has(key))
    ctx.joinsOverLimit?.set(
      key,
      `not sent: its $lookup from ${collection} into ${lookupFrom(shape)} alone is projected at ${Math.round(probe.projectedMs / 1000)} s on this state whoever asks (measured on ${probe.outerDocs} of ${probe.totalOuterDocs} documents)`,
    );
  return work;
}

const lookupFrom = (shape: CommandShape): string => {
  if (shape.kind !== 'aggregate') return '?';
  const lookup = shape.pipeline.find((s) => '$lookup' in s)?.$lookup as Document | undefined;
  return String(lookup?.from ?? '?');
};

/**
 * The probe of a pipeline's first $lookup: the stages before it, a $limit of `probeDocs`, the $lookup, and its joined field
 * dropped after it. Dropping the field leaves the $lookup's work as it is (the joins still run, each examining what it
 * examines) but nothing has to hold the joined documents as one result document: a probe that ended at the $lookup was
 * refused by the server for its own output at `large` (BSONObjectTooLarge, a global conversation's 180 k members joined
 * into one 30 MB document, docs/measurements/2026-11-30-probe-output.md), a size the application's command, whose later
 * stages drop the joined field, never hands back. Undefined without a $lookup.
 */
function probePipeline(pipeline: readonly Document[], probeDocs: number): Document[] | undefined {
  const at = pipeline.findIndex((s) => '$lookup' in s);
  if (at < 0) return undefined;
  const lookup = pipeline[at] as Document;
  return [...pipeline.slice(0, at), { $limit: probeDocs }, lookup, { $project: { [String(lookup.$lookup?.as)]: 0 } }];
}

/** Where a state's probes are kept: by collection and probe pipeline (`probeJoin` and `probesOfExplained` alike). */
const probeKey = (collection: string, probe: readonly Document[]): string =>
  `${collection}|${BSON.EJSON.stringify(probe, { relaxed: false })}`;

/** The limit of a `queryPlanner` explain of a command over the limit (ms): choosing a plan executes nothing. */
const planningMaxTimeMS = 30_000;

/** The probe's own limit (ms): at least the commands'. */
const probeLimitOf = (plan: RoutePlan): number => Math.max(plan.maxTimeMS, plan.probeMaxTimeMS);

/**
 * A command's first $lookup measured on the first `probeDocs` documents let into it (explain executionStats of
 * `probePipeline`), projected to all of them; undefined for a command without a $lookup, or a probe that did not finish
 * (over its own limit, kept in `probesOverLimit` for `boundedByProbe`, or refused for the data it met). What follows the
 * $lookup is left out: the work measured is the $lookup's own for those documents, whatever later stages would pull. The
 * same probe on the same state measures the same work: it is made once per state.
 */
async function probeJoin(ctx: MeasureContext, collection: string, shape: CommandShape): Promise<ProbeWork | undefined> {
  const { db, plan } = ctx;
  if (shape.kind !== 'aggregate') return undefined;
  const at = shape.pipeline.findIndex((s) => '$lookup' in s);
  const pipeline = probePipeline(shape.pipeline, plan.probeDocs);
  if (!pipeline) return undefined;
  const cacheKey = probeKey(collection, pipeline);
  const cached = ctx.probes?.get(cacheKey);
  if (cached) return { ...cached };
  if (ctx.probes && probesOverLimit.get(ctx.probes)?.has(cacheKey)) return undefined;
  const probeLimit = probeLimitOf(plan);
  try {
    const raw = await explainShape(db, collection, { kind: 'aggregate', pipeline }, probeLimit);
    const measured = analyzeExplain(raw, collection);
    const lookup = measured.lookups[0];
    const outerDocs = Math.min(plan.probeDocs, await db.collection(collection).estimatedDocumentCount());
    const totalOuterDocs =
      at === 0
        ? await db.collection(collection).estimatedDocumentCount()
        : await countBefore(db, collection, shape.pipeline.slice(0, at), probeLimit);
    const work = probeWorkOf(
      {
        docsExamined: lookup?.totalDocsExamined ?? measured.totalDocsExamined,
        keysExamined: lookup?.totalKeysExamined ?? measured.totalKeysExamined,
        collectionScans: lookup?.collectionScans ?? 0,
      },
      outerDocs,
      totalOuterDocs,
      probeTime(raw),
    );
    ctx.probes?.set(cacheKey, { ...work });
    return work;
  } catch (error) {
    if (!didNotFinish(error)) throw error;
    // Over its own limit (the limit kept: a lower bound of the join), or refused for the data it met (nothing kept): not
    // tried again on this state (it would only wait again).
    if (ctx.probes) {
      const known = probesOverLimit.get(ctx.probes) ?? new Map<string, number | undefined>();
      probesOverLimit.set(ctx.probes, known.set(cacheKey, isOverLimit(error) ? probeLimit : undefined));
    }
    return undefined;
  }
}

/** A probe's work: what its $lookup did for `outerDocs` documents, projected to the `totalOuterDocs` its command lets in. */
function probeWorkOf(
  lookup: { docsExamined: number; keysExamined: number; collectionScans: number },
  outerDocs: number,
  totalOuterDocs: number,
  probeMs: number | undefined,
): ProbeWork {
  const work: ProbeWork = {
    outerDocs,
    ...lookup,
    totalOuterDocs,
    projectedDocsExamined: outerDocs > 0 ? Math.round((lookup.docsExamined / outerDocs) * totalOuterDocs) : 0,
  };
  if (probeMs !== undefined && outerDocs > 0) {
    work.projectedMs = Math.round((probeMs / outerDocs) * totalOuterDocs);
    work.probeMs = probeMs;
  }
  return work;
}

/** Probes that did not finish, per state's probe cache: the limit a probe reached, or undefined when it was refused. */
const probesOverLimit = new WeakMap<Map<string, ProbeWork>, Map<string, number | undefined>>();

/** A command with a $lookup explained ("executionStats") on a state before the routes stage: a query pattern. */
export interface ExplainedJoin {
  readonly collection: string;
  readonly pipeline: readonly Document[];
  readonly measurement: Measurement;
}

/**
 * The probes a state's explained joins already measured: a join that let at most `probeDocs` documents in was explained
 * whole, and that explain is what its probe (`probePipeline`: the same pipeline up to the $lookup, a $limit of `probeDocs`
 * before it, which lets the same documents in) would measure: the same work, and its time is the $lookup's. By probe key,
 * as `probeJoin` keeps them; a join that let more documents in, or that absorbed an $unwind, is left to its own probe.
 */
export async function probesOfExplained(db: Db, plan: RoutePlan, explained: readonly ExplainedJoin[]): Promise<Map<string, ProbeWork>> {
  const out = new Map<string, ProbeWork>();
  const sizes = new Map<string, number>();
  for (const { collection, pipeline, measurement } of explained) {
    const probe = probePipeline(pipeline, plan.probeDocs);
    const lookup = measurement.lookups?.[0];
    if (!probe || !lookup || lookup.docsIn === undefined || lookup.docsIn > plan.probeDocs || measurement.overLimitMs !== undefined)
      continue;
    // As probeJoin counts them (outerDocs: the documents a probe may let in, at most the collection's).
    let size = sizes.get(collection);
    if (size === undefined) sizes.set(collection, (size = await db.collection(collection).estimatedDocumentCount()));
    const work = probeWorkOf(
      { docsExamined: lookup.totalDocsExamined, keysExamined: lookup.totalKeysExamined, collectionScans: lookup.collectionScans },
      Math.min(plan.probeDocs, size),
      lookup.docsIn,
      lookup.timeMs,
    );
    out.set(probeKey(collection, probe), work);
  }
  return out;
}

/** How far over the limit a probe that let every outer document in must have taken before its command is not sent (a margin for the machine's noise). */
const completeProbeOverLimitFactor = 1.5;

/** Stages that read every document they are given before they hand one on: a $limit after one of them cuts nothing before it. */
const blockingStages = new Set(['$sort', '$group', '$count', '$bucket', '$bucketAuto', '$sortByCount', '$facet', '$setWindowFields']);

/**
 * Whether a pipeline lets every document its first $lookup is given through that $lookup: nothing after it stops pulling
 * early (a $limit or $sample before any stage that reads all its input). The route reads the whole result (`toArray`).
 */
function joinsEveryDocument(pipeline: readonly Document[]): boolean {
  const at = pipeline.findIndex((s) => '$lookup' in s);
  for (const stage of pipeline.slice(at + 1)) {
    const name = Object.keys(stage)[0] ?? '';
    if (blockingStages.has(name)) return true;
    if (name === '$limit' || name === '$sample') return false;
  }
  return true;
}

/**
 * The key of a command's join (`joinKey`) when what is known or probed of that join decides the command: only when the command
 * lets every document into it (`joinsEveryDocument`). A command that stops pulling early is sent, and probed if it reaches
 * the limit.
 */
function judgedJoinKey(collection: string, shape: CommandShape): string | undefined {
  const key = joinKey(collection, shape);
  return key !== undefined && shape.kind === 'aggregate' && joinsEveryDocument(shape.pipeline) ? key : undefined;
}

/**
 * A command whose join's probe did not finish within its own limit, when that limit is at least
 * `completeProbeOverLimitFactor` times the commands': the command (one that `joinsEveryDocument`, as `judgedJoinKey` checks)
 * lets into its $lookup every document the probe let in (the same stages before it) and joins each the same way, so its
 * join alone takes at least the probe's limit: it cannot finish within its own, whoever asks. A lower bound, not a projection: it holds
 * whatever the outer documents cost, for a $lookup served by an index too. Why, in words; undefined otherwise.
 */
function boundedByProbe(ctx: MeasureContext, collection: string, shape: CommandShape): string | undefined {
  const { plan } = ctx;
  if (shape.kind !== 'aggregate' || !ctx.probes) return undefined;
  const probe = probePipeline(shape.pipeline, plan.probeDocs);
  if (!probe) return undefined;
  const reached = probesOverLimit.get(ctx.probes)?.get(probeKey(collection, probe));
  if (reached === undefined || reached < completeProbeOverLimitFactor * plan.maxTimeMS) return undefined;
  return `not sent: its $lookup from ${collection} into ${lookupFrom(shape)} alone did not finish within ${duration(reached)} on the first ${plan.probeDocs} documents let into it (its probe), all of which it joins whoever asks: over the ${duration(plan.maxTimeMS)} limit`;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const duration = (ms: number) => (ms >= 1000 ? seconds(ms) : `${Math.round(ms)} ms`);

/**
 * A capture's look before it sends a command with a $lookup not yet judged on this state: its probe (made anyway if the
 * command reaches the limit, and kept), and, when the probe alone decides that the command cannot finish within the limit,
 * the command is not sent but reported over the limit (why, in words), as the joins known over the limit are. Only a
 * command that lets every document into its join is judged (`judgedJoinKey`: one with a $limit right after the join
 * reads a few of them), and the probe decides only where it measures the command's own join, not a biased part of it:
 *   - it let every outer document in (the prefix passes at most `probeDocs`): the probe is the $lookup itself, and it took
 *     `completeProbeOverLimitFactor` times the limit or more;
 *   - its $lookup scans the collection for each outer document: every outer document costs the same, the projection is
 *     sound, and it is `joinOverLimitFactor` times the limit or more. A $lookup that uses an index is not projected from
 *     its first documents (they may be the dearest, e.g. conversations every user belongs to): such a command is sent;
 *   - the probe did not finish within its own limit: a lower bound of the command's join (`boundedByProbe`).
 * The probe's time is indexgate's own (the recorder counts it as overhead, not in the call's phases).
 */
function prejudge(ctx: MeasureContext): NonNullable<RecorderOptions['knownOverLimit']> {
  const known = knownOverLimit(ctx);
  return async (collection, shape) => {
    const already = known?.(collection, shape);
    if (already !== undefined) return already;
    const key = judgedJoinKey(collection, shape);
    if (key === undefined || !ctx.joinsOverLimit) return undefined;
    const probe = await timedInto(ctx.spent, 'probes', () => probeJoin(ctx, collection, shape));
    if (!probe) return boundedByProbe(ctx, collection, shape);
    if (probe.projectedMs === undefined) return undefined;
    const limit = ctx.plan.maxTimeMS;
    const reason =
      probe.totalOuterDocs <= ctx.plan.probeDocs && probe.probeMs !== undefined && probe.probeMs >= completeProbeOverLimitFactor * limit
        ? `not sent: its $lookup from ${collection} into ${lookupFrom(shape)} alone took ${seconds(probe.probeMs)} on this state for all ${probe.totalOuterDocs} documents let into it (its probe), over the ${seconds(limit)} limit`
        : probe.collectionScans > 0 && probe.projectedMs >= joinOverLimitFactor * limit
          ? `not sent: its $lookup from ${collection} into ${lookupFrom(shape)} scans the collection for each of its ${probe.totalOuterDocs} documents and is projected at ${seconds(probe.projectedMs)} on this state whoever asks (measured on ${probe.outerDocs})`
          : undefined;
    if (reason) ctx.joinsOverLimit.set(key, reason);
    return reason;
  };
}

async function countBefore(db: Db, collection: string, stages: readonly Document[], maxTimeMS: number): Promise<number> {
  const [row] = await db
    .collection(collection)
    .aggregate<{ n: number }>([...stages, { $count: 'n' }], { maxTimeMS })
    .toArray();
  return row?.n ?? 0;
}

/**
 * One round of a route on one side, for every audience. In the first round each audience's
 * first call is the capture (measured, explained); a route whose capture took `dearMs` or
 * more is dear: the capture is then its first timed call, and it gets `dearCallsPerRound`
 * calls per round instead of `callsPerRound`. A route with a command over the limit is not
 * called again: being over the limit is its measurement.
 */
export async function measureRouteRound(
  ctx: MeasureContext,
  route: Route,
  audiences: readonly Audience[],
  previous: readonly RouteSide[] | undefined,
): Promise<RouteSide[]> {
  const out: RouteSide[] = [];
  for (const audience of audiences) {
    throwIfAborted(ctx.signal);
    const earlier = previous?.find((s) => s.userClass === audience.userClass);
    let side: RouteSide;
    let already = 0;
    if (earlier)
      side = { ...earlier, calls: [...earlier.calls], commands: earlier.commands.map((c) => ({ ...c, samplesMs: [...c.samplesMs] })) };
    else {
      const { call, commands } = await captureRoute(ctx, route, audience);
      const dear = call.overLimit || call.phases.total >= ctx.plan.dearMs;
      side = {
        userClass: audience.userClass,
        input: audience.input,
        calls: dear ? [call] : [],
        commands,
        overLimit: call.overLimit,
        ...(call.stopped ? { stopped: call.stopped } : {}),
        dear,
      };
      already = side.calls.length;
      // A cheap route's capture was a warm-up: its command times are not samples.
      if (!dear) for (const c of side.commands) c.samplesMs = [];
    }
    const planned = side.dear ? dearCallsPlanned(ctx.plan, side, previous) : ctx.plan.callsPerRound;
    for (let i = already; i < planned && !side.overLimit; i++) {
      throwIfAborted(ctx.signal);
      const call = await timedInto(
        ctx.spent,
        (c: RouteCall) => (c.overLimit ? 'overLimitCalls' : 'timedCalls'),
        () => callRoute(ctx.db, ctx.dm, route, audience.input, { maxTimeMS: ctx.plan.maxTimeMS, knownOverLimit: knownOverLimit(ctx) }),
      );
      side.calls.push(call);
      for (const run of call.commands) {
        const command = side.commands.find((c) => c.step === run.step);
        if (command && !run.overLimit) command.samplesMs.push(run.ms);
      }
      if (call.overLimit) side.overLimit = true;
    }
    out.push(side);
  }
  return out;
}

/**
 * A dear side's calls this round, its capture included in the first: `dearCallsPerRound`, and in a later round up to
 * `minDearSamples` when it is the only class of its side that the first round measured (the others over the limit).
 * The speedup's "before" variance is pooled over the measured classes (Σ(n−1) degrees of freedom, 2 needed, see
 * docs/statistics.md): two classes with a call per round already give 2, and a third call each would buy nothing the
 * interval needs.
 */
export function dearCallsPlanned(plan: RoutePlan, side: RouteSide, previous: readonly RouteSide[] | undefined): number {
  if (!previous) return plan.dearCallsPerRound;
  const measured = previous.filter((s) => !s.overLimit).length;
  return Math.max(plan.dearCallsPerRound, measured < 2 ? plan.minDearSamples - side.calls.length : 0);
}

/** The audiences of a route: each sampled user (with the route's parameters), or once for a replayed workload. */
export function audiencesOf(
  route: Route,
  users: readonly { userClass: string; userId: string }[],
  params: Readonly<Record<string, ParamValue>>,
): Audience[] {
  const merged = { ...route.params, ...params };
  const chosen = route.audience === 'captured' ? users.slice(0, 1).map((u) => ({ ...u, userClass: 'captured' })) : users;
  return chosen.map((u) => ({ userClass: u.userClass, input: { user: { id: u.userId, class: u.userClass }, params: merged } }));
}

function sortedDocsOf(measured: readonly Measurement[]): number | null {
  const sorting = measured.filter((m) => m.blockingSort);
  if (sorting.length === 0) return measured[0]?.sortedDocs ?? null;
  return sorting.some((m) => m.sortedDocs === null) ? null : Math.max(...sorting.map((m) => m.sortedDocs as number));
}

/** The measurements of a fan-out's shapes as one: the first's plan, every index used, the work summed, any scan or blocking sort. */
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
