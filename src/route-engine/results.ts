import { BSON, type Document } from 'mongodb';
import type { IndexSpec } from '../workload.js';
import type { CapturedCommand, CommandMeasurement, Phases, RouteAudience, RouteCommandResult, RouteResult } from '../result.js';
import { quantileBounds } from '../timing/bounds.js';
import { median, type SpeedupEstimate } from '../timing/stats.js';
import { boundsByKey, phases, speedupFields } from '../timing/summaries.js';
import type { RouteCall } from './call.js';
import type { CommandSide, RoutePlan, RouteSide } from './measure.js';
import type { CommandShape } from './recorder.js';
import type { CapturedFacts, Route } from '../route.js';

export interface RouteSides {
  route: Route;
  before?: readonly RouteSide[];
  after: readonly RouteSide[];
  role?: RouteResult['role'];
  /** Active memberships of each sampled user (the reports' context), by class. */
  memberships?: ReadonlyMap<string, number>;
}

/** The phases of a side's timed calls (lower bounds where a command was over the limit). */
export function callPhases(calls: readonly RouteCall[]): Phases {
  const names = [...new Set(calls.flatMap((c) => Object.keys(c.phases).filter((k) => k !== 'total')))];
  return phases({
    total: calls.map((c) => c.phases.total),
    phases: Object.fromEntries(names.map((n) => [n, calls.map((c) => c.phases[n] ?? 0)])),
  });
}

/**
 * `routes[]` entries of one route: per audience, its phases before and after, the speedup (an
 * interval only where both sides finished within the limit and the samples allow one), and
 * every command with its plan, work and returned documents and bytes.
 */
export function routeResults(input: RouteSides, plan: RoutePlan, indexSet: readonly IndexSpec[]): RouteResult[] {
  const { route } = input;
  const beforeOf = (a: RouteSide) => input.before?.find((s) => s.userClass === a.userClass);
  const finished = input.after.filter((a) => {
    const b = beforeOf(a);
    return b && !a.overLimit && !b.overLimit && a.calls.length > 0 && b.calls.length > 0;
  });
  const bounds = boundsByKey(
    finished.map((a) => ({
      key: a.userClass,
      before: beforeOf(a)?.calls.map((c) => c.phases.total) ?? [],
      after: a.calls.map((c) => c.phases.total),
    })),
  );
  return input.after.map((after) => {
    const before = beforeOf(after);
    const shapeBounds = route.audience === 'captured' ? commandBounds(before, after) : undefined;
    const commandResults: RouteCommandResult[] = after.commands.map((a) => {
      const b = before?.commands.find((c) => c.step === a.step);
      const captured = route.captured?.get(a.step);
      return {
        step: a.step,
        call: a.call,
        collection: a.collection,
        command: a.command,
        shape: a.shapes.length > 1 ? a.shapes.map(shapeForResult) : shapeForResult(a.shapes[0] as CommandShape),
        source: a.source,
        ...(b ? { before: commandMeasurement(b) } : {}),
        after: commandMeasurement(a),
        returnedDocs: a.returnedDocs,
        returnedBytes: a.returnedBytes,
        ...(a.clientSide ? { clientSide: { ...a.clientSide } } : {}),
        ...(captured ? { captured: { ...capturedCommand(captured, b, a), ...speedupFields(shapeBounds?.get(a.step)) } } : {}),
      };
    });
    const used = new Set(commandResults.flatMap((c) => c.after.indexesUsed));
    const overLimitBefore = before?.overLimit ?? false;
    const speedup = finished.some((f) => f.userClass === after.userClass)
      ? speedupFields(bounds.get(after.userClass))
      : before
        ? { speedupEstimate: censoredEstimate(before, after, plan, 'the indexes') }
        : {};
    const overhead = (side: RouteSide | undefined) =>
      side && side.calls.length > 0 ? median(side.calls.map((c) => c.overheadMs)) : undefined;
    const stopped = { ...(before?.stopped ? { before: before.stopped } : {}), ...(after.stopped ? { after: after.stopped } : {}) };
    const failedOf = (side: RouteSide | undefined) => side?.commands.find((c) => c.overLimit?.failed)?.overLimit?.failed;
    const failed = {
      ...(failedOf(before) ? { before: failedOf(before) as string } : {}),
      ...(failedOf(after) ? { after: failedOf(after) as string } : {}),
    };
    const memberships = input.memberships?.get(after.userClass);
    return {
      id: route.id,
      title: route.title,
      ...(route.source ? { source: route.source } : {}),
      file: route.file,
      userClass: after.userClass as RouteAudience,
      ...(route.audience === 'captured' ? {} : { user: { id: after.input.user.id, memberships: memberships ?? 0 } }),
      ...(route.users ? { users: route.users } : {}),
      params: { ...after.input.params },
      role: input.role ?? 'gated',
      ...(before && before.calls.length > 0 ? { before: callPhases(before.calls) } : {}),
      after: callPhases(after.calls),
      ...speedup,
      overLimit: { before: overLimitBefore, after: after.overLimit, limitMs: plan.maxTimeMS },
      ...(Object.keys(stopped).length > 0 ? { stopped } : {}),
      ...(Object.keys(failed).length > 0 ? { failed } : {}),
      overheadMs: {
        ...(overhead(before) === undefined ? {} : { before: round(overhead(before) as number) }),
        after: round(overhead(after) ?? 0),
      },
      commands: commandResults,
      indexesUsed: indexSet.filter((s) => used.has(s.name)).map((s) => s.name),
      indexesUnused: indexSet.filter((s) => !used.has(s.name)).map((s) => s.name),
    };
  });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A replayed shape's time per execution (p50 of the calls over its parameter sets) and weighted by its recorded count. */
function capturedCommand(facts: CapturedFacts, before: CommandSide | undefined, after: CommandSide): CapturedCommand {
  const perExecution = (side: CommandSide) => (side.samplesMs.length > 0 && !side.overLimit ? median(side.samplesMs) / facts.params : null);
  const weighted = (ms: number | null) => (ms === null ? null : ms * facts.count);
  const b = before ? perExecution(before) : undefined;
  const a = perExecution(after);
  return {
    count: facts.count,
    recorded: { ...facts.recorded },
    params: facts.params,
    perExecutionMs: { ...(b === undefined ? {} : { before: b }), after: a },
    weightedMs: { ...(b === undefined ? {} : { before: weighted(b) }), after: weighted(a) },
    afterSamplesMs: after.overLimit ? [] : after.samplesMs.map((ms) => Math.round((ms / facts.params) * 1000) / 1000),
  };
}

/** Each replayed shape's speedup bound: its timed calls on both sides, the shapes as the bound's groups. */
function commandBounds(before: RouteSide | undefined, after: RouteSide): ReturnType<typeof boundsByKey> | undefined {
  if (!before) return undefined;
  const timed = after.commands.flatMap((a) => {
    const b = before.commands.find((c) => c.step === a.step);
    return b && !a.overLimit && !b.overLimit && a.samplesMs.length > 0 && b.samplesMs.length > 0
      ? [{ key: a.step, before: b.samplesMs, after: a.samplesMs }]
      : [];
  });
  return boundsByKey(timed);
}

function commandMeasurement(side: CommandSide): CommandMeasurement {
  const common = {
    returnedDocs: side.returnedDocs,
    returnedBytes: side.returnedBytes,
    ...(side.counted === undefined ? {} : { counted: side.counted }),
    ...(side.clientSide ? { clientSide: { keptDocs: side.clientSide.keptDocs, ms: side.clientSide.ms } } : {}),
  };
  const latency = side.samplesMs.length > 0 ? { latencyMs: phases({ total: side.samplesMs, phases: {} }).latencyMs.total } : {};
  if (side.measurement) return { ...side.measurement, ...latency, ...common, ...(side.measuredAs ? { measuredAs: side.measuredAs } : {}) };
  const over = side.overLimit;
  return {
    stages: over?.plan ?? [],
    indexName: null,
    totalKeysExamined: over?.probe
      ? Math.round((over.probe.keysExamined / Math.max(1, over.probe.outerDocs)) * over.probe.totalOuterDocs)
      : 0,
    totalDocsExamined: over?.probe?.projectedDocsExamined ?? 0,
    nReturned: 0,
    engine: 'classic',
    collscan: (over?.probe?.collectionScans ?? 0) > 0 || (over?.plan ?? []).includes('COLLSCAN'),
    blockingSort: (over?.plan ?? []).some((s) => s === '$sort' || s === 'SORT'),
    sortedDocs: null,
    covered: false,
    indexesUsed: [...(over?.indexesUsed ?? [])],
    indexKey: null,
    explainMs: null,
    ...common,
    ...(over
      ? {
          overLimit: {
            limitMs: over.limitMs,
            ...(over.probe ? { probe: { ...over.probe } } : {}),
            ...(over.inferred ? { inferred: over.inferred } : {}),
            ...(over.failed ? { failed: over.failed } : {}),
          },
        }
      : {}),
  };
}

/**
 * A shape as result.json carries it: the pipeline, the filter with its options, or the command,
 * in relaxed extended JSON (an ObjectId `{"$oid": …}`, a date `{"$date": …}`, an int64 a number),
 * which `BSON.EJSON.deserialize` turns back into the command as sent.
 */
function shapeForResult(shape: CommandShape): unknown {
  const json = (value: unknown) => BSON.EJSON.serialize(value as Document, { relaxed: true });
  if (shape.kind === 'command') return json(shape.command);
  if (shape.kind === 'aggregate') return json([...shape.pipeline]);
  const { comment: _comment, maxTimeMS: _maxTimeMS, ...options } = shape.options ?? {};
  return json({ filter: shape.filter, ...options });
}

/**
 * The speedup when a side did not finish within the limit. If the before side reached it (a
 * command alone took the limit, so TOTAL did too) and the after side finished, the true ratio
 * is at least limit / (97.5% upper bound of the after median): a one-sided bound that holds
 * whatever the before side's true time. `what` names the sides ("the indexes", "the remedy").
 */
export function censoredEstimate(before: RouteSide, after: RouteSide, plan: RoutePlan, what = 'the remedy'): SpeedupEstimate {
  const base = { beforeSamples: before.calls.length, afterSamples: after.calls.length };
  const failed = (side: RouteSide) => side.commands.find((c) => c.overLimit?.failed)?.overLimit?.failed;
  // A command the server refused did not take the limit: no bound on the time it would have taken.
  const refused = failed(before) ?? failed(after);
  if (refused)
    return {
      ...base,
      reason: `a command failed on the server ${failed(before) ? `without ${what}` : `with ${what}`} (${refused}): no speedup can be measured`,
    };
  if (before.overLimit && !after.overLimit) {
    const upper = quantileBounds(
      after.calls.map((c) => c.phases.total),
      0.5,
    ).upper;
    const reason = `without ${what} a command did not finish within its ${plan.maxTimeMS / 1000} s limit: only a lower bound`;
    return upper === undefined
      ? { ...base, reason: `${reason}, and ${after.calls.length} calls with it cannot bound its median` }
      : { ...base, atLeast: Math.round((plan.maxTimeMS / upper) * 10) / 10, reason };
  }
  return {
    ...base,
    reason: `a command did not finish within its ${plan.maxTimeMS / 1000} s limit${before.overLimit ? ` without ${what}` : ''}${after.overLimit ? ' with it' : ''}: lower bounds only`,
  };
}
