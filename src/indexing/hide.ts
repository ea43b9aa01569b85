import type { Db } from 'mongodb';
import type { IndexOutcome } from './apply.js';

/**
 * Hides or unhides the indexes a run created (collMod), so that "before" and "after"
 * rounds can alternate without dropping and rebuilding: the planner ignores a hidden
 * index, and hiding clears the collection's plan cache. Only indexes with status
 * `created` are touched: what existed before the run is part of the "before" state.
 */
export async function setCreatedIndexesHidden(db: Db, outcomes: readonly IndexOutcome[], hidden: boolean): Promise<void> {
  for (const outcome of outcomes) {
    if (outcome.status !== 'created') continue;
    await db.command({ collMod: outcome.collection, index: { name: outcome.name, hidden } });
  }
}
