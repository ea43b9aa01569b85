import type { Db } from 'mongodb';
import { loadWorkload, type WorkloadFile } from '../capture/workload-file.js';
import { UsageError } from '../errors.js';
import type { Thresholds, WorkloadRules } from '../gate/threshold-rules.js';
import { defaultWorkloadRules } from '../gate/threshold-rules.js';
import { unknownShapeRules, workloadChecks } from '../gate/replay-checks.js';
import type { CheckInput, RouteResult } from '../result.js';
import type { Route } from '../route.js';
import { workloadRoute } from '../route-engine/replay-route.js';
import type { IndexSpec } from '../workload.js';

/** A workload to replay, checked before anything is measured: its file, its route id, the thresholds naming its shapes. */
export interface PreparedWorkload {
  readonly file: WorkloadFile;
  readonly route: Route;
  readonly rules: WorkloadRules;
}

/**
 * Reads `--workload` and checks it against the run: its name must not be another route's
 * id, and every shape the thresholds name must be in it (a typo would judge nothing).
 */
export async function prepareWorkload(path: string, thresholds: Thresholds, reservedIds: readonly string[]): Promise<PreparedWorkload> {
  const file = await loadWorkload(path);
  if (reservedIds.includes(file.name))
    throw new UsageError(`--workload ${path}: its name "${file.name}" is a built-in route's; capture it again with another --name`);
  const rules = thresholds.workload ?? defaultWorkloadRules;
  const unknown = unknownShapeRules(
    rules,
    file.shapes.map((s) => s.id),
  );
  if (unknown.length > 0)
    throw new UsageError(
      `the thresholds name shapes ${unknown.join(', ')}, which --workload ${path} does not hold; use the ids \`indexgate capture\` printed`,
    );
  return { file, route: workloadRoute(file, path), rules };
}

/** The checks of every replayed workload route, each shape's collection size read from the target (estimatedDocumentCount, read-only). */
export async function replayChecks(
  db: Db,
  routes: readonly RouteResult[],
  rules: WorkloadRules,
  judgeSpeedup: boolean,
  knownSpecs: readonly IndexSpec[],
): Promise<CheckInput[]> {
  const replayed = routes.filter((r) => r.userClass === 'captured');
  const names = [...new Set(replayed.flatMap((r) => r.commands.map((c) => c.collection)))];
  const sizes = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await db.collection(n).estimatedDocumentCount()] as const)),
  );
  return replayed.flatMap((r) => workloadChecks(r, rules, sizes, judgeSpeedup, knownSpecs));
}
