import type { QueryPattern } from '../../bench/patterns.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { sameKey } from '../indexes/inspect.js';
import type { Measurement } from '../result.js';

export type ServedBy = 'six' | 'other-index' | 'id-index' | 'not-served';

export interface Service {
  readonly by: ServedBy;
  readonly index: string | null;
  /** One sentence for the output: which index serves the pattern, or why none does. */
  readonly message: string;
}

/** Says honestly what serves a pattern in a measured state. */
export function servedBy(pattern: QueryPattern, m: Measurement): Service {
  if (m.collscan || m.indexName === null) {
    const why = pattern.note ?? (pattern.intendedIndexes.length > 0 ? `its index (${pattern.intendedIndexes.join(', ')}) is missing or not chosen by the planner` : 'no index is meant for it');
    return { by: 'not-served', index: null, message: `NOT SERVED: collection scan (${why})` };
  }
  const six = runbookIndexes.find((s) => s.name === m.indexName || (m.indexKey !== null && sameKey(m.indexKey, s.key)));
  if (six) {
    const alias = six.name === m.indexName ? '' : ` (same key as ${six.name})`;
    return { by: 'six', index: m.indexName, message: `served by ${m.indexName}${alias}${m.blockingSort ? ', with a blocking SORT' : ''}` };
  }
  if (m.indexName === '_id_') return { by: 'id-index', index: '_id_', message: `served by the _id index${m.blockingSort ? ', with a blocking SORT' : ''}` };
  return { by: 'other-index', index: m.indexName, message: `served by ${m.indexName}, not one of the six${m.blockingSort ? ', with a blocking SORT' : ''}` };
}
