import type { IndexSpec } from '../../indexes/spec.js';
import type { CapturedCommand, CommandMeasurement, Phases, RouteCommandResult, RouteModelResult } from '../result.js';
import { median } from '../timing/stats.js';
import { boundsByKey, phases, speedupFields } from '../timing/summaries.js';
import type { RouteModelCall } from './execute.js';
import type { CommandSide, RouteModelPlan, RouteModelSide } from './measure.js';
import { type CapturedFacts, type CommandShape, routeCommands, type RouteModel } from './model.js';

export interface RouteModelSides {
  model: RouteModel;
  before?: readonly RouteModelSide[];
  after: readonly RouteModelSide[];
}

/** The phases of a side's timed calls (a lower bound where a command was over the limit). */
export function callPhases(calls: readonly RouteModelCall[]): Phases {
  return phases({
    conversationsQuery: calls.map((c) => c.phases.conversationsQuery),
    parallelQueries: calls.map((c) => c.phases.parallelQueries),
    total: calls.map((c) => c.phases.total),
  });
}

/**
 * `routes[]` entries of one route model: per class, its phases before and after, the
 * speedup (an interval only where both sides finished within the limit and the samples
 * allow one), and every command with its plan, work and returned documents and bytes.
 */
export function routeModelResults(input: RouteModelSides, plan: RouteModelPlan, indexSet: readonly IndexSpec[]): RouteModelResult[] {
  const { model } = input;
  const finished = input.after.filter((a) => {
    const b = input.before?.find((s) => s.userClass === a.userClass);
    return b && !a.overLimit && !b.overLimit && a.calls.length > 0 && b.calls.length > 0;
  });
  const bounds = boundsByKey(
    finished.map((a) => ({ key: a.userClass, before: input.before?.find((s) => s.userClass === a.userClass)?.calls.map((c) => c.phases.total) ?? [], after: a.calls.map((c) => c.phases.total) })),
  );
  const commands = routeCommands(model);
  return input.after.map((after) => {
    const before = input.before?.find((s) => s.userClass === after.userClass);
    const shapeBounds = model.audience === 'captured' ? commandBounds(before, after) : undefined;
    const commandResults: RouteCommandResult[] = commands.flatMap((command) => {
      const a = after.commands.find((c) => c.step === command.step);
      if (!a?.shape) return [];
      const b = before?.commands.find((c) => c.step === command.step);
      const afterMeasurement = commandMeasurement(a);
      return [
        {
          step: command.step,
          call: command.call,
          collection: command.collection,
          command: command.command,
          shape: a.shapes ? a.shapes.map(shapeForResult) : shapeForResult(a.shape),
          source: command.source,
          ...(b?.shape ? { before: commandMeasurement(b) } : {}),
          after: afterMeasurement,
          returnedDocs: a.returnedDocs,
          returnedBytes: a.returnedBytes,
          ...(command.clientSide && a.clientSide ? { clientSide: { describe: command.clientSide.describe, ...a.clientSide } } : {}),
          ...(command.captured ? { captured: { ...capturedCommand(command.captured, b, a), ...speedupFields(shapeBounds?.get(command.step)) } } : {}),
        },
      ];
    });
    const used = new Set(commandResults.flatMap((c) => c.after.indexesUsed));
    const overLimitBefore = before?.overLimit ?? false;
    const speedup = finished.some((f) => f.userClass === after.userClass)
      ? speedupFields(bounds.get(after.userClass))
      : before
        ? { speedupEstimate: { beforeSamples: before.calls.length, afterSamples: after.calls.length, reason: overLimitReason(overLimitBefore, after.overLimit, plan.maxTimeMS) } }
        : {};
    return {
      id: model.id,
      title: model.title,
      userClass: after.userClass,
      ...(before && before.calls.length > 0 ? { before: callPhases(before.calls) } : {}),
      after: callPhases(after.calls),
      ...speedup,
      overLimit: { before: overLimitBefore, after: after.overLimit, limitMs: plan.maxTimeMS },
      commands: commandResults,
      indexesUsed: indexSet.filter((s) => used.has(s.name)).map((s) => s.name),
      indexesUnused: indexSet.filter((s) => !used.has(s.name)).map((s) => s.name),
    };
  });
}

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
function commandBounds(before: RouteModelSide | undefined, after: RouteModelSide): ReturnType<typeof boundsByKey> | undefined {
  if (!before) return undefined;
  const timed = after.commands.flatMap((a) => {
    const b = before.commands.find((c) => c.step === a.step);
    return b && !a.overLimit && !b.overLimit && a.samplesMs.length > 0 && b.samplesMs.length > 0 ? [{ key: a.step, before: b.samplesMs, after: a.samplesMs }] : [];
  });
  return boundsByKey(timed);
}

function overLimitReason(before: boolean, after: boolean, limitMs: number): string {
  const sides = before && after ? 'before and after the indexes' : before ? 'before the indexes' : after ? 'after the indexes' : 'on no side';
  return `a command did not finish within its ${limitMs / 1000} s limit ${sides}: the times are lower bounds, no interval`;
}

function commandMeasurement(side: CommandSide): CommandMeasurement {
  const common = {
    returnedDocs: side.returnedDocs,
    returnedBytes: side.returnedBytes,
    ...(side.counted === undefined ? {} : { counted: side.counted }),
    ...(side.clientSide ? { clientSide: { ...side.clientSide } } : {}),
  };
  const latency = side.samplesMs.length > 0 ? { latencyMs: phases({ conversationsQuery: [], parallelQueries: [], total: side.samplesMs }).latencyMs.total } : {};
  if (side.measurement) return { ...side.measurement, ...latency, ...common };
  const over = side.overLimit;
  return {
    stages: over?.plan ?? [],
    indexName: null,
    totalKeysExamined: over?.probe ? Math.round((over.probe.keysExamined / Math.max(1, over.probe.outerDocs)) * over.probe.totalOuterDocs) : 0,
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
    ...(over ? { overLimit: { limitMs: over.limitMs, ...(over.probe ? { probe: { ...over.probe } } : {}) } } : {}),
  };
}

/** A shape as result.json carries it: the pipeline, or the filter with its options. */
function shapeForResult(shape: CommandShape): unknown {
  if (shape.kind === 'command') return shape.command;
  return shape.kind === 'aggregate' ? shape.pipeline : { filter: shape.filter, ...(shape.sort ? { sort: shape.sort } : {}), ...(shape.limit ? { limit: shape.limit } : {}) };
}
