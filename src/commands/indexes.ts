import { runbookIndexes } from '../../indexes/runbook.js';
import type { IndexSpec } from '../../indexes/spec.js';
import { seededCollections } from '../../seed/collections.js';
import { UsageError } from '../errors.js';
import { applyIndexes, type IndexOutcome } from '../indexes/apply.js';
import { type IndexFinding, inspectIndexes, sameKey } from '../indexes/inspect.js';
import { indexDeclaration, loadPrismaSchema } from '../indexes/prisma-schema.js';
import { renderMongoshScript } from '../indexes/script.js';
import { requireApplicationCollections } from '../mongo/collections.js';
import { assertRemoteWritesAllowed, assertWritable } from '../mongo/safety.js';
import { planTarget, type Target, withTarget } from '../mongo/target.js';
import type { CommandContext } from './context.js';

export { type IndexSet, indexSets } from '../../indexes/index.js';
import { type IndexSet, indexSets } from '../../indexes/index.js';

export interface IndexTargetOptions {
  uri?: string | undefined;
  db?: string | undefined;
  timeoutMs?: number | undefined;
}

/** `indexes list`: the specs as data. */
export function listIndexSpecs(set: IndexSet): readonly IndexSpec[] {
  return indexSets[set];
}

/** `indexes script`: the mongosh script of the runbook's step 4, generated from the specs. */
export function indexScript(database?: string): string {
  return renderMongoshScript(runbookIndexes, database);
}

/** Picks the six, or those named with --only (which must be among them). */
export function selectIndexes(only: readonly string[] | undefined): IndexSpec[] {
  if (!only || only.length === 0) return [...runbookIndexes];
  const unknown = only.filter((n) => !runbookIndexes.some((s) => s.name === n));
  if (unknown.length > 0) throw new UsageError(`--only ${unknown.join(', ')}: not one of the six (${runbookIndexes.map((s) => s.name).join(', ')})`);
  return runbookIndexes.filter((s) => only.includes(s.name));
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
    await requireApplicationCollections(target.db);
    return work(target);
  });
}

export interface ApplyOutcome {
  readonly target: string;
  readonly database: string;
  readonly indexes: readonly IndexOutcome[];
  /** False when an index conflicts (same name, other key): exit code 1. */
  readonly ok: boolean;
}

/** `indexes apply`: creates the six where allowed, idempotently, timing each build. */
export async function applyIndexesCommand(
  options: IndexTargetOptions & { only?: readonly string[] | undefined; allowRemoteWrites: boolean; allowWritesTo?: string | undefined },
  context: CommandContext,
): Promise<ApplyOutcome> {
  const specs = selectIndexes(options.only);
  return withExistingDatabase('indexes apply', options, context, async (target) => {
    await assertWritable(target, { command: 'indexes apply', allowRemoteWrites: options.allowRemoteWrites, allowWritesTo: options.allowWritesTo });
    const indexes = await applyIndexes(target.db, specs, {
      signal: context.signal,
      onIndex: (o) => context.reporter.notice(`${o.name}: ${o.status}${o.buildMs > 0 ? ` in ${Math.round(o.buildMs)} ms` : ''}`),
    });
    return { target: target.display, database: target.dbName, indexes, ok: indexes.every((o) => o.status !== 'conflict') };
  });
}

export interface VerifyIndexesOutcome {
  readonly target: string;
  readonly database: string;
  readonly findings: readonly IndexFinding[];
  /** False when an index is missing or conflicts: exit code 1. */
  readonly ok: boolean;
}

/** `indexes verify`: read-only; judges each of the six by key, whatever its name. */
export async function verifyIndexesCommand(options: IndexTargetOptions, context: CommandContext): Promise<VerifyIndexesOutcome> {
  return withExistingDatabase('indexes verify', options, context, async (target) => {
    const findings = await inspectIndexes(target.db, runbookIndexes, seededCollections);
    return { target: target.display, database: target.dbName, findings, ok: findings.every((f) => f.status === 'present' || f.status === 'equivalent') };
  });
}

/** Findings as the result JSON's `indexes[]` entries. */
export function findingsAsOutcomes(findings: readonly IndexFinding[]): IndexOutcome[] {
  return findings.map((f) => ({
    name: f.spec.name,
    collection: f.spec.collection,
    key: f.spec.key,
    status: f.status,
    buildMs: 0,
    existingName: f.existingName,
    detail: f.detail,
    priority: f.spec.priority,
  }));
}

export interface SchemaCheckFinding {
  readonly spec: IndexSpec;
  /** The schema's index with the same key (and uniqueness), if it declares one. */
  readonly declaredAs: string | null;
  /** The line to add to the model when it does not. */
  readonly declaration: { readonly model: string; readonly line: string } | null;
}

export interface SchemaCheckOutcome {
  readonly file: string;
  readonly findings: readonly SchemaCheckFinding[];
  /** Every index of the set is declared by the schema (by key). */
  readonly ok: boolean;
}

/**
 * `indexes check --prisma-schema`: which indexes of the set the application's schema does
 * not declare (judged by key, whatever the name), and the `@@index` line that would
 * declare each. Reads a file, touches no database.
 */
export async function checkSchemaCommand(options: { prismaSchema: string; set: IndexSet }): Promise<SchemaCheckOutcome> {
  const schema = await loadPrismaSchema(options.prismaSchema);
  const findings = indexSets[options.set].map((spec) => {
    // By key, whatever the name or uniqueness: a unique index with the same key serves the same queries (the runbook's #5 and Prisma's @@unique).
    const declared = schema.indexes.find((ix) => ix.collection === spec.collection && sameKey(ix.key, spec.key));
    return { spec, declaredAs: declared?.name ?? null, declaration: declared ? null : (indexDeclaration(schema, spec) ?? null) };
  });
  return { file: options.prismaSchema, findings, ok: findings.every((f) => f.declaredAs !== null) };
}
