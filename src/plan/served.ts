import type { IndexSpec, QueryPattern } from '../workload.js';
import { sameKey } from '../indexing/inspect.js';
import type { Measurement } from './analyze.js';

export type ServedBy = 'set' | 'other-index' | 'id-index' | 'not-served';

export interface Service {
  readonly by: ServedBy;
  readonly index: string | null;
  /** One sentence for the output: which index serves the pattern, or why none does. */
  readonly message: string;
}

/** Says honestly what serves a pattern in a measured state: an index of `set` (the migration's), another, or none. */
export function servedBy(pattern: QueryPattern, m: Measurement, set: readonly IndexSpec[]): Service {
  if (m.collscan || m.indexName === null) {
    const why =
      pattern.note ??
      (pattern.intendedIndexes.length > 0
        ? `its index (${pattern.intendedIndexes.join(', ')}) is missing or not chosen by the planner`
        : 'no index is meant for it');
    return { by: 'not-served', index: null, message: `NOT SERVED: collection scan (${why})` };
  }
  const ofSet = set.find((s) => s.name === m.indexName || (m.indexKey !== null && sameKey(m.indexKey, s.key)));
  if (ofSet) {
    const alias = ofSet.name === m.indexName ? '' : ` (same key as ${ofSet.name})`;
    return { by: 'set', index: m.indexName, message: `served by ${m.indexName}${alias}${m.blockingSort ? ', with a blocking SORT' : ''}` };
  }
  if (m.indexName === '_id_')
    return { by: 'id-index', index: '_id_', message: `served by the _id index${m.blockingSort ? ', with a blocking SORT' : ''}` };
  return {
    by: 'other-index',
    index: m.indexName,
    message: `served by ${m.indexName}, not one of the set${m.blockingSort ? ', with a blocking SORT' : ''}`,
  };
}
