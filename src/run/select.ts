import { patterns as allPatterns, type QueryPattern } from '../../bench/patterns.js';
import { UsageError } from '../errors.js';

/** Validates the pattern ids given with --pattern; all patterns when none. */
export function selectPatterns(ids: readonly string[] | undefined): QueryPattern[] {
  if (!ids || ids.length === 0) return [...allPatterns];
  const known = new Map(allPatterns.map((p) => [p.id as string, p as QueryPattern]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`--pattern ${unknown.join(', ')}: unknown pattern id; known: ${[...known.keys()].join(', ')}`);
  return [...new Set(ids)].map((id) => known.get(id) as QueryPattern);
}

