import { farthestProjection, type Growth, type GrowthReport, type RouteGrowth } from '../growth/growth.js';
import { chartJs, esc, jsonForScript } from './html.js';
import { formatMs, formatNumber, table } from './tables.js';

/**
 * The cost growth of `bench --scales`, as the terminal shows it and as growth.md and
 * growth.html (a log-log chart of each route's TOTAL against the number of conversations,
 * the budget drawn across it).
 */

const exponentText = (g: Growth): string => {
  if (!g.fit) return '–';
  const k = g.fit.exponent.toFixed(2);
  return g.fit.interval ? `${k} [${g.fit.interval[0].toFixed(2)}, ${g.fit.interval[1].toFixed(2)}]` : `${k} (2 sizes: no interval)`;
};

/** Each size's TOTAL (named by its scale where the route was not measured at every scale). */
const totals = (g: Growth, scales: number): string =>
  g.points.map((p) => `${g.points.length < scales ? `${p.scale} ` : ''}${p.lowerBound ? '≥' : ''}${formatMs(p.value)}`).join(' → ');

function crossingText(r: RouteGrowth, budgetMs: number | null): string {
  if (budgetMs === null) return 'no budget';
  if (r.overBudgetEverywhere) return 'over it at every size measured';
  if (r.crossing) return `${formatNumber(r.crossing.conversations)} conversations (projected, ${r.crossing.where})`;
  if (!r.totalAfter.fit) return 'not projected: fewer than two sizes without a limit';
  return r.totalAfter.fit.exponent <= 0.05 ? 'never: it does not grow' : `not within ${farthestProjection}× the largest size measured`;
}

function routeRows(report: GrowthReport): string[][] {
  return report.routes.map((r) => [
    r.route,
    r.userClass,
    totals(r.totalAfter, report.scales.length),
    exponentText(r.totalAfter),
    crossingText(r, report.budgetMs),
    r.dominant ? `${r.dominant.step} (${r.dominant.exponent === null ? '–' : r.dominant.exponent.toFixed(2)})` : '–',
  ]);
}

const routeHead = (report: GrowthReport) => [
  'route',
  'user class',
  `TOTAL after the set (${report.scales.map((s) => s.scale).join(' → ')})`,
  'exponent [95% CI]',
  `reaches ${report.budgetMs === null ? 'the budget' : formatMs(report.budgetMs)} at`,
  'most work (its exponent)',
];

function intro(report: GrowthReport): string {
  return (
    `Cost growth over ${report.scales.map((s) => `${s.scale} (${formatNumber(s.conversations)} conversations, ${formatNumber(s.messages)} messages: ${s.verdict.toUpperCase()})`).join(', ')}. ` +
    'Exponent of cost against the number of conversations, fitted on a log-log scale (1 = linear, 0 = flat), with its 95% interval ' +
    '(Student t on sizes − 2 degrees of freedom: wide with three sizes). ≥ marks a TOTAL cut off by a command limit, a lower bound left out of the fit; ~ marks work projected from a probe of a command over its limit (fitted: its $lookup scans the collection, the same work per document), ? one whose probe used an index (not fitted: the first documents are not typical).'
  );
}

/** Per command of each route: documents examined and returned to the client per size, and their exponents. */
function commandRows(report: GrowthReport): string[][] {
  return report.routes.flatMap((r) =>
    r.commands.map((c) => [
      `${r.route} (${r.userClass})`,
      c.step,
      c.docsExamined.points.map((p) => `${p.unreliable ? '?' : p.projected ? '~' : ''}${formatNumber(p.value)}`).join(' → '),
      exponentText(c.docsExamined),
      c.returnedDocs.points.map((p) => formatNumber(p.value)).join(' → '),
      exponentText(c.returnedDocs),
    ]),
  );
}

const commandHead = ['route', 'command', 'docs examined', 'exponent', 'returned to the client', 'exponent'];

export function renderGrowthSummary(report: GrowthReport, files: readonly string[]): string {
  return [intro(report), table(routeHead(report), routeRows(report)), ...(files.length > 0 ? [`Reports: ${files.join(', ')}`] : [])].join(
    '\n\n',
  );
}

export function renderGrowthMarkdown(report: GrowthReport): string {
  const md = (head: string[], rows: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
    ].join('\n');
  return [
    '# Cost growth',
    intro(report),
    '## Routes',
    md(routeHead(report), routeRows(report)),
    '## Commands',
    md(commandHead, commandRows(report)),
    '',
  ].join('\n\n');
}

export function renderGrowthHtml(report: GrowthReport): string {
  const data = {
    budgetMs: report.budgetMs,
    series: report.routes.map((r) => ({
      label: `${r.route} (${r.userClass})`,
      points: r.totalAfter.points.map((p) => ({ x: p.conversations, y: p.value })),
    })),
  };
  const rows = (head: string[], body: string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>indexgate: cost growth</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}#chart-box{height:28em}</style>
</head><body>
<h1>Cost growth</h1>
<p>${esc(intro(report))}</p>
<div id="chart-box"><canvas id="chart-growth"></canvas></div>
<h2>Routes</h2>${rows(routeHead(report), routeRows(report))}
<h2>Commands</h2>${rows(commandHead, commandRows(report))}
<script id="growth-data" type="application/json">${jsonForScript(data)}</script>
<script>${chartJs()}</script>
<script>(function () {
  var data = JSON.parse(document.getElementById('growth-data').textContent);
  var xs = [].concat.apply([], data.series.map(function (s) { return s.points.map(function (p) { return p.x; }); }));
  var datasets = data.series.map(function (s) { return { label: s.label, data: s.points, showLine: true }; });
  if (data.budgetMs !== null) datasets.push({ label: 'budget', data: [{ x: Math.min.apply(null, xs), y: data.budgetMs }, { x: Math.max.apply(null, xs), y: data.budgetMs }], showLine: true, borderDash: [6, 4], pointRadius: 0 });
  new Chart(document.getElementById('chart-growth'), { type: 'scatter', data: { datasets: datasets }, options: { animation: false, responsive: true, maintainAspectRatio: false,
    plugins: { title: { display: true, text: 'TOTAL after the set against the number of conversations (log-log)' } },
    scales: { x: { type: 'logarithmic', title: { display: true, text: 'conversations' } }, y: { type: 'logarithmic', title: { display: true, text: 'ms' } } } } });
  document.body.dataset.chartsDrawn = '1';
})();</script>
</body></html>
`;
}
