import type { IndexOutcome } from '../indexes/apply.js';
import type { LoadedThresholds } from '../gate/thresholds.js';
import type { Environment } from '../mongo/environment.js';
import { type DatasetInfo, type GateResult, type PatternResult, type RemedyResult, type RouteResult, resultSchemaVersion, type RunResult } from '../result.js';
import { toolCommit, toolVersion } from '../version.js';

export interface RunParts {
  command: RunResult['command'];
  runId: string;
  startedAt: Date;
  environment: Environment;
  dataset: DatasetInfo;
  indexes: IndexOutcome[];
  patterns: PatternResult[];
  /** Every route measured (`routes[]`) and the remedies. */
  routes: RouteResult[];
  remedies?: RemedyResult[];
  gate: GateResult;
  thresholds: LoadedThresholds;
  timings: Record<string, number>;
  notes: string[];
  timing?: RunResult['timing'];
}

/** The result document of a bench or verify run. */
export function buildRunResult(parts: RunParts): RunResult {
  return {
    schemaVersion: resultSchemaVersion,
    command: parts.command,
    runId: parts.runId,
    startedAt: parts.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    tool: { name: 'indexgate', version: toolVersion, commit: toolCommit() },
    environment: parts.environment,
    dataset: parts.dataset,
    indexes: parts.indexes,
    patterns: parts.patterns,
    routes: parts.routes,
    ...(parts.remedies ? { remedies: parts.remedies } : {}),
    gate: parts.gate,
    thresholds: { source: parts.thresholds.source, values: parts.thresholds.values },
    timings: parts.timings,
    notes: parts.notes,
    ...(parts.timing ? { timing: parts.timing } : {}),
  };
}
