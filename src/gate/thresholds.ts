import { join } from 'node:path';
import { z } from 'zod';
import { patternIds } from '../../bench/patterns.js';
import { parseConfig, readJsonFile } from '../config-file.js';
import { userClasses } from '../users/user-classes.js';
import { packageRoot } from '../version.js';

export const defaultThresholdsFile = join(packageRoot, 'bench', 'thresholds.json');

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

export const thresholdsSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    patterns: z.record(z.string(), planRule),
    route: z
      .object({
        userClasses: z.array(z.enum(userClasses)).min(1).default([...userClasses]),
        /** Minimum route speedup (before/after total), judged on the lower bound of its 95% interval. */
        minSpeedup: z.number().positive().optional(),
        /** Latency budget for the route after the indexes. */
        afterBudgetMs: z
          .object({ p50: z.number().positive().optional(), p90: z.number().positive().optional(), p95: z.number().positive().optional(), p99: z.number().positive().optional() })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((value, ctx) => {
    for (const id of Object.keys(value.patterns)) {
      if (!(patternIds as readonly string[]).includes(id)) {
        ctx.addIssue({ code: 'custom', path: ['patterns', id], message: `unknown pattern id (known: ${patternIds.join(', ')})` });
      }
    }
  });

export type Thresholds = z.infer<typeof thresholdsSchema>;
export type PlanRule = z.infer<typeof planRule>;

export interface LoadedThresholds {
  readonly source: string;
  readonly values: Thresholds;
}

/** Reads and validates a thresholds file; every problem is a ConfigError naming the file and the JSON path. */
export async function loadThresholds(file: string = defaultThresholdsFile): Promise<LoadedThresholds> {
  const json = await readJsonFile(file, 'pass an existing thresholds file to --thresholds');
  return { source: file, values: parseThresholds(json, file) };
}

export function parseThresholds(json: unknown, file: string): Thresholds {
  return parseConfig(thresholdsSchema, json, file);
}
