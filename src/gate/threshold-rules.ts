import { z } from 'zod';
import { parseConfig, readJsonFile } from '../config-file.js';
import { userClasses } from '../users/user-classes.js';

const planRule = z
  .object({
    /** Acceptable indexes: by name, or any index with the same key as a named spec. */
    indexes: z.array(z.string().min(1)).min(1).optional(),
    collscan: z.enum(['forbid', 'allow']).default('forbid'),
    /** "forbid", "allow", or allow a blocking SORT of at most `maxSortedDocs` documents. */
    blockingSort: z
      .union([z.enum(['forbid', 'allow']), z.object({ maxSortedDocs: z.number().int().nonnegative() }).strict()])
      .default('forbid'),
    /** Documents examined per document returned (returned counted as at least 1). */
    maxDocsExaminedPerReturned: z.number().positive().optional(),
    /** Minimum speedup of this pattern, judged on the lower bound of its 95% interval. */
    minSpeedup: z.number().positive().optional(),
  })
  .strict();

/** A route step's rule: a plan rule, or `{ gated: false, why }` for a step measured and reported but not judged. */
const stepRule = z.union([planRule, z.object({ gated: z.literal(false), why: z.string().min(1) }).strict()]);

/** A captured shape's own thresholds (by its id in the workload file); each one optional. */
const shapeRule = z
  .object({
    indexes: z.array(z.string().min(1)).min(1).optional(),
    collscan: z.enum(['forbid', 'allow']).optional(),
    blockingSort: z.union([z.enum(['forbid', 'allow']), z.object({ maxSortedDocs: z.number().int().nonnegative() }).strict()]).optional(),
    maxDocsExaminedPerReturned: z.number().positive().optional(),
    /** Minimum speedup of the shape (before/after the set), judged on its interval. */
    minSpeedup: z.number().positive().optional(),
    /** Latency budget of one execution of the shape after the set. */
    afterBudgetMs: z.object({ p50: z.number().positive().optional(), p90: z.number().positive().optional() }).strict().optional(),
  })
  .strict();

/**
 * What a replayed workload must meet: every shape, no collection scan of a collection over
 * `collscanMinDocs` documents and no blocking sort of more than `maxSortedDocs`; the shapes
 * named in `shapes` also their own rules.
 */
const workloadRules = z
  .object({
    collscanMinDocs: z.number().int().nonnegative().default(1000),
    maxSortedDocs: z.number().int().nonnegative().default(1000),
    shapes: z.record(z.string(), shapeRule).default({}),
  })
  .strict();

const thresholdsObject = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    patterns: z.record(z.string(), planRule),
    route: z
      .object({
        userClasses: z
          .array(z.enum(userClasses))
          .min(1)
          .default([...userClasses]),
        /** Minimum route speedup (before/after total), judged on the lower bound of its 95% interval. */
        minSpeedup: z.number().positive().optional(),
        /** Latency budget for the route after the indexes. */
        afterBudgetMs: z
          .object({
            p50: z.number().positive().optional(),
            p90: z.number().positive().optional(),
            p95: z.number().positive().optional(),
            p99: z.number().positive().optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    /**
     * Per route (`routes[].id`), rules for its steps by name. A step with no rule here takes the
     * query pattern's rule of the same name (`patterns`), else the rule every route command meets.
     */
    routes: z.record(z.string(), z.object({ steps: z.record(z.string(), stepRule).default({}) }).strict()).optional(),
    workload: workloadRules.optional(),
    /** The application's writes (bench's write routes): the slowdown the set may cost each, judged on its interval. */
    writes: z
      .object({ maxSlowdown: z.number().min(1) })
      .strict()
      .optional(),
  })
  .strict();

/** The thresholds of a workload whose query patterns are `patternIds`: a rule for another id is a mistake. */
export const thresholdsSchema = (patternIds: readonly string[]) =>
  thresholdsObject.superRefine((value, ctx) => {
    for (const id of Object.keys(value.patterns)) {
      if (!patternIds.includes(id)) {
        ctx.addIssue({ code: 'custom', path: ['patterns', id], message: `unknown pattern id (known: ${patternIds.join(', ')})` });
      }
    }
  });

export type Thresholds = z.infer<typeof thresholdsObject>;
export type PlanRule = z.infer<typeof planRule>;
export type StepRule = z.infer<typeof stepRule>;
export type WorkloadRules = z.infer<typeof workloadRules>;
export type ShapeRule = z.infer<typeof shapeRule>;
export const defaultWorkloadRules: WorkloadRules = workloadRules.parse({});

export interface LoadedThresholds {
  readonly source: string;
  readonly values: Thresholds;
}

/** Reads and validates a thresholds file; every problem is a ConfigError naming the file and the JSON path. */
export async function loadThresholds(file: string, patternIds: readonly string[]): Promise<LoadedThresholds> {
  const json = await readJsonFile(file, 'pass an existing thresholds file to --thresholds');
  return { source: file, values: parseThresholds(json, file, patternIds) };
}

export function parseThresholds(json: unknown, file: string, patternIds: readonly string[]): Thresholds {
  return parseConfig(thresholdsSchema(patternIds), json, file);
}
