import type { RunResult } from '../result.js';
import { type ReportTable, reportModel } from './model.js';
import { profileFitLine, table, wallTime } from './tables.js';

/** The terminal summary of a bench or verify run: verdict first, then route, patterns, indexes. */
export function renderRunSummary(result: RunResult, files: readonly string[] = [], options: { verbose?: boolean } = {}): string {
  const parts: string[] = [];
  const d = result.dataset;
  const e = result.environment;
  parts.push(
    `indexgate ${result.command} ${result.runId}: ${d.origin === 'indexgate' ? `scale ${d.scale}, seed ${d.seed}, baseline ${d.baseline}` : `database fingerprint ${d.fingerprint}`}; ` +
      `mongod ${e.mongodVersion} ${e.topology}${e.underWine ? ' (under Wine)' : ''} on ${e.target}`,
  );
  if (d.profile) parts[0] += `\nData ${profileFitLine(d.profile)}`;
  parts.push(verdict(result));
  // Top-down, as a reviewer reads: the answer, the routes against the budget, the remedy and the command that gates it,
  // the failures grouped by command and check; then the details.
  const m = reportModel(result);
  if (m.answer) parts.push(`Answer: ${m.answer}`);
  if (m.routes) parts.push(dress(m.routes));
  if (m.remedies) parts.push(dress(m.remedies));
  if (m.gateCommand) parts.push(`Gate the remedy as the migration to ship:\n  ${m.gateCommand}`);
  if (m.failures) parts.push(dress(m.failures));
  if (m.unusedIndexes.length > 0)
    parts.push(['Indexes of the set no command of a route used:', ...m.unusedIndexes.map((l) => `- ${l}`)].join('\n'));
  for (const t of [...m.commands, ...m.workloads]) parts.push(dress(t));
  for (const t of [
    m.phases,
    m.patterns,
    m.indexes,
    ...(m.writeAttribution ? [m.writeAttribution] : []),
    ...(m.duringBuild ? [m.duringBuild] : []),
    ...(m.writes ? [m.writes] : []),
  ])
    parts.push(dress(t));
  if (m.history) parts.push(dress(m.history));
  if (result.notes.length > 0) parts.push(['Notes:', ...result.notes.map((n) => `- ${n}`)].join('\n'));
  if (options.verbose && result.routeTimings && result.routeTimings.length > 0) parts.push(routeTimeTable(result.routeTimings));
  parts.push(`Wall time: ${wallTime(result.timings)}${result.timings.report !== undefined ? `, report ${result.timings.report} ms` : ''}`);
  if (files.length > 0) parts.push(`Reports: ${files.join(', ')}`);
  return parts.join('\n\n');
}

/** The verdict's one line (the failures follow, grouped, after the answer and the routes). */
export function verdict(result: RunResult): string {
  const { gate } = result;
  const accepted = gate.accepted?.length ? `; ${gate.accepted.length} known failure(s) accepted, reported below` : '';
  if (gate.verdict === 'pass') return `VERDICT: PASS (${gate.checks.length} checks${accepted})`;
  const head =
    gate.verdict === 'fail'
      ? `VERDICT: FAIL (${gate.failures.length} of ${gate.checks.length} checks failed${gate.inconclusive.length > 0 ? `, ${gate.inconclusive.length} inconclusive` : ''})`
      : `VERDICT: INCONCLUSIVE (nothing failed; ${gate.inconclusive.length} of ${gate.checks.length} checks could not be decided by the samples this run could take)`;
  return head;
}

/** A model table for the terminal: its title, then the grid. */
function dress(t: ReportTable): string {
  return `${t.title}\n${table(
    [...t.head],
    t.rows.map((r) => r.map((c) => c.text)),
  )}`;
}

/** `--verbose`: where the routes stage spent its wall time, part by part (seconds). */
function routeTimeTable(parts: NonNullable<RunResult['routeTimings']>): string {
  const sec = (ms: number | undefined) => (ms === undefined || ms === 0 ? '–' : (ms / 1000).toFixed(1));
  const rows = parts.map((p) => [
    p.route,
    p.part,
    sec(p.totalMs),
    sec(p.spent.timedCalls),
    sec(p.spent.capture),
    sec(p.spent.overLimitCalls),
    sec(p.spent.explains),
    sec(p.spent.probes),
    sec(p.buildMs),
  ]);
  const total = parts.reduce((n, p) => n + p.totalMs + (p.buildMs ?? 0), 0);
  return `Where the routes' time went (s; ${sec(total)} s in all)\n${table(
    ['route', 'part', 'total', 'timed calls', 'first call', 'over-limit calls', 'explains', 'probes', 'index builds'],
    rows,
  )}`;
}
