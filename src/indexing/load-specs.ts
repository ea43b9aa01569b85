import { z } from 'zod';
import type { IndexSpec } from '../workload.js';
import { parseConfig, readJsonFile } from '../config-file.js';

const specSchema = (collections: readonly string[] | 'any') =>
  z
    .object({
      name: z.string().min(1).max(127),
      collection: z.string().refine((c) => collections === 'any' || collections.includes(c), {
        message: `not a collection of the workload (${collections === 'any' ? '' : collections.join(', ')})`,
      }),
      key: z
        .record(z.string().min(1), z.union([z.literal(1), z.literal(-1)]))
        .refine((k) => Object.keys(k).length > 0, 'a key needs at least one field'),
      unique: z.boolean().optional(),
      priority: z.enum(['P0', 'P1', 'P2']).optional(),
      expectedImpact: z.string().optional(),
      purpose: z.string().optional(),
    })
    .strict();

const specsSchema = (collections: readonly string[] | 'any') =>
  z
    .array(specSchema(collections))
    .min(1)
    .superRefine((specs, ctx) => {
      specs.forEach((s, i) => {
        if (specs.findIndex((o) => o.name === s.name) !== i)
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate index name ${s.name}` });
      });
    });

/**
 * An alternative index set for `bench --indexes <file>`: a JSON array shaped like `indexgate
 * indexes list --json`, on the workload's `collections` (`any`: an application's own set, which
 * may name a collection its schema no longer has: such an index is stale, and named so).
 */
export async function loadIndexSpecs(file: string, collections: readonly string[] | 'any'): Promise<IndexSpec[]> {
  const json = await readJsonFile(file, 'pass a JSON array shaped like `indexgate indexes list --json`');
  return parseConfig(specsSchema(collections), json, file);
}
