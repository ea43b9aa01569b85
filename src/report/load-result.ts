import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseConfig, readJsonFile } from '../config-file.js';
import { resultSchemaVersion, type RunResult } from '../result.js';

const latency = z.looseObject({ p50: z.number(), p95: z.number(), p99: z.number(), mean: z.number(), samples: z.number() });
const measurement = z.looseObject({
  stages: z.array(z.string()),
  indexName: z.string().nullable(),
  totalKeysExamined: z.number(),
  totalDocsExamined: z.number(),
  nReturned: z.number(),
  latencyMs: latency.optional(),
});
const phases = z.looseObject({ conversationsQuery: z.number(), parallelQueries: z.number(), total: z.number(), latencyMs: z.looseObject({ total: latency }) });
const routeClass = z.looseObject({ userClass: z.string(), after: phases, before: phases.optional() });

/** The parts of a result the reports read; anything else may be there too. */
const resultShape = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.enum(['bench', 'verify']),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  environment: z.looseObject({ mongodVersion: z.string(), topology: z.string(), machine: z.looseObject({}) }),
  dataset: z.looseObject({ fingerprint: z.string(), counts: z.record(z.string(), z.number()) }),
  indexes: z.array(z.looseObject({ name: z.string(), collection: z.string(), status: z.string(), buildMs: z.number() })),
  patterns: z.array(z.looseObject({ id: z.string(), userClass: z.string(), gated: z.boolean(), after: measurement, before: measurement.optional() })),
  route: routeClass.extend({ classes: z.array(routeClass) }),
  gate: z.looseObject({
    verdict: z.enum(['pass', 'fail', 'inconclusive']),
    passed: z.boolean(),
    failures: z.array(z.looseObject({ check: z.string(), message: z.string() })),
    inconclusive: z.array(z.looseObject({ check: z.string(), message: z.string() })),
    checks: z.array(z.looseObject({ check: z.string(), outcome: z.enum(['pass', 'fail', 'inconclusive']), passed: z.boolean(), message: z.string() })),
  }),
  thresholds: z.looseObject({ source: z.string() }),
  timings: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
});

/** Reads a saved result.json; a missing file, bad JSON, not a result, or another schemaVersion is a ConfigError (exit 2). */
export async function loadResult(file: string): Promise<RunResult> {
  const json = await readJsonFile(file, 'pass the result.json that bench or verify wrote');
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== resultSchemaVersion) {
    throw new ConfigError(file, `is a result of schemaVersion ${version}; this indexgate reads schemaVersion ${resultSchemaVersion}: render it with the indexgate version that wrote it`);
  }
  return parseConfig(resultShape, json, file, 'is not an indexgate result (') as unknown as RunResult;
}
