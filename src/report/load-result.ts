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
const phases = z.looseObject({
  total: z.number(),
  phases: z.record(z.string(), z.number()),
  latencyMs: z.looseObject({ total: latency }),
  totalSamplesMs: z.array(z.number()),
});
const overLimit = z.looseObject({ before: z.boolean(), after: z.boolean(), limitMs: z.number() });
const route = z.looseObject({
  id: z.string(),
  title: z.string(),
  userClass: z.string(),
  role: z.enum(['gated', 'remedy']),
  after: phases,
  before: phases.optional(),
  overLimit,
  commands: z.array(z.looseObject({ step: z.string() })),
});

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
  patterns: z.array(
    z.looseObject({ id: z.string(), userClass: z.string(), gated: z.boolean(), after: measurement, before: measurement.optional() }),
  ),
  routes: z.array(route),
  gate: z.looseObject({
    verdict: z.enum(['pass', 'fail', 'inconclusive']),
    passed: z.boolean(),
    failures: z.array(z.looseObject({ check: z.string(), message: z.string() })),
    inconclusive: z.array(z.looseObject({ check: z.string(), message: z.string() })),
    checks: z.array(
      z.looseObject({ check: z.string(), outcome: z.enum(['pass', 'fail', 'inconclusive']), passed: z.boolean(), message: z.string() }),
    ),
  }),
  thresholds: z.looseObject({ source: z.string() }),
  timings: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
});

/**
 * Reads a saved result.json; a missing file, bad JSON, not a result, or an unknown
 * schemaVersion is a ConfigError (exit 2). A result of schemaVersion 2 is read as version 3
 * (`upgradeFromV2`), so that `indexgate report` renders what older versions wrote.
 */
export async function loadResult(file: string): Promise<RunResult> {
  const json = await readJsonFile(file, 'pass the result.json that bench or verify wrote');
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== resultSchemaVersion && version !== 2) {
    throw new ConfigError(
      file,
      `is a result of schemaVersion ${version}; this indexgate reads schemaVersions 2 and ${resultSchemaVersion}: render it with the indexgate version that wrote it`,
    );
  }
  const upgraded = version === 2 ? upgradeFromV2(json as V2Result) : json;
  return parseConfig(resultShape, upgraded, file, 'is not an indexgate result (') as unknown as RunResult;
}

interface V2Phases {
  conversationsQuery: number;
  parallelQueries: number;
  total: number;
  latencyMs: Record<string, unknown>;
  totalSamplesMs?: number[];
}
interface V2Route {
  userClass: string;
  userId?: string;
  memberships?: number;
  before?: V2Phases;
  after: V2Phases;
  [key: string]: unknown;
}
interface V2Result {
  route?: { classes?: V2Route[] };
  routes?: Array<{ id: string; before?: V2Phases; after: V2Phases; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** Version-2 phases (two fixed names) as version 3's (named phases). */
function phasesV3(p: V2Phases): Record<string, unknown> {
  return {
    ...p,
    phases: { conversationsQuery: p.conversationsQuery, parallelQueries: p.parallelQueries },
    totalSamplesMs: p.totalSamplesMs ?? [],
  };
}

/**
 * schemaVersion 2 held the driver route apart (`route`, timed with the patterns, without its
 * commands) and the route models in `routes[]`. Version 3 has one `routes[]`: the driver
 * route becomes its entries (id `driver`, no commands), the route models get a role (the
 * rewrite was measured as a remedy), every Phases its named phases.
 */
export function upgradeFromV2(v2: V2Result): Record<string, unknown> {
  const { route, routes, ...rest } = v2;
  const models = (routes ?? []).map((r) => ({
    ...r,
    file: '(schemaVersion 2)',
    params: {},
    role: r.id === 'prisma-rewrite' ? 'remedy' : 'gated',
    ...(r.before ? { before: phasesV3(r.before) } : {}),
    after: phasesV3(r.after),
  }));
  const driver = (route?.classes ?? []).map((r) => ({
    id: 'driver',
    title: 'an optimised service (driver)',
    file: '(schemaVersion 2)',
    userClass: r.userClass,
    ...(r.userId ? { user: { id: r.userId, memberships: r.memberships ?? 0 } } : {}),
    params: {},
    role: 'gated',
    ...(r.before ? { before: phasesV3(r.before) } : {}),
    after: phasesV3(r.after),
    ...(r.speedup ? { speedup: r.speedup } : {}),
    ...(r.speedupEstimate ? { speedupEstimate: r.speedupEstimate } : {}),
    overLimit: { before: false, after: false, limitMs: 0 },
    commands: [],
    indexesUsed: [],
    indexesUnused: [],
  }));
  // The driver route's checks named no route (`pattern: "route"` alone): they are the driver's.
  const gate = rest.gate as
    | { checks?: Array<Record<string, unknown>>; failures?: Array<Record<string, unknown>>; inconclusive?: Array<Record<string, unknown>> }
    | undefined;
  const named = (list: Array<Record<string, unknown>> | undefined) =>
    list?.map((c) => (c.pattern === 'route' && c.route === undefined ? { ...c, route: 'driver' } : c));
  const upgradedGate = gate
    ? { ...gate, checks: named(gate.checks), failures: named(gate.failures), inconclusive: named(gate.inconclusive) }
    : gate;
  return { ...rest, gate: upgradedGate, schemaVersion: resultSchemaVersion, upgradedFrom: 2, routes: [...models, ...driver] };
}
