import { ConfigError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { applyIndexes, type IndexOutcome } from '../indexing/apply.js';
import { formatKey, type IndexFinding, inspectIndexes, sameKey } from '../indexing/inspect.js';
import type { Staleness } from '../indexing/inspect.js';
import { indexDeclaration, loadPrismaSchema, staleness } from '../indexing/prisma-schema.js';
import { renderMongoshScript, selectNeeded } from '../indexing/script.js';
import { loadResult } from '../report/load-result.js';
import { requireApplicationCollections } from '../mongo/required-collections.js';
import { assertRemoteWritesAllowed, assertWritable } from '../mongo/safety.js';
import { planTarget, type Target, withTarget } from '../mongo/target.js';
import { formatMs, table } from '../report/tables.js';
import { type IndexSpec, migrationSet, patternCollections, type Workload } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type {
  indexesApplyCommand,
  indexesCheckCommand,
  indexesListCommand,
  indexesScriptCommand,
  indexesVerifyCommand,
} from './indexes-options.js';
import { loadIndexSpecs } from '../indexing/load-specs.js';

interface IndexTargetOptions {
  uri?: string | undefined;
  db?: string | undefined;
  timeoutMs?: number | undefined;
}

/** The migration's set, or those named with --only (which must be among them). */
export function selectIndexes(set: readonly IndexSpec[], only: readonly string[] | undefined): IndexSpec[] {
  if (!only || only.length === 0) return [...set];
  const unknown = only.filter((n) => !set.some((s) => s.name === n));
  if (unknown.length > 0) throw new UsageError(`--only ${unknown.join(', ')}: not one of the set (${set.map((s) => s.name).join(', ')})`);
  return set.filter((s) => only.includes(s.name));
}

async function withExistingDatabase<T>(
  command: string,
  options: IndexTargetOptions & { allowRemoteWrites?: boolean },
  context: CommandContext,
  work: (target: Target) => Promise<T>,
): Promise<T> {
  if (options.uri === undefined) throw new UsageError(`${command} needs --uri (and --db): it works on an existing database`);
  const { uri, dbName } = planTarget(options);
  if (options.allowRemoteWrites !== undefined) assertRemoteWritesAllowed(uri, dbName, command, options.allowRemoteWrites);
  return withTarget({ ...options, ...context }, async (target) => {
    await requireApplicationCollections(target.db, context.workload.dataset.collections, patternCollections(context.workload));
    return work(target);
  });
}

// ─── indexes list ───────────────────────────────────────────────────────────────────────

export function renderIndexSpecs(specs: readonly IndexSpec[]): string {
  return table(
    ['#', 'priority', 'name', 'collection', 'key', 'expected impact'],
    specs.map((s, i) => [
      i + 1,
      s.priority ?? '',
      s.name,
      s.collection,
      formatKey(s.key) + (s.unique ? ' unique' : ''),
      s.expectedImpact ?? s.purpose ?? '',
    ]),
  );
}

/**
 * The index sets named by `--set` and read from `--indexes` files, one list in the order
 * given, each index once (by name; the same name with another key is refused): the set
 * a migration ships, e.g. the runbook's six and the remedies.
 */
export async function indexSetOf(
  workload: Workload,
  options: { set?: readonly string[] | undefined; indexes?: readonly string[] | undefined },
): Promise<IndexSpec[]> {
  const named = options.set ?? [];
  const files = options.indexes ?? [];
  const lists = [
    ...(named.length === 0 && files.length === 0 ? [workload.indexes.migration] : named).map((n) => workload.indexes.sets[n] ?? []),
  ];
  for (const file of files) lists.push(await loadIndexSpecs(file, workload.dataset.collections));
  const out: IndexSpec[] = [];
  for (const spec of lists.flat()) {
    const same = out.find((s) => s.name === spec.name);
    if (!same) out.push(spec);
    else if (!sameKey(same.key, spec.key) || same.collection !== spec.collection) {
      throw new UsageError(
        `two indexes are named ${spec.name} with other keys (${formatKey(same.key)} and ${formatKey(spec.key)}); rename one`,
      );
    }
  }
  return out;
}

export const indexesListImplementation = implementCommand<typeof indexesListCommand>()({
  run: ({ options }, context) => indexSetOf(context.workload, options),
  render: (specs, options) => ({ stdout: options.json ? json(specs) : renderIndexSpecs(specs), exitCode: ExitCode.pass }),
});

// ─── indexes script ─────────────────────────────────────────────────────────────────────

export const indexesScriptImplementation = implementCommand<typeof indexesScriptCommand>()({
  run: async ({ options }, context) => {
    if (options.onlyNeeded && options.result === undefined)
      throw new UsageError('--only-needed needs --result <result.json>: the run whose price judged each index');
    if (!options.onlyNeeded && options.result !== undefined) throw new UsageError('--result is read only with --only-needed');
    const specs = await indexSetOf(context.workload, options);
    if (options.result === undefined) return renderMongoshScript(specs, options.db);
    const result = await loadResult(options.result).catch((error: unknown) => {
      throw error instanceof ConfigError ? new UsageError(`--result ${error.message}`) : error;
    });
    const needed = selectNeeded(specs, result, options.result);
    return renderMongoshScript(needed.specs, options.db, needed);
  },
  render: (script) => ({ stdout: script, exitCode: ExitCode.pass }),
});

// ─── indexes apply ──────────────────────────────────────────────────────────────────────

export interface ApplyOutcome {
  readonly target: string;
  readonly database: string;
  readonly indexes: readonly IndexOutcome[];
  /** False when an index conflicts (same name, other key): exit code 1. */
  readonly ok: boolean;
}

export function renderApplyOutcome(outcome: ApplyOutcome): string {
  return [
    `indexes apply on ${outcome.database} (${outcome.target})`,
    table(
      ['index', 'collection', 'status', 'build', 'detail'],
      outcome.indexes.map((o) => [o.name, o.collection, o.status, o.buildMs > 0 ? formatMs(o.buildMs) : '–', o.detail]),
    ),
    outcome.ok
      ? 'All indexes in place.'
      : 'CONFLICT: an index with the same name and another key exists; nothing was dropped. Fix it by hand, then run apply again.',
  ].join('\n');
}

export const indexesApplyImplementation = implementCommand<typeof indexesApplyCommand>()({
  run: async ({ options }, context): Promise<ApplyOutcome> => {
    const specs = selectIndexes(await indexSetOf(context.workload, options), options.only);
    const allowRemoteWrites = options.allowRemoteWrites === true;
    return withExistingDatabase('indexes apply', { ...options, allowRemoteWrites }, context, async (target) => {
      await assertWritable(target, { command: 'indexes apply', allowRemoteWrites, allowWritesTo: options.allowWritesTo });
      const indexes = await applyIndexes(target.db, specs, {
        signal: context.signal,
        onIndex: (o) => context.reporter.notice(`${o.name}: ${o.status}${o.buildMs > 0 ? ` in ${Math.round(o.buildMs)} ms` : ''}`),
      });
      return { target: target.display, database: target.dbName, indexes, ok: indexes.every((o) => o.status !== 'conflict') };
    });
  },
  render: (outcome, options) => ({
    stdout: options.json ? json(outcome) : renderApplyOutcome(outcome),
    exitCode: outcome.ok ? ExitCode.pass : ExitCode.fail,
  }),
});

// ─── indexes verify ─────────────────────────────────────────────────────────────────────

export interface VerifyIndexesOutcome {
  readonly target: string;
  readonly database: string;
  readonly findings: readonly IndexFinding[];
  /** False when an index is missing or conflicts: exit code 1. */
  readonly ok: boolean;
}

export function renderIndexFindings(outcome: VerifyIndexesOutcome): string {
  return [
    `indexes verify on ${outcome.database} (${outcome.target}), judged by key pattern`,
    table(
      ['index', 'collection', 'status', 'detail'],
      outcome.findings.map((f) => [f.spec.name, f.spec.collection, f.status, f.detail]),
    ),
    outcome.ok
      ? `All ${outcome.findings.length} indexes are there (by key).`
      : `FAIL: ${outcome.findings.filter((f) => f.status === 'missing' || f.status === 'conflict').length} index(es) missing or conflicting.`,
  ].join('\n');
}

export const indexesVerifyImplementation = implementCommand<typeof indexesVerifyCommand>()({
  run: async ({ options }, context): Promise<VerifyIndexesOutcome> =>
    withExistingDatabase('indexes verify', options, context, async (target) => {
      const findings = await inspectIndexes(target.db, migrationSet(context.workload.indexes), context.workload.dataset.collections);
      return {
        target: target.display,
        database: target.dbName,
        findings,
        ok: findings.every((f) => f.status === 'present' || f.status === 'equivalent'),
      };
    }),
  render: (outcome, options) => ({
    stdout: options.json ? json(outcome) : renderIndexFindings(outcome),
    exitCode: outcome.ok ? ExitCode.pass : ExitCode.fail,
  }),
});

// ─── indexes check ──────────────────────────────────────────────────────────────────────

export interface SchemaCheckFinding {
  readonly spec: IndexSpec;
  /** The schema's index with the same key (and uniqueness), if it declares one. */
  readonly declaredAs: string | null;
  /** What the schema lacks for it (a field of its key, or its collection), when it is stale: such an index is never to be declared. */
  readonly stale: Staleness | null;
  /** The line to add to the model when it is neither declared nor stale. */
  readonly declaration: { readonly model: string; readonly line: string } | null;
}

export interface SchemaCheckOutcome {
  readonly file: string;
  readonly findings: readonly SchemaCheckFinding[];
  /** Every index of the set is declared by the schema (by key), none stale. */
  readonly ok: boolean;
}

/**
 * `indexes check --prisma-schema`: which indexes of the set the application's schema does
 * not declare (judged by key, whatever the name), and the `@@index` line that would
 * declare each; an index whose key names a field or collection the schema does not have
 * is stale, named with what is missing, and no line is written for it. Reads a file,
 * touches no database.
 */
export async function checkSchema(options: {
  prismaSchema: string;
  specs: readonly IndexSpec[];
  collections: readonly string[];
}): Promise<SchemaCheckOutcome> {
  const schema = await loadPrismaSchema(options.prismaSchema, options.collections);
  const findings = options.specs.map((spec): SchemaCheckFinding => {
    const stale = staleness(schema, spec) ?? null;
    // By key, whatever the name or uniqueness: a unique index with the same key serves the same queries (the runbook's #5 and Prisma's @@unique).
    const declared = stale ? undefined : schema.indexes.find((ix) => ix.collection === spec.collection && sameKey(ix.key, spec.key));
    return {
      spec,
      declaredAs: declared?.name ?? null,
      stale,
      declaration: declared || stale ? null : (indexDeclaration(schema, spec) ?? null),
    };
  });
  return { file: options.prismaSchema, findings, ok: findings.every((f) => f.declaredAs !== null && f.stale === null) };
}

/**
 * What `prisma db push` does on MongoDB to an index the schema does not declare, read from
 * prisma-engines (see docs/workload.md, "The application's schema"): said beside the lines to add.
 */
export const dbPushNote =
  'Why it matters: on MongoDB, `prisma db push` drops every index of a modelled collection that the schema does not declare by name ' +
  "(no warning, no --accept-data-loss; an index with the same key under another name is dropped and recreated under Prisma's name). " +
  'Declared with `map:` as above, each keeps its name and survives the next push. Source: prisma-engines mongodb-schema-connector differ.rs ' +
  '(DifferDatabase::new, dropped_indexes: indexes matched by name), destructive_change_checker.rs (no diagnostics); prisma/orm#12751.';

export function renderSchemaCheck(outcome: SchemaCheckOutcome): string {
  const stale = outcome.findings.filter((f) => f.stale !== null);
  const missing = outcome.findings.filter((f) => f.declaredAs === null && f.stale === null);
  const inSchema = (f: SchemaCheckFinding): string =>
    f.declaredAs ??
    (f.stale === null
      ? 'not declared'
      : f.stale.model === null
        ? 'STALE: no such collection'
        : `STALE: no field ${f.stale.fields.join(', ')}`);
  const lines = [
    `indexes check against ${outcome.file}, judged by key pattern`,
    table(
      ['index', 'collection', 'key', 'in the schema'],
      outcome.findings.map((f) => [f.spec.name, f.spec.collection, formatKey(f.spec.key), inSchema(f)]),
    ),
  ];
  if (stale.length === 0 && missing.length === 0) lines.push('Every index of the set is declared by the schema (by key).');
  if (stale.length > 0) {
    lines.push(
      `${stale.length} index(es) stale: each names a field or collection the schema does not have, so no line declares it; ` +
        "drop it from the set, or rewrite its key on the schema's fields:",
      ...stale.map((f) => `  ${f.spec.name} on ${f.spec.collection}: ${f.stale?.why ?? ''}`),
    );
  }
  if (missing.length > 0) {
    lines.push(`${missing.length} index(es) not declared. Add to the schema:`);
    const byModel = new Map<string, string[]>();
    for (const f of missing)
      if (f.declaration) byModel.set(f.declaration.model, [...(byModel.get(f.declaration.model) ?? []), f.declaration.line]);
    for (const [model, decl] of byModel) lines.push(`  model ${model} {`, ...decl.map((l) => `    ${l}`), '  }');
    lines.push(dbPushNote);
  }
  return lines.join('\n');
}

export const indexesCheckImplementation = implementCommand<typeof indexesCheckCommand>()({
  run: async ({ options }, context) =>
    checkSchema({
      prismaSchema: options.prismaSchema ?? context.workload.schemaFile,
      specs: await indexSetOf(context.workload, options),
      collections: context.workload.dataset.collections,
    }),
  render: (outcome, options) => ({
    stdout: options.json ? json(outcome) : renderSchemaCheck(outcome),
    exitCode: outcome.ok ? ExitCode.pass : ExitCode.fail,
  }),
});
