import type { RunResult } from '../result.js';
import { applicationRouteOf } from './route-tables.js';

export type ChecklistState = 'done' | 'failed' | 'undecided' | 'not-checked';

export interface ChecklistItem {
  /** The runbook's own words (its final checklist, in French). */
  readonly item: string;
  readonly state: ChecklistState;
  /** What indexgate measured for it, or why it cannot. */
  readonly evidence: string;
}

/**
 * The runbook's sign-off checklist ("Checklist Finale"), each item ticked or not from
 * what was measured. Items indexgate cannot observe stay unchecked and say so.
 */
export function runbookChecklist(result: RunResult): ChecklistItem[] {
  const checks = result.gate.checks;
  const of = (kind: string, pattern?: string) => checks.filter((c) => c.check === kind && (pattern === undefined || c.pattern === pattern));
  const state = (list: typeof checks): ChecklistState =>
    list.length === 0
      ? 'not-checked'
      : list.some((c) => c.outcome === 'fail')
        ? 'failed'
        : list.some((c) => c.outcome === 'inconclusive')
          ? 'undecided'
          : 'done';

  const indexChecks = of('index');
  const stale = result.indexes.filter((ix) => ix.status === 'stale').length;
  const planChecks = of('plan');
  // The sign-off is about the application's route where one was measured, else about every route measured.
  const gated = result.routes.filter((r) => r.role === 'gated');
  const application = applicationRouteOf(result);
  const judged = gated.some((r) => r.id === application) ? gated.filter((r) => r.id === application) : gated;
  const ids = new Set(judged.map((r) => r.id));
  const budget = checks.filter((c) => c.check === 'budget' && c.route !== undefined && ids.has(c.route));
  const speedup = checks.filter((c) => c.check === 'speedup' && c.pattern === 'route' && c.route !== undefined && ids.has(c.route));
  const counts = of('counts');
  const indexesOk = state([...indexChecks, ...planChecks]);
  const worstP95 = Math.max(...judged.filter((r) => !r.overLimit.after).map((r) => r.after.latencyMs.total.p95));
  const overLimit = judged.some((r) => r.overLimit.after);
  const speedups = judged
    .filter((r) => r.speedup)
    .map((r) => `${r.id} ${r.userClass} ${r.speedup?.ratio}x [${r.speedup?.ciLow}–${r.speedup?.ciHigh}]`);
  const notMeasurable = 'outside what indexgate can observe: tick it by hand';

  return [
    { item: 'Dry-run réussi en staging', state: 'not-checked', evidence: notMeasurable },
    { item: 'Migration réelle réussie en staging', state: 'not-checked', evidence: notMeasurable },
    {
      item: 'Index de performance créés et vérifiés',
      state: indexesOk,
      evidence: `${indexChecks.filter((c) => c.passed).length}/${indexChecks.length} indexes present by key${stale > 0 ? ` (${stale} stale: a field or collection the schema does not have)` : ''}; ${planChecks.filter((c) => c.passed).length}/${planChecks.length} plans use them as intended`,
    },
    {
      item: 'Logs CONVERSATIONS_PERF montrent <1s',
      state: state(budget),
      evidence: overLimit
        ? `${[...ids].join(', ')}: a command did not finish within its limit after the indexes`
        : Number.isFinite(worstP95)
          ? `${[...ids].join(', ')}: TOTAL p95 after the indexes, worst class ${worstP95.toFixed(0)} ms`
          : 'no route timed',
    },
    ...(result.command === 'bench'
      ? [
          {
            item: '10-40x plus rapide (amélioration totale attendue)',
            state: state(speedup),
            evidence: speedups.length > 0 ? `route speedup (95% CI): ${speedups.join('; ')}` : 'no speedup measured',
          },
        ]
      : []),
    {
      item: 'Tous les counts correspondent',
      state: state(counts),
      evidence:
        counts.length > 0
          ? `${counts.filter((c) => c.passed).length}/${counts.length} collections as expected`
          : 'not checked: pass --expect-counts to verify',
    },
    { item: 'Tests manuels passés', state: 'not-checked', evidence: notMeasurable },
    { item: 'Tests automatisés passés', state: 'not-checked', evidence: notMeasurable },
    { item: 'Backup production créé', state: 'not-checked', evidence: notMeasurable },
  ];
}
