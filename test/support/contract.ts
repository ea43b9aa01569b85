import { z } from 'zod';

/** The result JSON fields ../shared/contract.md names, with their types: what users' scripts rely on. */
const latency = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), mean: z.number(), samples: z.number().int().positive() });
const measurement = z.object({
  stages: z.array(z.string()).min(1),
  indexName: z.string().nullable(),
  totalKeysExamined: z.number().int().nonnegative(),
  totalDocsExamined: z.number().int().nonnegative(),
  nReturned: z.number().int().nonnegative(),
  latencyMs: latency,
});
/** Present only where an interval was measured (enough samples); `method` names it. */
const speedup = z.object({
  ratio: z.number().positive(),
  ciLow: z.number().positive(),
  ciHigh: z.number().positive(),
  method: z.string().min(1),
});
/** A route's phases (ms, p50): TOTAL always; the driver model's two phases where the route names them. */
const phases = z.object({
  total: z.number().positive(),
  phases: z.record(z.string(), z.number().nonnegative()),
  conversationsQuery: z.number().nonnegative().optional(),
  parallelQueries: z.number().nonnegative().optional(),
});
const command = z.object({
  step: z.string().min(1),
  collection: z.string().min(1),
  command: z.string().min(1),
  shape: z.unknown(),
  before: measurement.optional(),
  after: measurement,
  returnedDocs: z.number().int().nonnegative(),
  returnedBytes: z.number().int().nonnegative(),
  clientSide: z.object({ describe: z.string(), keptDocs: z.number().int().nonnegative(), ms: z.number().nonnegative() }).optional(),
});
/** schemaVersion 3: every route, built-in or from a file, one entry per user class, the driver model included. */
const route = z.object({
  id: z.string().min(1),
  userClass: z.string().min(1),
  before: phases.optional(),
  after: phases,
  speedup: speedup.optional(),
  commands: z.array(command).min(1),
  indexesUsed: z.array(z.string()),
  indexesUnused: z.array(z.string()),
});

export const benchContract = z.object({
  schemaVersion: z.literal(3),
  runId: z.string().min(1),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
  environment: z.object({ mongodVersion: z.string().regex(/^\d+\.\d+\.\d+/), topology: z.enum(['standalone', 'replicaSet', 'sharded']) }),
  dataset: z.object({
    scale: z.string(),
    seed: z.number().int(),
    counts: z.record(z.string(), z.number().int().positive()),
    fingerprint: z.string().min(1),
  }),
  indexes: z
    .array(
      z.object({
        name: z.string(),
        collection: z.string(),
        key: z.record(z.string(), z.number()),
        status: z.enum(['created', 'present', 'equivalent', 'missing', 'conflict', 'stale']),
        buildMs: z.number().nonnegative(),
      }),
    )
    .min(1),
  patterns: z
    .array(
      z.object({
        id: z.string(),
        collection: z.string(),
        gated: z.boolean(),
        before: measurement,
        after: measurement,
        speedup: speedup.optional(),
      }),
    )
    .min(1),
  routes: z.array(route).min(1),
  gate: z.object({
    verdict: z.enum(['pass', 'fail', 'inconclusive']),
    passed: z.boolean(),
    failures: z.array(
      z.object({ check: z.string(), message: z.string().min(1), pattern: z.string().optional(), index: z.string().optional() }),
    ),
  }),
});

export const verifyContract = benchContract.extend({
  patterns: z
    .array(
      z.object({
        id: z.string(),
        collection: z.string(),
        gated: z.boolean(),
        after: measurement,
        before: z.undefined().optional(),
        speedup: z.undefined().optional(),
      }),
    )
    .min(1),
  routes: z
    .array(
      route.extend({
        before: z.undefined().optional(),
        speedup: z.undefined().optional(),
        commands: z.array(command.extend({ before: z.undefined().optional() })).min(1),
      }),
    )
    .min(1),
  dataset: z.object({ counts: z.record(z.string(), z.number().int().nonnegative()), fingerprint: z.string().min(1) }),
});
