import { prismaIndexes } from './prisma.js';
import { remedyIndexes } from './remedies.js';
import { runbookIndexes } from './runbook.js';
import type { IndexSpec } from '../src/workload.js';

/**
 * Every index set the workload knows, in one place: the runbook's six (what the migration
 * creates), the Prisma schema's (a baseline), and the remedies bench measures for the
 * application's route. `indexes list --set` lists them; the gate recognises their names.
 */
export const indexSets = { six: runbookIndexes, prisma: prismaIndexes, remedies: remedyIndexes } as const satisfies Record<
  string,
  readonly IndexSpec[]
>;

/** The state a dataset starts in, before the six: which indexes exist besides `_id`. */
export const baselineIndexes = { bare: [], prisma: prismaIndexes } as const satisfies Record<string, readonly IndexSpec[]>;
