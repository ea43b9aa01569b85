import { z } from 'zod';
import { parseConfig, readJsonFile } from '../config-file.js';
import type { CountExpectation } from './evaluate.js';

const count = z.number().int().nonnegative();

/**
 * `--expect-counts <file>`: the document counts the migration should have produced (the
 * runbook's step 6), exact or within a tolerance:
 *   { "tolerance": 0.001, "counts": { "User": 25000, "Message": { "expected": 1000000, "tolerance": 0.01 } } }
 */
export const expectedCountsSchema = (collections: readonly string[]) =>
  z
    .object({
      /** Relative tolerance for every collection (0 = exact). */
      tolerance: z.number().min(0).max(1).default(0),
      counts: z
        .record(z.string(), z.union([count, z.object({ expected: count, tolerance: z.number().min(0).max(1).optional() }).strict()]))
        .refine((c) => Object.keys(c).length > 0, 'name at least one collection'),
    })
    .strict()
    .superRefine((value, ctx) => {
      for (const name of Object.keys(value.counts)) {
        if (!collections.includes(name)) {
          ctx.addIssue({ code: 'custom', path: ['counts', name], message: `unknown collection (known: ${collections.join(', ')})` });
        }
      }
    });

export type ExpectedCounts = z.infer<ReturnType<typeof expectedCountsSchema>>;

/** Reads `--expect-counts`: every collection it names must be one of `collections` (the workload's). */
export async function loadExpectedCounts(file: string, collections: readonly string[]): Promise<ExpectedCounts> {
  const json = await readJsonFile(file, 'pass a JSON file like {"counts": {"User": 25000}}');
  return parseConfig(expectedCountsSchema(collections), json, file);
}

export function countExpectations(expected: ExpectedCounts, actual: Readonly<Record<string, number>>): CountExpectation[] {
  return Object.entries(expected.counts).map(([collection, spec]) => {
    const { expected: n, tolerance } = typeof spec === 'number' ? { expected: spec, tolerance: undefined } : spec;
    return { collection, expected: n, actual: actual[collection] ?? 0, tolerance: tolerance ?? expected.tolerance };
  });
}
