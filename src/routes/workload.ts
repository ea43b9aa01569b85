import { paramsCommand, type WorkloadFile, type WorkloadShape } from '../capture/workload.js';
import type { RouteCommand, RouteModel } from './model.js';

/**
 * A captured workload as a route model, so that it is measured by the same stages as the
 * application's route (hidden-index rounds, explain, limits, the report's tables): each
 * replayable shape is a command of its own group, sent one after the other, dearest
 * recorded first; each call of the route sends every parameter set of every shape once
 * (a fan-out of one at a time), so a command's time is the sum over its parameter sets and
 * its work the sum of their explains.
 */
export function workloadRouteModel(workload: WorkloadFile): RouteModel {
  const commands = workload.shapes.filter((s) => s.params.length > 0).map(shapeCommand);
  return {
    id: workload.name,
    title: `captured workload ${workload.name} (${commands.length} shapes from ${workload.source.kind === 'profile' ? 'the profiler' : 'a mongod log'})`,
    description: `The read commands captured from ${workload.source.from} on ${workload.capturedAt}, grouped by shape, replayed with their recorded parameters.`,
    audience: 'captured',
    phases: { conversationsQuery: [], parallelQueries: commands.map((c) => [c]) },
  };
}

function shapeCommand(shape: WorkloadShape): RouteCommand {
  const commands = shape.params.map((p) => ({ kind: 'command' as const, command: paramsCommand(p) }));
  return {
    step: shape.id,
    call: `${shape.command} on ${shape.collection}`,
    collection: shape.collection,
    command: shape.command,
    source: `captured: ${shape.count.toLocaleString('en-US')} calls, recorded p50 ${shape.recorded.p50Ms} ms, ${shape.recorded.planSummary ?? 'no plan summary'}`,
    build: () => commands[0],
    fanOut: { concurrency: 1, buildEach: () => commands },
    captured: { count: shape.count, recorded: { p50Ms: shape.recorded.p50Ms, totalMs: shape.recorded.totalMs, planSummary: shape.recorded.planSummary }, params: commands.length },
  };
}
