import type { PatternResult, RunResult } from '../result.js';
import { runbookChecklist } from './checklist.js';
import { type ReportTable, reportModel } from './model.js';

/** Markdown for a pull-request comment: verdict first, then the route, patterns, indexes, checklist, context. */
export function renderMarkdown(result: RunResult): string {
  const m = reportModel(result);
  const out: string[] = [];
  const { gate } = result;
  out.push(`# indexgate ${result.command}: ${{ pass: 'PASS ✅', fail: 'FAIL ❌', inconclusive: 'INCONCLUSIVE ❔' }[gate.verdict]}`, '');
  if (gate.verdict === 'pass') out.push(`**Verdict: PASS** — ${m.verdictLine}.`, '');
  else if (gate.verdict === 'fail') out.push(`**Verdict: FAIL** — ${m.verdictLine} (grouped below, after the routes).`, '');
  else
    out.push(
      `**Verdict: INCONCLUSIVE** — nothing failed, but ${gate.inconclusive.length} of ${gate.checks.length} checks could not be decided by the samples this run could take.`,
      '',
    );
  // Top-down, as a reviewer reads: the answer, the routes against the budget, the remedy and the command that gates it,
  // the failures grouped by command and check; then the details.
  if (m.answer) out.push(`**Answer:** ${escapeInline(m.answer)}`, '');
  if (m.routes) out.push(`## ${m.routes.title}`, '', dress(m.routes), '');
  if (m.remedies) {
    out.push(`## ${m.remedies.title}`, '', 'Only measured remedies are listed.', '', dress(m.remedies), '');
    if (m.gateCommand) out.push('Gate the remedy as the migration to ship:', '', '```sh', m.gateCommand, '```', '');
  }
  if (m.failures) out.push(`## ${m.failures.title}`, '', dress(m.failures), '');
  if (m.routes) {
    if (m.unusedIndexes.length > 0)
      out.push('Indexes of the set no command of a route used:', '', ...m.unusedIndexes.map((l) => `- ${l}`), '');
    for (const t of m.commands) out.push(`### ${t.title}`, '', dress(t), '');
    for (const r of result.remedies ?? [])
      out.push(`- **${r.title}** (${r.kind}):`, '', '```json', JSON.stringify(r.spec, null, 2), '```', '');
  }

  for (const w of m.workloads) out.push(`## ${w.title}`, '', dress(w), '');
  if (m.history) out.push(`## ${m.history.title}`, '', dress(m.history), '');
  out.push(`## ${m.phases.title}`, '', dress(m.phases), '');
  out.push(`## ${m.patterns.title}`, '', dress(m.patterns), '');
  const unserved = uniqueNotes(result.patterns);
  if (unserved.length > 0) out.push(...unserved.map((n) => `- ${n}`), '');

  out.push(`## ${m.indexes.title}`, '', dress(m.indexes), '');
  if (m.writeAttribution) out.push(`### ${m.writeAttribution.title}`, '', dress(m.writeAttribution), '');
  if (m.duringBuild) out.push(`### ${m.duringBuild.title}`, '', dress(m.duringBuild), '');
  if (m.writes) out.push(`## ${m.writes.title}`, '', dress(m.writes), '');

  out.push('## Runbook checklist', '');
  for (const c of runbookChecklist(result))
    out.push(
      `- [${c.state === 'done' ? 'x' : ' '}] ${c.item}${c.state === 'failed' ? ' — **FAILED**' : c.state === 'undecided' ? ' — **INCONCLUSIVE**' : ''}: ${escapeInline(c.evidence)}`,
    );
  out.push('');

  if (result.notes.length > 0) out.push('## Notes', '', ...result.notes.map((n) => `- ${escapeInline(n)}`), '');

  out.push(`## ${m.environment.title}`, '', dress(m.environment), '');
  return out.join('\n');
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

/** A model table in Markdown: code cells in backticks, every cell escaped. */
function dress(t: ReportTable): string {
  return mdTable(
    t.head,
    t.rows.map((r) => r.map((c) => (c.kind === 'code' ? `\`${c.text}\`` : c.text))),
  );
}

export function mdTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
