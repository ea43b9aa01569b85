import type { HistoryShowOutcome } from '../commands/history.js';
import type { CaptureOutcome } from '../commands/capture.js';
import type { SchemaCheckOutcome } from '../commands/indexes.js';
import type { IndexSpec } from '../../indexes/spec.js';
import type { ExplainOutcome } from '../commands/explain.js';
import type { ApplyOutcome, VerifyIndexesOutcome } from '../commands/indexes.js';
import type { RoutesRenderOutcome } from '../commands/routes.js';
import type { CommandShape } from '../routes/recorder.js';
import { formatKey } from '../indexes/inspect.js';
import { formatMs, formatNumber, table } from './tables.js';

/** Terminal output of the commands other than bench and verify. */

export function renderIndexSpecs(specs: readonly IndexSpec[]): string {
  return table(
    ['#', 'priority', 'name', 'collection', 'key', 'expected impact'],
    specs.map((s, i) => [i + 1, s.priority ?? '', s.name, s.collection, formatKey(s.key) + (s.unique ? ' unique' : ''), s.expectedImpact ?? s.purpose ?? '']),
  );
}

export function renderApplyOutcome(outcome: ApplyOutcome): string {
  return [
    `indexes apply on ${outcome.database} (${outcome.target})`,
    table(
      ['index', 'collection', 'status', 'build', 'detail'],
      outcome.indexes.map((o) => [o.name, o.collection, o.status, o.buildMs > 0 ? formatMs(o.buildMs) : '–', o.detail]),
    ),
    outcome.ok ? 'All indexes in place.' : 'CONFLICT: an index with the same name and another key exists; nothing was dropped. Fix it by hand, then run apply again.',
  ].join('\n');
}

export function renderIndexFindings(outcome: VerifyIndexesOutcome): string {
  return [
    `indexes verify on ${outcome.database} (${outcome.target}), judged by key pattern`,
    table(
      ['index', 'collection', 'status', 'detail'],
      outcome.findings.map((f) => [f.spec.name, f.spec.collection, f.status, f.detail]),
    ),
    outcome.ok ? 'All six indexes are there (by key).' : `FAIL: ${outcome.findings.filter((f) => f.status === 'missing' || f.status === 'conflict').length} index(es) missing or conflicting.`,
  ].join('\n');
}

/**
 * What `prisma db push` does on MongoDB to an index the schema does not declare, read from
 * prisma-engines (see the README, "The application's schema"): said beside the lines to add.
 */
export const dbPushNote =
  'Why it matters: on MongoDB, `prisma db push` drops every index of a modelled collection that the schema does not declare by name ' +
  '(no warning, no --accept-data-loss; an index with the same key under another name is dropped and recreated under Prisma\'s name). ' +
  'Declared with `map:` as above, each keeps its name and survives the next push. Source: prisma-engines mongodb-schema-connector differ.rs ' +
  '(DifferDatabase::new, dropped_indexes: indexes matched by name), destructive_change_checker.rs (no diagnostics); prisma/orm#12751.';

export function renderSchemaCheck(outcome: SchemaCheckOutcome): string {
  const missing = outcome.findings.filter((f) => f.declaredAs === null);
  const lines = [
    `indexes check against ${outcome.file}, judged by key pattern`,
    table(
      ['index', 'collection', 'key', 'in the schema'],
      outcome.findings.map((f) => [f.spec.name, f.spec.collection, formatKey(f.spec.key), f.declaredAs ?? 'not declared']),
    ),
  ];
  if (missing.length === 0) lines.push('Every index of the set is declared by the schema (by key).');
  else {
    lines.push(`${missing.length} index(es) not declared. Add to the schema:`);
    const byModel = new Map<string, string[]>();
    for (const f of missing) {
      if (!f.declaration) {
        lines.push(`  (no model of the schema maps to ${f.spec.collection}: ${f.spec.name} cannot be declared)`);
        continue;
      }
      byModel.set(f.declaration.model, [...(byModel.get(f.declaration.model) ?? []), f.declaration.line]);
    }
    for (const [model, decl] of byModel) lines.push(`  model ${model} {`, ...decl.map((l) => `    ${l}`), '  }');
    lines.push(dbPushNote);
  }
  return lines.join('\n');
}

export function renderExplain(outcome: ExplainOutcome): string {
  const users = outcome.users.map((u) => `${u.userClass} ${u.userId.toHexString()} (${u.memberships} conversations)`).join('; ');
  return [
    `explain on ${outcome.database} (${outcome.target}), mongod ${outcome.environment.mongodVersion} ${outcome.environment.topology}`,
    `users: ${users}`,
    table(
      ['pattern', 'class', 'plan (root first)', 'keys', 'docs', 'returned', 'served'],
      outcome.patterns.map((p) => [
        `${p.id}${p.gated ? '' : ' (not gated)'}`,
        p.userClass,
        p.measurement.stages.join(' > '),
        formatNumber(p.measurement.totalKeysExamined),
        formatNumber(p.measurement.totalDocsExamined),
        formatNumber(p.measurement.nReturned),
        p.service.message,
      ]),
    ),
  ].join('\n');
}

export function renderCapture(outcome: CaptureOutcome): string {
  const w = outcome.workload;
  const skipped = Object.entries(w.source.skipped).map(([why, n]) => `${formatNumber(n)} ${why}`).join(', ');
  return [
    `capture from ${w.source.from}: ${formatNumber(w.source.entries)} entries, ${w.shapes.length} read shapes${skipped ? ` (skipped: ${skipped})` : ''}`,
    table(
      ['#', 'shape', 'command', 'collection', 'calls', 'total', 'p50', 'recorded plan', 'params'],
      w.shapes.map((s, i) => [i + 1, s.id, s.command, s.collection, formatNumber(s.count), formatMs(s.recorded.totalMs), formatMs(s.recorded.p50Ms), s.recorded.planSummary ?? '–', s.unreplayable ? 'none (truncated)' : s.params.length]),
    ),
    `wrote ${outcome.file}; replay it with \`indexgate bench --workload ${outcome.file}\` or \`indexgate verify --uri … --workload ${outcome.file}\``,
  ].join('\n');
}

export function renderHistorySeries(outcome: HistoryShowOutcome): string {
  if (outcome.series.length === 0) return `${outcome.file}: ${outcome.runs} runs, no measure recorded yet`;
  const parts = [`${outcome.file}: ${outcome.runs} runs, ${outcome.series.length} series (p50 TOTAL after the indexes; ▲ a change point to a slower level, ▼ to a faster one; ✓ accepted: the baseline starts there)`];
  for (const t of outcome.series) {
    const s = t.setting;
    const setting = t.key === undefined ? 'runs of a version-1 history (settings unknown: never compared)' : `${s.scale ?? '?'} ${s.baseline ?? '?'}, routes ${s.routes?.join('+') ?? '?'}, mongod ${s.mongodVersion}${s.underWine ? ' (Wine)' : ''}, ${s.cpus ?? '?'} × ${s.cpuModel ?? '?'}`;
    parts.push(
      `route ${t.route} (${t.userClass})${t.gated ? '' : ', recorded only'} — ${setting}`,
      table(
        ['run', 'finished', 'commit', 'p50 TOTAL', 'verdict', ''],
        t.rows.map((r) => [
          r.runId,
          r.finishedAt.replace('T', ' ').slice(0, 16),
          r.commit?.slice(0, 10) ?? '–',
          r.value === null ? '–' : formatMs(r.value),
          r.verdict,
          [r.accepted ? '✓ accepted' : '', r.changePoint ? `${r.changePoint.direction === 'slower' ? '▲' : '▼'} ×${r.changePoint.size.toFixed(2)} (confidence ${(r.changePoint.confidence * 100).toFixed(1)}%)` : ''].filter(Boolean).join(' '),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

/** `routes render`: the route, the user, then each command as a mongosh statement. */
export function renderRoutesRender(outcome: RoutesRenderOutcome): string {
  const lines = [
    `// route ${outcome.route.id}: ${outcome.route.title} (${outcome.route.file})`,
    ...(outcome.route.source ? [`// source: ${outcome.route.source}`] : []),
    `// user ${outcome.user.id} (${outcome.user.class}, ${formatNumber(outcome.user.memberships)} active memberships) from ${outcome.data}; params ${JSON.stringify(outcome.params)}`,
    '',
  ];
  for (const c of outcome.commands) {
    lines.push(`// ${c.step}: ${c.call}${c.shapes.length > 1 ? ` (${c.shapes.length} times; each below)` : ''}`);
    for (const shape of c.shapes) lines.push(`${mongoshStatement(c.collection, shape)};`);
    lines.push('');
  }
  return lines.join('\n');
}

/** A shape as a mongosh statement: `db.getCollection("X").aggregate([...], {...})`, BSON values in mongosh's constructors. */
export function mongoshStatement(collection: string, shape: CommandShape): string {
  const coll = `db.getCollection(${JSON.stringify(collection)})`;
  if (shape.kind === 'command') return `db.runCommand(${mongoshValue(shape.command)})`;
  if (shape.kind === 'aggregate') {
    const options = shape.options && Object.keys(shape.options).length > 0 ? `, ${mongoshValue(shape.options)}` : '';
    return `${coll}.aggregate(${mongoshValue([...shape.pipeline])}${options})`;
  }
  const options = shape.options && Object.keys(shape.options).length > 0 ? `, ${mongoshValue(shape.options)}` : '';
  return `${coll}.find(${mongoshValue(shape.filter)}${options})`;
}

function mongoshValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(mongoshValue).join(', ')}]`;
  if (value instanceof Date) return `ISODate(${JSON.stringify(value.toISOString())})`;
  if (typeof value === 'object') {
    const bson = (value as { _bsontype?: string })._bsontype;
    if (bson === 'ObjectId') return `ObjectId(${JSON.stringify(String(value))})`;
    if (bson === 'Long') return `NumberLong(${JSON.stringify(String(value))})`;
    if (bson === 'Int32') return `NumberInt(${String((value as { value: number }).value)})`;
    if (bson === 'Double') return String((value as { value: number }).value);
    if (bson === 'Decimal128') return `NumberDecimal(${JSON.stringify(String(value))})`;
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${mongoshValue(v)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}
