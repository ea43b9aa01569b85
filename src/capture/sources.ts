import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { BSON, type Db, type Document } from 'mongodb';
import { ConfigError, TargetStateError } from '../errors.js';
import { commandName, readCommands, skippedCommands } from './shape.js';

/**
 * Where captured commands come from, read-only:
 *  - the database profiler's `system.profile` (one document per operation: `op`, `ns`,
 *    `command`, `originatingCommand` for a getMore, `millis`, `planSummary`, `keysExamined`,
 *    `docsExamined`, `nreturned`; MongoDB manual, "Database Profiler Output");
 *  - a mongod log file (structured JSON lines since 4.4, plain or gzip): the `"Slow query"`
 *    lines (id 51803, `attr.command`, `attr.originatingCommand`, `attr.durationMillis`,
 *    `attr.planSummary`; MongoDB manual, "Log Messages"), written for every operation when
 *    `slowms` is low enough.
 * Both give the same operation records; the grouping into shapes is the workload's job.
 */

export interface CapturedOperation {
  readonly database: string;
  readonly collection: string;
  /** The command as the server recorded it (for a getMore: the command that opened its cursor). */
  readonly command: Document;
  readonly getMore: boolean;
  readonly millis: number;
  readonly planSummary?: string | undefined;
  readonly keysExamined?: number | undefined;
  readonly docsExamined?: number | undefined;
  readonly nreturned?: number | undefined;
  /** The server shortened the command when recording it (over its size limit): it cannot be replayed. */
  readonly truncated: boolean;
}

export interface CaptureReading {
  readonly operations: CapturedOperation[];
  /** Entries read, and those that were not reads to replay, by reason. */
  readonly entries: number;
  readonly skipped: Record<string, number>;
}

export interface ReadOptions {
  /** Skip entries whose command indexgate does not know, instead of refusing the capture. */
  skipUnknown?: boolean;
}

const numberOr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bump = (skipped: Record<string, number>, reason: string) => {
  skipped[reason] = (skipped[reason] ?? 0) + 1;
};

/**
 * Classifies one recorded command: a read (with the command that counts for its shape), or
 * the reason it is skipped. An unknown command name is an error unless `skipUnknown`.
 */
function classify(
  where: string,
  file: string,
  ns: string,
  command: Document | undefined,
  originating: Document | undefined,
  options: ReadOptions,
): { read: { database: string; collection: string; command: Document; getMore: boolean } } | { skip: string } {
  if (!command || typeof command !== 'object') return { skip: 'no command recorded' };
  const name = commandName(command);
  if (name === undefined) return { skip: 'empty command' };
  const [database = ''] = ns.split('.');
  if (['admin', 'local', 'config'].includes(database)) return { skip: 'system database' };
  if (name === 'getMore') {
    if (!originating || !readCommands.includes(commandName(originating) as (typeof readCommands)[number]))
      return { skip: 'getMore without its originating read' };
    return { read: { database, collection: String(originating[commandName(originating) as string]), command: originating, getMore: true } };
  }
  if ((readCommands as readonly string[]).includes(name)) {
    const target = command[name];
    if (typeof target !== 'string') return { skip: `${name} without a collection name` };
    if (target.startsWith('system.')) return { skip: 'system collection' };
    return { read: { database, collection: target, command, getMore: false } };
  }
  if (skippedCommands.has(name)) return { skip: name === 'explain' ? 'explain' : 'not a read' };
  if (options.skipUnknown) return { skip: 'unknown command' };
  throw new ConfigError(
    file,
    `${where}: unknown command "${name}" (not a read indexgate replays, nor a command it knows to skip); pass --skip-unknown to skip such entries`,
  );
}

const readOperation = (
  read: { database: string; collection: string; command: Document; getMore: boolean },
  fields: Document,
  truncated: boolean,
): CapturedOperation => ({
  ...read,
  millis: numberOr(fields.millis) ?? 0,
  planSummary: typeof fields.planSummary === 'string' ? fields.planSummary : undefined,
  keysExamined: numberOr(fields.keysExamined),
  docsExamined: numberOr(fields.docsExamined),
  nreturned: numberOr(fields.nreturned),
  truncated,
});

/** The profiler's entries of a database, oldest first. Fails (exit 2) when there is no profile or it is empty. */
export async function readProfile(db: Db, options: ReadOptions = {}): Promise<CaptureReading> {
  const where = `database "${db.databaseName}"`;
  const present = await db.listCollections({ name: 'system.profile' }, { nameOnly: true }).toArray();
  if (present.length === 0) {
    throw new TargetStateError(
      db.databaseName,
      'has no system.profile: the profiler has never been on here; turn it on with db.setProfilingLevel(1, { slowms: 0, sampleRate: 1 }), exercise the application, then capture (see docs/capture-and-replay.md)',
    );
  }
  const operations: CapturedOperation[] = [];
  const skipped: Record<string, number> = {};
  let entries = 0;
  const cursor = db.collection('system.profile').find({}, { sort: { ts: 1 } });
  for await (const entry of cursor) {
    entries++;
    const ns = String(entry.ns ?? '');
    const classified = classify(
      `${where}, system.profile entry ${entries}`,
      `${where} system.profile`,
      ns,
      entry.command as Document | undefined,
      entry.originatingCommand as Document | undefined,
      options,
    );
    if ('skip' in classified) {
      bump(skipped, classified.skip);
      continue;
    }
    const command = classified.read.command;
    operations.push(readOperation(classified.read, entry, '$truncated' in command || typeof command.$truncated === 'string'));
  }
  if (entries === 0) {
    throw new TargetStateError(
      db.databaseName,
      'system.profile is empty: turn the profiler on (db.setProfilingLevel(1, { slowms: 0 })) and exercise the application before capturing',
    );
  }
  return { operations, entries, skipped };
}

/** A gzip file starts with 1f 8b. */
async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(
      file,
      error.code === 'ENOENT'
        ? 'no such file; pass the mongod log file (JSON lines, plain or .gz) to --log'
        : `cannot be read (${error.code ?? String(error)})`,
    );
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The slow-query lines of a mongod log file (JSON lines, plain or gzip), for one database
 * (`database`, or the only one the log holds). Any line that is not a mongod log entry (a
 * foreign line, truncated JSON) stops the capture with its line number: a workload read
 * from half a file would not be the application's.
 */
export async function readLog(file: string, options: ReadOptions & { database?: string | undefined } = {}): Promise<CaptureReading> {
  const gzip = await isGzip(file);
  const raw = createReadStream(file);
  const lines = createInterface({ input: gzip ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity });
  const operations: CapturedOperation[] = [];
  const skipped: Record<string, number> = {};
  let entries = 0;
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const where = `line ${n}`;
      if (!line.trimStart().startsWith('{'))
        throw new ConfigError(
          file,
          `${where} is not a mongod JSON log line (${JSON.stringify(line.slice(0, 40))}); pass the mongod log itself (MongoDB 4.4+ writes JSON lines), plain or gzip`,
        );
      let entry: Document;
      try {
        entry = BSON.EJSON.parse(line, { relaxed: true }) as Document;
      } catch (error) {
        throw new ConfigError(
          file,
          `${where} is truncated or malformed JSON (${error instanceof Error ? error.message : String(error)}); capture from a complete log file`,
        );
      }
      if (typeof entry !== 'object' || entry === null || !('t' in entry) || !('msg' in entry)) {
        throw new ConfigError(file, `${where} is JSON but not a mongod log entry (no "t" and "msg" fields); pass the mongod log itself`);
      }
      entries++;
      const attr = entry.attr as Document | undefined;
      if (entry.msg !== 'Slow query' || !attr || attr.type !== 'command') {
        bump(skipped, 'not a slow-query line');
        continue;
      }
      const classified = classify(
        where,
        file,
        String(attr.ns ?? ''),
        attr.command as Document | undefined,
        attr.originatingCommand as Document | undefined,
        options,
      );
      if ('skip' in classified) {
        bump(skipped, classified.skip);
        continue;
      }
      if (options.database !== undefined && classified.read.database !== options.database) {
        bump(skipped, 'another database');
        continue;
      }
      const shortened = attr.truncated !== undefined || '$truncated' in classified.read.command;
      operations.push(readOperation(classified.read, { ...attr, millis: attr.durationMillis }, shortened));
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      file,
      `cannot be read past line ${n} (${error instanceof Error ? error.message : String(error)})${gzip ? ': is the gzip file complete?' : ''}`,
    );
  } finally {
    lines.close();
    raw.destroy();
  }
  if (entries === 0) throw new ConfigError(file, 'holds no mongod log entry; pass the mongod log file (JSON lines), plain or gzip');
  const databases = [...new Set(operations.map((o) => o.database))];
  if (options.database === undefined && databases.length > 1) {
    throw new ConfigError(file, `holds reads of several databases (${databases.join(', ')}); name the application's with --db`);
  }
  return { operations, entries, skipped };
}
