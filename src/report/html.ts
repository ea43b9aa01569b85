import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Cell, type ReportTable, reportModel } from './model.js';
import type { PlanNode } from '../plan/analyze.js';
import type { Measurement, PatternResult, RunResult } from '../result.js';
import { runbookChecklist } from './checklist.js';
import { formatNumber } from './tables.js';

let chartSource: string | undefined;

/** Chart.js's UMD bundle, inlined so that the report opens without network access. */
export function chartJs(): string {
  if (chartSource === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartSource = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartSource;
}

/**
 * The sign-off report: one self-contained HTML file (styles, data, Chart.js and the
 * drawing code inlined; no request leaves the page). Verdict first, then charts of
 * before/after latency per route phase and per pattern (log scale), the plan trees
 * before and after, indexes, the runbook's checklist ticked from the facts, and the
 * environment fingerprint.
 */
export function renderHtml(result: RunResult): string {
  const m = reportModel(result);
  const bench = result.command === 'bench';
  const passed = result.gate.passed;
  const title = `indexgate ${result.command} ${result.runId}: ${m.verdictWord}`;
  const chartData = {
    bench,
    classes: [...new Set(result.patterns.map((p) => p.userClass))].map((userClass) => ({ userClass })),
    routes: result.routes
      .filter((r) => r.userClass !== 'captured')
      .map((r) => ({
        label: `${r.id} (${r.userClass})`,
        before: r.before ? r.before.total : null,
        after: r.after.total,
        phases: r.after.phases,
      })),
    patterns: result.patterns.map((p) => ({
      id: p.id,
      userClass: p.userClass,
      before: p.before?.latencyMs?.p50 ?? null,
      after: p.after.latencyMs?.p50 ?? null,
    })),
    // The Price section: per index of the set, its size on disk and the keys it receives per call of each write route.
    price: result.price
      ? {
          indexes: result.price.indexes.map((p) => ({
            label: p.name,
            sizeBytes: p.sizeBytes,
            writeKeys: Object.fromEntries((p.writeKeys ?? []).map((k) => [k.route, k.unknown ? null : k.inserted + k.deleted])),
          })),
          routes: result.price.writes ? result.price.writes.routes.map((r) => r.route) : [],
        }
      : null,
    trends: (result.history?.measures ?? [])
      .filter((t) => t.gated)
      .map((t) => ({
        title: `${t.route} (${t.userClass})`,
        runs: t.points.map((p) => p.runId),
        values: t.points.map((p) => p.medianMs),
        changes: t.changePoints.map((c) => ({ index: c.index, label: `${c.direction === 'slower' ? '▲' : '▼'} ×${c.size.toFixed(2)}` })),
        accepted: result.history?.accepted ? t.points.findIndex((p) => p.runId === result.history?.accepted?.runId) : -1,
        regression: t.regression !== null,
      })),
  };
  const d = result.dataset;
  const e = result.environment;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
  header { padding: 20px 32px; color: #fff; background: ${passed ? '#1f7a3f' : result.gate.verdict === 'inconclusive' ? '#8a6100' : '#b42318'}; }
  header h1 { margin: 0; font-size: 24px; }
  header p { margin: 4px 0 0; opacity: .9; }
  main { padding: 8px 32px 40px; max-width: 1400px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
  h2 { font-size: 18px; margin: 0 0 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e8ebf0; vertical-align: top; }
  th { background: #f0f2f5; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .pass { color: #1f7a3f; font-weight: 600; } .fail { color: #b42318; font-weight: 600; } .muted { color: #667085; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
  .chart { position: relative; height: 320px; }
  .trees { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 16px; border-left: 1px dashed #c4cad4; }
  ul.tree { padding-left: 4px; border: none; }
  .stage { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 600; }
  .stage.bad { color: #b42318; } .stage.good { color: #1f7a3f; }
  details summary { cursor: pointer; padding: 4px 0; }
  code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
  pre { background: #f0f2f5; padding: 8px; overflow: auto; }
</style>
</head>
<body>
<header>
  <h1 id="verdict">${m.verdictWord}: ${esc(m.verdictLine)}</h1>
  <p>indexgate ${esc(result.command)} · ${esc(result.runId)} · ${d.origin === 'indexgate' ? `scale ${esc(String(d.scale))}, seed ${esc(String(d.seed))}, baseline ${esc(String(d.baseline))}` : 'target data'} · mongod ${esc(e.mongodVersion)} ${esc(e.topology)}</p>
</header>
<main>
${m.answer ? `<p id="answer"><strong>Answer:</strong> ${esc(m.answer)}</p>` : ''}
${m.routes ? `<section id="routes"><h2>${esc(m.routes.title)}</h2>${dress(m.routes)}</section>` : ''}
${
  m.remedies
    ? `<section id="remedies"><h2>${esc(m.remedies.title)}</h2>${dress(m.remedies)}${
        m.gateCommand ? `<p>Gate the remedy as the migration to ship:</p><pre id="gate-command">${esc(m.gateCommand)}</pre>` : ''
      }</section>`
    : ''
}
${m.failures ? `<section id="failures"><h2>${esc(m.failures.title)}</h2>${dress(m.failures)}</section>` : ''}
${
  m.routes
    ? `<section id="commands">
  <h2>Commands of each route</h2>
  ${m.unusedIndexes.length > 0 ? `<p>Indexes of the set no command of a route used:</p><ul>${m.unusedIndexes.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}
  ${m.commands.map((t) => `<h3>${esc(t.title)}</h3>${dress(t)}`).join('\n')}
  ${m.workloads.map((t) => `<h3>${esc(t.title)}</h3>${dress(t)}`).join('\n')}
</section>`
    : ''
}
<section>
  <h2>${esc(m.phases.title)}</h2>
  <div class="charts">
    ${bench ? '<div class="chart"><canvas id="chart-route-total" aria-label="Route TOTAL before and after"></canvas></div>' : ''}
    <div class="chart"><canvas id="chart-route-phases" aria-label="Route phases after the indexes"></canvas></div>
  </div>
  ${dress(m.phases)}
</section>
${
  m.history
    ? `<section id="history">
  <h2>${esc(m.history.title)}</h2>
  <div class="charts">${chartData.trends.map((t, i) => `<div class="chart"><canvas id="chart-trend-${i}" aria-label="Trend of ${esc(t.title)}"></canvas></div>`).join('')}</div>
  ${dress(m.history)}
</section>`
    : ''
}
<section>
  <h2>Patterns: latency ${bench ? 'before and after' : ''} (p50, log scale)</h2>
  <div class="charts">${chartData.classes.map((c) => `<div class="chart"><canvas id="chart-patterns-${esc(c.userClass)}" aria-label="Patterns, ${esc(c.userClass)} user"></canvas></div>`).join('')}</div>
  ${dress(m.patterns)}
</section>
<section id="plans">
  <h2>Plan trees ${bench ? 'before and after' : ''}</h2>
  ${result.patterns.map((p) => planTrees(p, bench)).join('\n')}
</section>
<section id="price">
  <h2>Indexes and their price</h2>
  ${
    chartData.price
      ? `<div class="charts"><div class="chart"><canvas id="chart-price-size" aria-label="Size of each index of the set"></canvas></div>${
          chartData.price.routes.length > 0
            ? '<div class="chart"><canvas id="chart-price-writes" aria-label="Index keys each index of the set receives per write call"></canvas></div>'
            : ''
        }</div>`
      : ''
  }
  <p>${esc(m.indexes.title)}</p>
  ${dress(m.indexes)}
  ${m.writeAttribution ? `<h3>${esc(m.writeAttribution.title)}</h3>${dress(m.writeAttribution)}` : ''}
  ${m.duringBuild ? `<h3 id="during-build">${esc(m.duringBuild.title)}</h3>${dress(m.duringBuild)}` : ''}
</section>
${m.writes ? `<section id="writes">\n  <h2>${esc(m.writes.title)}</h2>\n  ${dress(m.writes)}\n</section>` : ''}
<section id="checklist">
  <h2>Runbook checklist</h2>
  ${table(
    ['', 'item', 'evidence'],
    runbookChecklist(result).map((c) => [
      c.state === 'done'
        ? '<span class="pass">☑</span>'
        : c.state === 'failed'
          ? '<span class="fail">☒</span>'
          : c.state === 'undecided'
            ? '<span class="fail">?</span>'
            : '<span class="muted">☐</span>',
      esc(c.item),
      `<span class="${c.state === 'failed' ? 'fail' : c.state === 'done' ? '' : 'muted'}">${esc(c.evidence)}</span>`,
    ]),
  )}
</section>
${result.notes.length > 0 ? `<section><h2>Notes</h2><ul>${result.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>` : ''}
<section id="environment">
  <h2>${esc(m.environment.title)}</h2>
  ${dress(m.environment)}
</section>
</main>
<script id="report-data" type="application/json">${jsonForScript(chartData)}</script>
<script>${chartJs()}</script>
<script>${drawCharts}
drawCharts(JSON.parse(document.getElementById('report-data').textContent));</script>
</body>
</html>
`;
}

/**
 * Runs in the page (plain browser JavaScript): draws every chart, then records how many
 * it drew on <body data-charts-drawn> (what the browser test waits for).
 */
const drawCharts = `function drawCharts(data) {
  var before = '#d92d20', after = '#1f7a3f';
  var common = { animation: false, responsive: true, maintainAspectRatio: false };
  function logAxis(label) { return { type: 'logarithmic', title: { display: true, text: label } }; }
  var drawn = 0;
  var routeLabels = data.routes.map(function (r) { return r.label; });
  var routeTotal = document.getElementById('chart-route-total');
  if (routeTotal) {
    new Chart(routeTotal, {
      type: 'bar',
      data: { labels: routeLabels, datasets: [
        { label: 'before', backgroundColor: before, data: data.routes.map(function (r) { return r.before; }) },
        { label: 'after', backgroundColor: after, data: data.routes.map(function (r) { return r.after; }) }
      ] },
      options: Object.assign({}, common, { plugins: { title: { display: true, text: 'Route TOTAL p50 per route and user class (ms, log scale)' } }, scales: { y: logAxis('ms') } })
    });
    drawn++;
  }
  var palette = ['#2e90fa', '#f79009', '#7a5af8', '#12b76a', '#f04438', '#667085'];
  var phaseNames = [];
  data.routes.forEach(function (r) { Object.keys(r.phases).forEach(function (n) { if (phaseNames.indexOf(n) < 0) phaseNames.push(n); }); });
  new Chart(document.getElementById('chart-route-phases'), {
    type: 'bar',
    data: { labels: routeLabels, datasets: phaseNames.map(function (n, i) {
      return { label: n, backgroundColor: palette[i % palette.length], data: data.routes.map(function (r) { return r.phases[n] === undefined ? null : r.phases[n]; }) };
    }) },
    options: Object.assign({}, common, { plugins: { title: { display: true, text: 'Route phases after the indexes (p50, ms)' } }, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'ms' } } } })
  });
  drawn++;
  data.classes.forEach(function (c) {
    var rows = data.patterns.filter(function (p) { return p.userClass === c.userClass; });
    var canvas = document.getElementById('chart-patterns-' + c.userClass);
    if (!canvas) return;
    var datasets = [];
    if (data.bench) datasets.push({ label: 'before', backgroundColor: before, data: rows.map(function (p) { return p.before; }) });
    datasets.push({ label: 'after', backgroundColor: after, data: rows.map(function (p) { return p.after; }) });
    new Chart(canvas, {
      type: 'bar',
      data: { labels: rows.map(function (p) { return p.id; }), datasets: datasets },
      options: Object.assign({}, common, { indexAxis: 'y', plugins: { title: { display: true, text: 'Patterns, ' + c.userClass + ' user: p50 (ms, log scale)' } }, scales: { x: logAxis('ms') } })
    });
    drawn++;
  });
  var priceSize = document.getElementById('chart-price-size');
  if (priceSize && data.price) {
    new Chart(priceSize, {
      type: 'bar',
      data: { labels: data.price.indexes.map(function (p) { return p.label; }), datasets: [
        { label: 'size on disk (MB)', backgroundColor: '#7a5af8', data: data.price.indexes.map(function (p) { return p.sizeBytes === null ? null : p.sizeBytes / 1048576; }) }
      ] },
      options: Object.assign({}, common, { indexAxis: 'y', plugins: { title: { display: true, text: 'Each index of the set: size on disk (MB)' } }, scales: { x: { title: { display: true, text: 'MB' } } } })
    });
    drawn++;
  }
  var priceWrites = document.getElementById('chart-price-writes');
  if (priceWrites && data.price) {
    new Chart(priceWrites, {
      type: 'bar',
      data: { labels: data.price.indexes.map(function (p) { return p.label; }), datasets: data.price.routes.map(function (r, i) {
        return { label: r, backgroundColor: palette[i % palette.length], data: data.price.indexes.map(function (p) { return p.writeKeys[r] === undefined ? null : p.writeKeys[r]; }) };
      }) },
      options: Object.assign({}, common, { indexAxis: 'y', plugins: { title: { display: true, text: 'Each index of the set: index keys written per call (inserted + deleted), by write route' } }, scales: { x: { stacked: true, title: { display: true, text: 'keys per call' } }, y: { stacked: true } } })
    });
    drawn++;
  }
  (data.trends || []).forEach(function (t, i) {
    var canvas = document.getElementById('chart-trend-' + i);
    if (!canvas) return;
    var marks = t.values.map(function (_, k) {
      var change = t.changes.filter(function (c) { return c.index === k; })[0];
      return change ? 'triangle' : k === t.accepted ? 'rectRot' : 'circle';
    });
    new Chart(canvas, {
      type: 'line',
      data: { labels: t.runs.map(function (r, k) { return String(k + 1); }), datasets: [{
        label: t.title + ': p50 TOTAL after the indexes (ms)', data: t.values, borderColor: t.regression ? before : '#2e90fa',
        pointStyle: marks, pointRadius: marks.map(function (m) { return m === 'circle' ? 3 : 8; }),
        pointBackgroundColor: marks.map(function (m, k) { return m === 'triangle' ? before : k === t.values.length - 1 ? '#101828' : '#2e90fa'; })
      }] },
      options: Object.assign({}, common, { plugins: { title: { display: true, text: t.title + (t.changes.length > 0 ? ': change points ' + t.changes.map(function (c) { return c.label + ' at run ' + (c.index + 1); }).join(', ') : ': no change point') } }, scales: { x: { title: { display: true, text: 'comparable runs, oldest first (the last is this run)' } }, y: { title: { display: true, text: 'ms' } } } })
    });
    drawn++;
  });
  document.body.dataset.chartsDrawn = String(drawn);
}`;

function planTrees(p: PatternResult, bench: boolean): string {
  const side = (label: string, m: Measurement | undefined) =>
    `<div><strong>${label}</strong>${m ? ` <span class="muted">${formatNumber(m.totalKeysExamined)} keys, ${formatNumber(m.totalDocsExamined)} docs examined, ${formatNumber(m.nReturned)} returned</span>` : ''}${m?.tree ? `<ul class="tree">${treeNode(m.tree)}</ul>` : m ? `<p>${esc(m.stages.join(' › '))}</p>` : '<p class="muted">–</p>'}</div>`;
  return `<details><summary><code>${esc(p.id)}</code> (${esc(p.userClass)}): ${planLabel(p.before)}${bench ? ' → ' : ''}${bench ? planLabel(p.after) : ''}</summary><div class="trees">${bench ? side('before', p.before) : ''}${side(bench ? 'after' : 'plan', p.after)}</div></details>`;
}

function treeNode(node: PlanNode): string {
  const bad = node.stage === 'COLLSCAN' || node.stage === 'SORT' || (node.detail ?? '').includes('collection scan');
  const good =
    ['IXSCAN', 'DISTINCT_SCAN', 'IDHACK', 'COUNT_SCAN', 'EXPRESS_IXSCAN'].includes(node.stage) || (node.detail ?? '').includes('index ');
  const counts = [
    node.keysExamined !== undefined ? `${formatNumber(node.keysExamined)} keys` : null,
    node.docsExamined !== undefined ? `${formatNumber(node.docsExamined)} docs` : null,
    node.nReturned !== undefined ? `${formatNumber(node.nReturned)} out` : null,
  ].filter(Boolean);
  const children = node.children.length > 0 ? `<ul>${node.children.map(treeNode).join('')}</ul>` : '';
  return `<li><span class="stage ${bad ? 'bad' : good ? 'good' : ''}">${esc(node.stage)}</span>${node.detail ? ` <code>${esc(node.detail)}</code>` : ''}${counts.length > 0 ? ` <span class="muted">${esc(counts.join(', '))}</span>` : ''}${children}</li>`;
}

function planLabel(m: Measurement | undefined): string {
  if (!m) return '–';
  const flags = [
    m.collscan ? '<span class="fail">COLLSCAN</span>' : null,
    m.blockingSort ? '<span class="fail">SORT</span>' : null,
    m.covered ? 'covered' : null,
  ]
    .filter(Boolean)
    .join(' ');
  return `${m.indexName ? `<code>${esc(m.indexName)}</code>` : '<span class="muted">no index</span>'}${flags ? ` ${flags}` : ''}`;
}

/** A model table in HTML: each cell escaped and marked by its kind. */
function dress(t: ReportTable): string {
  const cell = (c: Cell): string =>
    c.kind === 'num'
      ? num(c.text)
      : c.kind === 'code'
        ? `<code>${esc(c.text)}</code>`
        : c.kind
          ? `<span class="${c.kind}">${esc(c.text)}</span>`
          : esc(c.text);
  return table(
    t.head,
    t.rows.map((r) => r.map(cell)),
  );
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`).join('')}</tbody></table>`;
}

function num(text: string): string {
  return `<td class="num">${esc(text)}</td>`;
}

export function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** JSON inside <script>: no "</script>" or "<!--" can end it early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}
