import { dirname } from 'node:path';
import { readLog, readProfile, type CaptureReading } from '../capture/sources.js';
import { buildWorkload, type WorkloadFile } from '../capture/workload-file.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { exists } from '../system.js';
import { ExitCode } from '../exit-code.js';
import { formatMs, formatNumber, table } from '../report/tables.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { captureCommand } from './capture-options.js';

export interface CaptureCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  /** A mongod log file (JSON lines, plain or gzip) instead of a database's profiler. */
  log?: string | undefined;
  /** The workload file to write. */
  out: string;
  /** The workload's name (its `routes[].id` when replayed). */
  name: string;
  /** Real parameter sets kept per shape. */
  params: number;
  /** Replace an existing workload file. */
  force?: true | undefined;
  skipUnknown?: true | undefined;
  timeoutMs?: number | undefined;
}

export interface CaptureOutcome {
  readonly workload: WorkloadFile;
  readonly file: string;
}

/**
 * `indexgate capture`: reads what the application sent (the profiler of a `--uri`
 * database, or a `--log` file), groups it into shapes and writes a workload file. Never
 * writes to the database (the profiler is turned on and off by the operator); nothing is
 * written at all when the source cannot be read whole.
 */
export async function captureWorkload(options: CaptureCommandOptions, context: CommandContext): Promise<CaptureOutcome> {
  if (options.log !== undefined && options.uri !== undefined)
    throw new UsageError("capture reads either --uri (its database's system.profile) or --log <file>, not both");
  if (options.log === undefined && options.uri === undefined) {
    throw new UsageError("capture needs --uri <mongodb-uri> (reads the database's system.profile) or --log <mongod log file>");
  }
  if (!options.force && (await exists(options.out)))
    throw new UsageError(`--out ${options.out} exists; pass --force to replace it, or name another file`);
  const outDir = dirname(options.out);
  if (!(await exists(outDir)))
    throw new UsageError(`--out ${options.out}: the folder ${outDir} does not exist; create it or name another file`);

  let reading: CaptureReading;
  let source: { kind: 'profile' | 'log'; from: string; database: string | null };
  if (options.log !== undefined) {
    reading = await readLog(options.log, { database: options.db, skipUnknown: options.skipUnknown === true });
    source = { kind: 'log', from: options.log, database: options.db ?? reading.operations[0]?.database ?? null };
  } else {
    const { dbName } = planTarget(options);
    const read = await withTarget({ ...options, ...context }, async (target) => ({
      reading: await readProfile(target.db, { skipUnknown: options.skipUnknown === true }),
      display: target.display,
    }));
    reading = read.reading;
    source = { kind: 'profile', from: `${read.display} ${dbName}.system.profile`, database: dbName };
  }
  const workload = buildWorkload(reading, { name: options.name, source, paramsPerShape: options.params });
  if (workload.shapes.length === 0) {
    const skipped = Object.entries(reading.skipped)
      .map(([why, n]) => `${n} ${why}`)
      .join(', ');
    throw new UsageError(
      `${source.from}: no read command to capture among ${reading.entries} entries (${skipped || 'none skipped'}); exercise the application while the profiler (or slowms) records it`,
    );
  }
  await writeFileAtomic(options.out, `${JSON.stringify(workload, null, 2)}\n`);
  return { workload, file: options.out };
}

export function renderCapture(outcome: CaptureOutcome): string {
  const w = outcome.workload;
  const skipped = Object.entries(w.source.skipped)
    .map(([why, n]) => `${formatNumber(n)} ${why}`)
    .join(', ');
  return [
    `capture from ${w.source.from}: ${formatNumber(w.source.entries)} entries, ${w.shapes.length} read shapes${skipped ? ` (skipped: ${skipped})` : ''}`,
    table(
      ['#', 'shape', 'command', 'collection', 'calls', 'total', 'p50', 'recorded plan', 'params'],
      w.shapes.map((s, i) => [
        i + 1,
        s.id,
        s.command,
        s.collection,
        formatNumber(s.count),
        formatMs(s.recorded.totalMs),
        formatMs(s.recorded.p50Ms),
        s.recorded.planSummary ?? '–',
        s.unreplayable ? 'none (truncated)' : s.params.length,
      ]),
    ),
    `wrote ${outcome.file}; replay it with \`indexgate bench --workload ${outcome.file}\` or \`indexgate verify --uri … --workload ${outcome.file}\``,
  ].join('\n');
}

export const captureImplementation = implementCommand<typeof captureCommand>()({
  run: ({ options }, context) => captureWorkload(options, context),
  render: (outcome, options) => ({ stdout: options.json ? json(outcome.workload) : renderCapture(outcome), exitCode: ExitCode.pass }),
});
