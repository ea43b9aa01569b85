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

/**
 * Runs `fn` with these indexes hidden (collMod `hidden: true`: the planner ignores them, MongoDB
 * still maintains them), and unhides each one it hid afterwards, whatever `fn` did. Only for a
 * server the run may change (bench's own target), never verify's.
 */
export async function withIndexesHidden<T>(
  db: Db,
  indexes: readonly { readonly collection: string; readonly name: string }[],
  fn: () => Promise<T>,
): Promise<T> {
  const hidden: { collection: string; name: string }[] = [];
  try {
    for (const { collection, name } of indexes) {
      await db.command({ collMod: collection, index: { name, hidden: true } });
      hidden.push({ collection, name });
    }
    return await fn();
  } finally {
    for (const { collection, name } of hidden.reverse()) await db.command({ collMod: collection, index: { name, hidden: false } });
  }
}
