import type { PatternResult, RouteResult } from '../result.js';
import { dominantCommand } from '../report/route-tables.js';
import type { IndexOutcome } from '../indexing/apply.js';
import type { Environment } from '../mongo/environment.js';

/**
 * What a reader must know to judge the figures, in plain sentences: where the time goes
 * after the indexes, which patterns the six do not serve, and what the machine adds.
 */
export function runNotes(input: {
  /** bench compares before and after the indexes; verify looks at the database as it is. */
  command?: 'bench' | 'verify';
  environment: Environment;
  patterns: readonly PatternResult[];
  routes: readonly RouteResult[];
  indexes?: readonly IndexOutcome[];
  /** The time budget stopped the fixed sampling plan before it was complete. */
  capped?: boolean;
  rounds?: number;
  plannedRounds?: number;
}): string[] {
  const notes: string[] = [];
  const state = input.command === 'verify' ? 'on this database' : 'after the indexes';
  if (input.environment.underWine) {
    notes.push(
      'mongod ran under Wine (the offline fallback): each round trip carries about 1.3 ms more than natively, and concurrent collection scans contend more, so absolute latencies are pessimistic; keys and documents examined are exact.',
    );
  }
  for (const pattern of uniqueById(input.patterns.filter((p) => !p.gated && p.note))) {
    const after = pattern.after;
    const how = after.collscan ? `a COLLSCAN ${state}` : `served by ${after.indexName ?? 'no index'}`;
    notes.push(`${pattern.id} is not gated: ${pattern.note}; here it is ${how}.`);
  }
  for (const route of input.routes) {
    if (route.overLimit.after || !(route.after.total > 0)) continue;
    const dominant = dominantCommand(route);
    if (dominant) {
      const share = Math.round((100 * dominant.ms) / route.after.total);
      if (share >= 40) {
        notes.push(
          `route ${route.id} (${route.userClass}): ${state}, its slowest command is ${dominant.step} (p50 ${dominant.ms.toFixed(0)} ms, for a route TOTAL p50 of ${route.after.total.toFixed(0)} ms): it bounds what the indexes can give.`,
        );
      }
    }
  }
  const overheads = [...new Set(input.routes.map((r) => r.id))].flatMap((id) => {
    const ms = input.routes.filter((r) => r.id === id).map((r) => r.overheadMs?.after ?? 0);
    const worst = Math.max(0, ...ms);
    return worst >= 1 ? [`${id} up to ${worst.toFixed(worst >= 10 ? 0 : 1)} ms`] : [];
  });
  if (overheads.length > 0) {
    notes.push(
      `indexgate's own work per route call (rendering Prisma calls, shaping their results), timed apart and never counted in a route's phases or TOTAL (p50): ${overheads.join(', ')}.`,
    );
  }
  for (const index of input.indexes ?? []) {
    if (index.status !== 'created') continue;
    const users = input.patterns.filter((p) => p.after.indexesUsed.includes(index.name));
    if (users.length === 0) {
      const meant = input.patterns.find((p) => p.intendedIndexes.includes(index.name));
      const instead = meant ? ` (${meant.id} uses ${meant.after.indexName ?? 'no index'})` : '';
      notes.push(`${index.name} was built but no measured plan uses it${instead}: it adds nothing over the indexes already there.`);
    }
  }
  if (input.capped) {
    notes.push(
      `the time budget stopped the sampling plan after ${input.rounds ?? 0} of ${input.plannedRounds ?? '?'} round(s): checks that needed the missing samples are inconclusive, not passed or failed (raise --budget-seconds).`,
    );
  }
  return notes;
}

function uniqueById(patterns: readonly PatternResult[]): PatternResult[] {
  const seen = new Set<string>();
  return patterns.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
