import { UsageError } from '../errors.js';
import type { QueryPattern } from '../workload.js';

/** Validates the pattern ids given with --pattern against the workload's; all patterns when none. */
export function selectPatterns(allPatterns: readonly QueryPattern[], ids: readonly string[] | undefined): QueryPattern[] {
  if (!ids || ids.length === 0) return [...allPatterns];
  const known = new Map(allPatterns.map((p) => [p.id as string, p as QueryPattern]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new UsageError(`--pattern ${unknown.join(', ')}: unknown pattern id; known: ${[...known.keys()].join(', ')}`);
  return [...new Set(ids)].map((id) => known.get(id) as QueryPattern);
}
