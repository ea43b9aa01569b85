import type { Measurement, PatternResult, RunResult } from '../result.js';
import { runbookChecklist } from './checklist.js';
import { commandRows, remedyRows, routeRows, signOffAnswer, unusedIndexLines } from './routes.js';
import { formatSpeedup } from './summary.js';
import { formatMs, formatNumber, wallTime } from './tables.js';

/** Markdown for a pull-request comment: verdict first, then the route, patterns, indexes, checklist, context. */
export function renderMarkdown(result: RunResult): string {
  const bench = result.command === 'bench';
  const out: string[] = [];
  const { gate } = result;
  out.push(`# indexgate ${result.command}: ${{ pass: 'PASS ✅', fail: 'FAIL ❌', inconclusive: 'INCONCLUSIVE ❔' }[gate.verdict]}`, '');
  const where = (f: (typeof gate.failures)[number]) => [f.pattern ?? f.index ?? '', f.userClass ? `(${f.userClass})` : ''].join(' ').trim();
  if (gate.verdict === 'pass') {
    out.push(`**Verdict: PASS** — all ${gate.checks.length} checks passed.`, '');
  } else if (gate.verdict === 'fail') {
    out.push(`**Verdict: FAIL** — ${gate.failures.length} of ${gate.checks.length} checks failed:`, '');
    out.push(mdTable(['check', 'where', 'why'], gate.failures.map((f) => [f.check, where(f), f.message])), '');
  } else {
    out.push(`**Verdict: INCONCLUSIVE** — nothing failed, but ${gate.inconclusive.length} of ${gate.checks.length} checks could not be decided by the samples this run could take.`, '');
  }
  if (gate.inconclusive.length > 0) {
    out.push('Undecided checks:', '', mdTable(['check', 'where', 'why'], gate.inconclusive.map((f) => [f.check, where(f), f.message])), '');
  }

  const answer = signOffAnswer(result);
  if (answer) out.push(`**Answer:** ${answer}`, '');
  if (result.routes && result.routes.length > 0) {
    out.push('## Routes: the application as it runs, and the driver model', '');
    out.push(mdTable(['route', 'user class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]', 'checks'], routeRows(result).map((r) => [r.route, r.userClass, r.before, r.after, r.speedup, r.verdict])), '');
    const unused = unusedIndexLines(result.routes);
    if (unused.length > 0) out.push('Indexes of the set no command of a route used:', '', ...unused.map((l) => `- ${l}`), '');
    const app = result.routes.filter((r) => r.id === 'prisma');
    if (app.length > 0) {
      out.push("### The application's commands after the indexes (`prisma`)", '');
      out.push(mdTable(['user class', 'command', 'plan', 'docs examined', 'returned to the client', 'kept'], commandRows(app).map((c) => [c.userClass, c.step, c.plan, c.docsExamined, c.returned, c.kept])), '');
    }
    if (result.remedies && result.remedies.length > 0) {
      out.push('### Remedies, measured on the same data', '', 'Before: the application after the six. After: with the remedy. Only measured remedies are listed.', '');
      out.push(mdTable(['remedy', 'kind', 'user class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]'], remedyRows(result.remedies, app[0]?.overLimit.limitMs ?? 10_000).map((r) => [r.remedy, r.kind, r.userClass, r.before, r.after, r.speedup])), '');
      for (const m of result.remedies) out.push(`- **${m.title}** (${m.kind}):`, '', '```json', JSON.stringify(m.spec, null, 2), '```', '');
    }
  }

  out.push('## Route `GET /api/v1/conversations?limit=15` (driver model)', '');
  out.push(
    mdTable(
      ['user class', 'conversations', ...(bench ? ['before: query + parallel = TOTAL (p50)'] : []), 'after: query + parallel = TOTAL (p50)', 'after TOTAL p95', ...(bench ? ['speedup [95% CI]'] : []), 'samples'],
      result.route.classes.map((r) => [
        r.userClass,
        formatNumber(r.memberships),
        ...(bench ? [r.before ? `${formatMs(r.before.conversationsQuery)} + ${formatMs(r.before.parallelQueries)} = **${formatMs(r.before.total)}**` : '–'] : []),
        `${formatMs(r.after.conversationsQuery)} + ${formatMs(r.after.parallelQueries)} = **${formatMs(r.after.total)}**`,
        formatMs(r.after.latencyMs.total.p95),
        ...(bench ? [formatSpeedup(r)] : []),
        bench ? `${r.before?.latencyMs.total.samples ?? 0} / ${r.after.latencyMs.total.samples}` : String(r.after.latencyMs.total.samples),
      ]),
    ),
    '',
  );

  out.push('## Patterns', '');
  out.push(
    mdTable(
      ['pattern', 'class', 'gated', ...(bench ? ['plan before'] : []), bench ? 'plan after' : 'plan', 'keys examined', 'docs examined', 'returned', bench ? 'p50 before → after' : 'p50', 'p95', ...(bench ? ['speedup [95% CI]'] : [])],
      result.patterns.map((p) => [
        `\`${p.id}\``,
        p.userClass,
        p.gated ? 'yes' : 'no',
        ...(bench ? [plan(p.before)] : []),
        plan(p.after),
        bench && p.before ? `${formatNumber(p.before.totalKeysExamined)} → ${formatNumber(p.after.totalKeysExamined)}` : formatNumber(p.after.totalKeysExamined),
        bench && p.before ? `${formatNumber(p.before.totalDocsExamined)} → ${formatNumber(p.after.totalDocsExamined)}` : formatNumber(p.after.totalDocsExamined),
        formatNumber(p.after.nReturned),
        bench ? `${formatMs(p.before?.latencyMs?.p50)} → ${formatMs(p.after.latencyMs?.p50)}` : formatMs(p.after.latencyMs?.p50),
        formatMs(p.after.latencyMs?.p95),
        ...(bench ? [formatSpeedup(p)] : []),
      ]),
    ),
    '',
  );
  const unserved = uniqueNotes(result.patterns);
  if (unserved.length > 0) out.push(...unserved.map((n) => `- ${n}`), '');

  out.push('## Indexes', '');
  out.push(
    mdTable(
      ['#', 'index', 'collection', 'priority', 'status', 'build'],
      result.indexes.map((ix, i) => [String(i + 1), `\`${ix.name}\``, ix.collection, ix.priority ?? '', ix.status === 'equivalent' && ix.existingName ? `equivalent (\`${ix.existingName}\`)` : ix.status, ix.buildMs > 0 ? formatMs(ix.buildMs) : '–']),
    ),
    '',
  );

  out.push('## Runbook checklist', '');
  for (const c of runbookChecklist(result)) out.push(`- [${c.state === 'done' ? 'x' : ' '}] ${c.item}${c.state === 'failed' ? ' — **FAILED**' : c.state === 'undecided' ? ' — **INCONCLUSIVE**' : ''}: ${escapeInline(c.evidence)}`);
  out.push('');

  if (result.notes.length > 0) out.push('## Notes', '', ...result.notes.map((n) => `- ${escapeInline(n)}`), '');

  const d = result.dataset;
  const e = result.environment;
  out.push('## Dataset and environment', '');
  out.push(
    mdTable(
      ['', ''],
      [
        ['dataset', d.origin === 'indexgate' ? `scale ${d.scale}, seed ${d.seed}, baseline ${d.baseline}` : 'the target\'s own data'],
        ['fingerprint', `\`${d.fingerprint}\``],
        ['documents', Object.entries(d.counts).map(([c, n]) => `${c} ${formatNumber(n)}`).join(' · ')],
        ['server', `mongod ${e.mongodVersion}, ${e.topology}, ${e.storageEngine ?? 'engine unknown'}${e.mongodSource ? `, binary from ${e.mongodSource}` : ''}${e.underWine ? ' (under Wine)' : ''}`],
        ['target', e.target],
        ['machine', `${e.machine.platform} ${e.machine.arch}, ${e.machine.cpus} × ${e.machine.cpuModel}, ${e.machine.memoryGb} GB, Node ${e.machine.node}`],
        ['tool', `indexgate ${result.tool.version}${result.tool.commit ? ` (${result.tool.commit})` : ''}`],
        ['thresholds', result.thresholds.source],
        ['run', `${result.runId}, ${result.startedAt} → ${result.finishedAt}`],
        ['wall time', wallTime(result.timings)],
      ],
    ),
    '',
  );
  return out.join('\n');
}

function plan(m: Measurement | undefined): string {
  if (!m) return '–';
  const flags = [m.collscan ? 'COLLSCAN' : null, m.blockingSort ? `blocking SORT${m.sortedDocs !== null ? ` of ${formatNumber(m.sortedDocs)}` : ''}` : null, m.covered ? 'covered' : null].filter(Boolean);
  return `${m.stages.join(' › ')}${m.indexName ? ` on \`${m.indexName}\`` : ''}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
}

function uniqueNotes(patterns: readonly PatternResult[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of patterns) {
    if (!p.note || seen.has(p.id)) continue;
    seen.add(p.id);
    out.push(`\`${p.id}\` is not gated: ${escapeInline(p.note)}.`);
  }
  return out;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function escapeInline(text: string): string {
  return text.replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function mdTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
