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
const speedup = z.object({ ratio: z.number().positive(), ciLow: z.number().positive(), ciHigh: z.number().positive(), method: z.string().min(1) });
const phases = z.object({ conversationsQuery: z.number().nonnegative(), parallelQueries: z.number().nonnegative(), total: z.number().positive() });

export const benchContract = z.object({
  schemaVersion: z.number().int(),
  runId: z.string().min(1),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
  environment: z.object({ mongodVersion: z.string().regex(/^\d+\.\d+\.\d+/), topology: z.enum(['standalone', 'replicaSet', 'sharded']) }),
  dataset: z.object({ scale: z.string(), seed: z.number().int(), counts: z.record(z.string(), z.number().int().positive()), fingerprint: z.string().min(1) }),
  indexes: z.array(z.object({ name: z.string(), collection: z.string(), key: z.record(z.string(), z.number()), status: z.enum(['created', 'present', 'equivalent', 'missing', 'conflict']), buildMs: z.number().nonnegative() })).min(1),
  patterns: z.array(z.object({ id: z.string(), collection: z.string(), gated: z.boolean(), before: measurement, after: measurement, speedup: speedup.optional() })).min(1),
  route: z.object({ before: phases, after: phases, speedup: speedup.optional() }),
  gate: z.object({ verdict: z.enum(['pass', 'fail', 'inconclusive']), passed: z.boolean(), failures: z.array(z.object({ check: z.string(), message: z.string().min(1), pattern: z.string().optional(), index: z.string().optional() })) }),
});

export const verifyContract = benchContract.extend({
  patterns: z.array(z.object({ id: z.string(), collection: z.string(), gated: z.boolean(), after: measurement, before: z.undefined().optional(), speedup: z.undefined().optional() })).min(1),
  route: z.object({ after: phases, before: z.undefined().optional(), speedup: z.undefined().optional() }),
  dataset: z.object({ counts: z.record(z.string(), z.number().int().nonnegative()), fingerprint: z.string().min(1) }),
});
