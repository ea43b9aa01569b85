import type { PatternResult, RouteClassResult, RunResult } from '../result.js';
import type { Speedup, SpeedupEstimate } from '../timing/stats.js';
import { commandRows, remedyRows, routeRows, signOffAnswer, unusedIndexLines } from './routes.js';
import { formatMs, formatNumber, table } from './tables.js';

/** The terminal summary of a bench or verify run: verdict first, then route, patterns, indexes. */
export function renderRunSummary(result: RunResult, files: readonly string[] = []): string {
  const parts: string[] = [];
  const d = result.dataset;
  const e = result.environment;
  parts.push(
    `indexgate ${result.command} ${result.runId}: ${d.origin === 'indexgate' ? `scale ${d.scale}, seed ${d.seed}, baseline ${d.baseline}` : `database fingerprint ${d.fingerprint}`}; ` +
      `mongod ${e.mongodVersion} ${e.topology}${e.underWine ? ' (under Wine)' : ''} on ${e.target}`,
  );
  parts.push(verdict(result));
  const answer = signOffAnswer(result);
  if (answer) parts.push(`Answer: ${answer}`);
  if (result.routes && result.routes.length > 0) parts.push(routesSection(result));
  parts.push(routeTable(result.route.classes, result.command === 'bench'));
  parts.push(patternTable(result.patterns, result.command === 'bench'));
  parts.push(
    table(
      ['index', 'collection', 'priority', 'status', 'build'],
      result.indexes.map((ix) => [ix.name, ix.collection, ix.priority ?? '', ix.status + (ix.status === 'equivalent' && ix.existingName ? ` (${ix.existingName})` : ''), ix.buildMs > 0 ? formatMs(ix.buildMs) : '–']),
    ),
  );
  if (result.notes.length > 0) parts.push(['Notes:', ...result.notes.map((n) => `- ${n}`)].join('\n'));
  parts.push(`Wall time: ${Object.entries(result.timings).map(([k, v]) => `${k} ${formatMs(v)}`).join(', ')}`);
  if (files.length > 0) parts.push(`Reports: ${files.join(', ')}`);
  return parts.join('\n\n');
}

export function verdict(result: RunResult): string {
  const { gate } = result;
  if (gate.verdict === 'pass') return `VERDICT: PASS (${gate.checks.length} checks)`;
  const listed = [...gate.failures.map((f) => `  ✗ ${f.check}: ${f.message}`), ...gate.inconclusive.map((f) => `  ? ${f.check}: ${f.message}`)];
  const lines = listed.slice(0, 15);
  const more = listed.length > 15 ? [`  … and ${listed.length - 15} more (see result.json)`] : [];
  const head =
    gate.verdict === 'fail'
      ? `VERDICT: FAIL (${gate.failures.length} of ${gate.checks.length} checks failed${gate.inconclusive.length > 0 ? `, ${gate.inconclusive.length} inconclusive` : ''})`
      : `VERDICT: INCONCLUSIVE (nothing failed; ${gate.inconclusive.length} of ${gate.checks.length} checks could not be decided by the samples this run could take)`;
  return [head, ...lines, ...more].join('\n');
}

/** "16.4x [14.2x–18.9x]" where an interval was measured; "≈1.06x (no CI: 1 sample)" where only a point estimate exists. */
export function formatSpeedup(r: { speedup?: Speedup; speedupEstimate?: SpeedupEstimate }): string {
  const s = r.speedup;
  if (s) return `${formatRatio(s.ratio)} [${formatRatio(s.ciLow)}–${formatRatio(s.ciHigh)}]`;
  const e = r.speedupEstimate;
  if (e?.ratio === undefined) return '–';
  return `≈${formatRatio(e.ratio)} (no CI: ${e.beforeSamples} before sample${e.beforeSamples === 1 ? '' : 's'})`;
}

function formatRatio(x: number): string {
  return x >= 100 ? `${Math.round(x)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`;
}

function routesSection(result: RunResult): string {
  const routes = table(
    ['route', 'class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]', 'checks'],
    routeRows(result).map((r) => [r.route, r.userClass, r.before, r.after, r.speedup, r.verdict]),
  );
  const app = (result.routes ?? []).filter((r) => r.id === 'prisma');
  const commands =
    app.length > 0
      ? `\n\nThe application's commands after the indexes (prisma)\n${table(
          ['class', 'command', 'plan', 'docs examined', 'returned to the client', 'kept'],
          commandRows(app).map((c) => [c.userClass, c.step, c.plan, c.docsExamined, c.returned, c.kept]),
        )}`
      : '';
  const limitMs = app[0]?.overLimit.limitMs ?? 10_000;
  const remedies =
    result.remedies && result.remedies.length > 0
      ? `\n\nRemedies, measured (before = the application after the six; after = with the remedy)\n${table(
          ['remedy', 'kind', 'class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]'],
          remedyRows(result.remedies, limitMs).map((r) => [r.remedy, r.kind, r.userClass, r.before, r.after, r.speedup]),
        )}`
      : '';
  const unused = unusedIndexLines(result.routes ?? []);
  const unusedText = unused.length > 0 ? `\n\nIndexes of the set no command of a route used:\n${unused.map((l) => `- ${l}`).join('\n')}` : '';
  return `Routes (the application's as it runs, and the driver model)\n${routes}${unusedText}${commands}${remedies}`;
}

function routeTable(routes: readonly RouteClassResult[], withBefore: boolean): string {
  const head = ['user class', 'conversations', ...(withBefore ? ['before TOTAL p50 (query + parallel)'] : []), 'after TOTAL p50 (query + parallel)', 'after p95', 'samples', ...(withBefore ? ['speedup [95% CI]'] : [])];
  const rows = routes.map((r) => [
    r.userClass,
    r.memberships,
    ...(withBefore ? [r.before ? `${formatMs(r.before.total)} (${formatMs(r.before.conversationsQuery)} + ${formatMs(r.before.parallelQueries)})` : '–'] : []),
    `${formatMs(r.after.total)} (${formatMs(r.after.conversationsQuery)} + ${formatMs(r.after.parallelQueries)})`,
    formatMs(r.after.latencyMs.total.p95),
    withBefore ? `${r.before?.latencyMs.total.samples ?? 0} / ${r.after.latencyMs.total.samples}` : String(r.after.latencyMs.total.samples),
    ...(withBefore ? [formatSpeedup(r)] : []),
  ]);
  return `Route GET /api/v1/conversations?limit=15\n${table(head, rows)}`;
}

function patternTable(patterns: readonly PatternResult[], withBefore: boolean): string {
  const rows = patterns.map((p) => [
    `${p.id}${p.gated ? '' : ' (not gated)'}`,
    p.userClass,
    ...(withBefore ? [planLabel(p.before)] : []),
    planLabel(p.after),
    withBefore && p.before ? `${formatNumber(p.before.totalDocsExamined)} → ${formatNumber(p.after.totalDocsExamined)}` : formatNumber(p.after.totalDocsExamined),
    formatNumber(p.after.nReturned),
    withBefore ? `${formatMs(p.before?.latencyMs?.p50)} → ${formatMs(p.after.latencyMs?.p50)}` : formatMs(p.after.latencyMs?.p50),
    ...(withBefore ? [formatSpeedup(p)] : []),
  ]);
  const head = ['pattern', 'class', ...(withBefore ? ['plan before'] : []), withBefore ? 'plan after' : 'plan', withBefore ? 'docs examined' : 'docs examined', 'returned', 'p50', ...(withBefore ? ['speedup [95% CI]'] : [])];
  return `Patterns\n${table(head, rows)}`;
}

function planLabel(m: PatternResult['after'] | undefined): string {
  if (!m) return '–';
  const flags = [m.collscan ? 'COLLSCAN' : null, m.blockingSort ? 'SORT' : null, m.covered ? 'covered' : null].filter(Boolean).join(',');
  return `${m.indexName ?? 'no index'}${flags ? ` [${flags}]` : ''}`;
}
