import { paramsCommand, type WorkloadFile, type WorkloadShape } from '../capture/workload-file.js';
import type { CapturedFacts, Route } from '../route.js';

/**
 * A captured workload as a route, so that it is measured by the same stages as any route
 * (hidden-index rounds, explain, limits, the report's tables): each replayable shape is sent
 * with every one of its recorded parameter sets, one after the other, its step named after
 * the shape (the command's `comment`), dearest recorded first as the capture ordered them; a
 * shape's time is the sum over its parameter sets and its work the sum of their explains.
 */
export function workloadRoute(workload: WorkloadFile, file: string): Route {
  const shapes = workload.shapes.filter((s) => s.params.length > 0);
  const captured = new Map<string, CapturedFacts>(shapes.map((s) => [s.id, facts(s)]));
  return {
    id: workload.name,
    title: `captured workload ${workload.name} (${shapes.length} shapes from ${workload.source.kind === 'profile' ? 'the profiler' : 'a mongod log'})`,
    description: `The read commands captured from ${workload.source.from} on ${workload.capturedAt}, grouped by shape, replayed with their recorded parameters.`,
    source: `captured from ${workload.source.from} on ${workload.capturedAt}`,
    params: {},
    file,
    audience: 'captured',
    captured,
    async run({ db, phase }) {
      await phase('replay', async () => {
        for (const shape of shapes) for (const p of shape.params) await db.command(paramsCommand(p), { comment: shape.id });
      });
    },
  };
}

function facts(shape: WorkloadShape): CapturedFacts {
  return {
    count: shape.count,
    recorded: { p50Ms: shape.recorded.p50Ms, totalMs: shape.recorded.totalMs, planSummary: shape.recorded.planSummary },
    params: shape.params.length,
  };
}
