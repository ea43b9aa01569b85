import { BSON, type Document } from 'mongodb';

const { EJSON } = BSON;
import { z } from 'zod';
import { parseConfig, readJsonFile } from '../config-file.js';
import { ConfigError } from '../errors.js';
import { median } from '../timing/stats.js';
import { readCommands, replayable, shapeOfCommand, truncated as isTruncated, writes } from './shape.js';
import type { CaptureReading } from './sources.js';

/**
 * A captured workload (the contract's file): per shape, its collection, command, how many
 * times it arrived, its recorded time (total and p50) and plan, and a few real parameter
 * sets (whole commands, exact BSON types kept as canonical Extended JSON) to replay.
 */
export const workloadSchemaVersion = 1;

const paramsSchema = z.object({ command: z.record(z.string(), z.unknown()), recordedMs: z.number().nonnegative() }).strict();

const shapeSchema = z
  .object({
    id: z.string().min(1),
    collection: z.string().min(1),
    command: z.enum(readCommands),
    shape: z.record(z.string(), z.unknown()),
    count: z.number().int().nonnegative(),
    getMores: z.number().int().nonnegative().default(0),
    recorded: z
      .object({
        p50Ms: z.number().nonnegative(),
        totalMs: z.number().nonnegative(),
        planSummary: z.string().nullable(),
        planSummaries: z.record(z.string(), z.number()).optional(),
        docsExamined: z.number().nonnegative().nullable().optional(),
        keysExamined: z.number().nonnegative().nullable().optional(),
        nreturned: z.number().nonnegative().nullable().optional(),
      })
      .strict(),
    params: z.array(paramsSchema),
    /** Why it cannot be replayed (a command the server truncated when recording it). */
    unreplayable: z.string().optional(),
  })
  .strict();

export const workloadFileSchema = z
  .object({
    schemaVersion: z.literal(workloadSchemaVersion),
    name: z
      .string()
      .min(1)
      .regex(/^[\w.-]+$/, 'letters, digits, ".", "_" or "-"'),
    source: z
      .object({
        kind: z.enum(['profile', 'log']),
        from: z.string(),
        database: z.string().nullable(),
        entries: z.number().int(),
        skipped: z.record(z.string(), z.number()),
      })
      .strict(),
    capturedAt: z.string(),
    shapes: z.array(shapeSchema),
  })
  .strict();

export type WorkloadFile = z.infer<typeof workloadFileSchema>;
export type WorkloadShape = z.infer<typeof shapeSchema>;

export interface BuildWorkloadOptions {
  name: string;
  source: { kind: 'profile' | 'log'; from: string; database: string | null };
  /** Real parameter sets kept per shape (the most recent distinct ones). */
  paramsPerShape: number;
  capturedAt?: Date;
}

interface Group {
  key: ReturnType<typeof shapeOfCommand>;
  count: number;
  getMores: number;
  times: number[];
  totalMs: number;
  plans: Map<string, number>;
  docs: number | null;
  keys: number | null;
  returned: number | null;
  params: Map<string, { command: Document; recordedMs: number }>;
  truncated: boolean;
}

const addTo = (a: number | null, b: number | undefined): number | null => (a === null || b === undefined ? null : a + b);

/**
 * Groups the captured reads by shape. A getMore adds its time and work to the read that
 * opened its cursor (the application waits for both); counts and p50 are of the opening
 * commands. Shapes are ordered by recorded total time, dearest first.
 */
export function buildWorkload(reading: CaptureReading, options: BuildWorkloadOptions): WorkloadFile {
  const groups = new Map<string, Group>();
  const skipped = { ...reading.skipped };
  for (const op of reading.operations) {
    if (writes(op.command)) {
      skipped['aggregate with $out or $merge (a write)'] = (skipped['aggregate with $out or $merge (a write)'] ?? 0) + 1;
      continue;
    }
    const key = shapeOfCommand(op.command);
    let group = groups.get(key.id);
    if (!group) {
      group = {
        key,
        count: 0,
        getMores: 0,
        times: [],
        totalMs: 0,
        plans: new Map(),
        docs: 0,
        keys: 0,
        returned: 0,
        params: new Map(),
        truncated: false,
      };
      groups.set(key.id, group);
    }
    group.totalMs += op.millis;
    group.docs = addTo(group.docs, op.docsExamined);
    group.keys = addTo(group.keys, op.keysExamined);
    group.returned = addTo(group.returned, op.nreturned);
    if (op.getMore) {
      group.getMores++;
    } else {
      group.count++;
      group.times.push(op.millis);
      if (op.planSummary) group.plans.set(op.planSummary, (group.plans.get(op.planSummary) ?? 0) + 1);
    }
    if (op.truncated || isTruncated(op.command)) {
      group.truncated = true;
      continue;
    }
    // The most recent distinct parameter sets: a later call with the same values replaces the earlier.
    const command = replayable(op.command);
    const text = EJSON.stringify(command, { relaxed: false });
    group.params.delete(text);
    group.params.set(text, { command, recordedMs: op.millis });
    while (group.params.size > options.paramsPerShape) group.params.delete(group.params.keys().next().value as string);
  }
  const shapes = [...groups.values()]
    .map((g): WorkloadShape => {
      const planSummary = [...g.plans.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
      return {
        id: g.key.id,
        collection: g.key.collection,
        command: g.key.command,
        shape: g.key.shape,
        // A cursor seen only by its getMores (its opening command was under slowms) still ran once.
        count: Math.max(g.count, g.getMores > 0 ? 1 : 0),
        getMores: g.getMores,
        recorded: {
          p50Ms: g.times.length > 0 ? median(g.times) : 0,
          totalMs: g.totalMs,
          planSummary,
          planSummaries: Object.fromEntries(g.plans),
          docsExamined: g.docs,
          keysExamined: g.keys,
          nreturned: g.returned,
        },
        params: [...g.params.values()]
          .reverse()
          .map((p) => ({ command: EJSON.serialize(p.command, { relaxed: false }) as Record<string, unknown>, recordedMs: p.recordedMs })),
        ...(g.truncated && g.params.size === 0
          ? {
              unreplayable:
                'the server truncated every recorded command of this shape (over its log size limit): raise maxLogSizeKB or capture from system.profile',
            }
          : {}),
      };
    })
    .sort((a, b) => b.recorded.totalMs - a.recorded.totalMs || a.id.localeCompare(b.id));
  return {
    schemaVersion: workloadSchemaVersion,
    name: options.name,
    source: { ...options.source, entries: reading.entries, skipped },
    capturedAt: (options.capturedAt ?? new Date()).toISOString(),
    shapes,
  };
}

/** A parameter set as a command to send: canonical Extended JSON back to BSON types. */
export function paramsCommand(params: WorkloadShape['params'][number]): Document {
  return EJSON.deserialize(params.command, { relaxed: false });
}

/** Reads and validates a workload file; a file with no replayable shape is refused (exit 2). */
export async function loadWorkload(file: string): Promise<WorkloadFile> {
  const json = await readJsonFile(file, 'write one with `indexgate capture`');
  const workload = parseConfig(workloadFileSchema, json, file, 'is not an indexgate workload (');
  for (const shape of workload.shapes) {
    for (const [i, p] of shape.params.entries()) {
      const command = p.command;
      if (Object.keys(command)[0] !== shape.command || command[shape.command] !== shape.collection) {
        throw new ConfigError(file, `shapes.${shape.id}.params.${i}: the command is not a ${shape.command} on ${shape.collection}`);
      }
      // Replay must stay read-only (verify runs it against staging): a pipeline that writes is refused.
      if (writes(command))
        throw new ConfigError(file, `shapes.${shape.id}.params.${i}: the pipeline writes ($out or $merge); a workload holds reads only`);
    }
  }
  if (!workload.shapes.some((s) => s.params.length > 0))
    throw new ConfigError(file, 'holds no shape with a parameter set to replay; capture again with the profiler on');
  return workload;
}
