import { randomBytes } from 'node:crypto';
import { type Db, MongoClient, MongoError, MongoServerError, MongoServerSelectionError, type ReadPreferenceMode } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cleanup } from '../cleanup.js';
import { ConnectionError, ServerError, throwIfAborted } from '../errors.js';
import type { Reporter } from '../progress.js';
import type { HostInfo } from '../system.js';
import { type EmbeddedOptions, type EmbeddedServer, startEmbedded } from './embedded.js';
import { describeEnvironment, describeServer, type Environment } from './environment.js';
import { parseTargetUri, redactText, type TargetUri, validateDatabaseName } from './uri.js';

export const defaultDatabase = 'indexgate';
export const defaultTimeoutMs = 5_000;

export interface TargetOptions {
  /** A MongoDB URI; without it an embedded, throw-away mongod is started. */
  uri?: string | undefined;
  /** Database name; default: the URI's database, else "indexgate". */
  db?: string | undefined;
  /** Connection and server-selection timeout. */
  timeoutMs?: number | undefined;
  readPreference?: ReadPreferenceMode | undefined;
  host: HostInfo;
  reporter: Reporter;
  cleanup: Cleanup;
  signal?: AbortSignal | undefined;
  /** Embedded only: a data folder to start the server on (the dataset cache). */
  initialData?: EmbeddedOptions['initialData'];
  /** Embedded only: the WiredTiger cache (see `embeddedCacheGb`). */
  cacheSizeGb?: number | undefined;
}

/** An open connection to the database a command works on. */
export interface Target {
  readonly kind: 'embedded' | 'uri';
  readonly client: MongoClient;
  readonly db: Db;
  readonly dbName: string;
  /** Safe to print: credentials replaced. */
  readonly display: string;
  /** True for the embedded server and for URIs whose hosts are all this machine. */
  readonly loopback: boolean;
  readonly environment: Environment;
  readonly embedded: EmbeddedServer | undefined;
  /** The client's appName (`indexgate-<random>`): how its operations show in currentOp and the server's log. */
  readonly appName: string;
  /** Removes credentials from text before it is printed or stored. */
  redact(text: string): string;
  /**
   * Translates a driver error into the clear one-line error the user sees. When the
   * embedded mongod died, the driver's error can arrive before the exit is noticed: it
   * waits a moment for it.
   */
  explainError(error: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Parses and validates target options without connecting (usage errors come first). */
export function planTarget(options: Pick<TargetOptions, 'uri' | 'db'>): { uri: TargetUri | undefined; dbName: string } {
  const uri = options.uri === undefined ? undefined : parseTargetUri(options.uri);
  const dbName = validateDatabaseName(options.db ?? uri?.pathDatabase ?? defaultDatabase);
  return { uri, dbName };
}

/**
 * Opens the target, runs `work` on it and always closes it (mongodb-runner's
 * `withClient`); a driver error is turned into the clear one-line error the user sees.
 * `open` lets a caller time the opening (bench and verify's "start" stage).
 */
export async function withTarget<T>(
  options: TargetOptions,
  work: (target: Target) => Promise<T>,
  open: (start: () => Promise<Target>) => Promise<Target> = (start) => start(),
): Promise<T> {
  const target = await open(() => openTarget(options));
  try {
    return await work(target);
  } catch (error) {
    throw await target.explainError(error);
  } finally {
    await target.close();
  }
}

/**
 * Stops every operation this run's client still has on the server (an interrupted run's
 * commands would otherwise run on until their maxTimeMS): `currentOp` with `$ownOps` for
 * our appName, then `killOp` for each. Best effort: a server that refuses says nothing here.
 */
export async function killOwnOperations(client: MongoClient, appName: string): Promise<number> {
  try {
    const admin = client.db('admin');
    const reply = await admin.command({ currentOp: 1, $ownOps: true, appName });
    const ops = ((reply.inprog ?? []) as Array<{ opid?: unknown; appName?: string }>).filter(
      (op) => op.appName === appName && op.opid !== undefined,
    );
    for (const op of ops) await admin.command({ killOp: 1, op: op.opid }).catch(() => undefined);
    return ops.length;
  } catch {
    return 0;
  }
}

export async function openTarget(options: TargetOptions): Promise<Target> {
  const { uri, dbName } = planTarget(options);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let embedded: EmbeddedServer | undefined;
  if (!uri) {
    embedded = await startEmbedded({
      host: options.host,
      reporter: options.reporter,
      signal: options.signal,
      onCleanup: (stop) => options.cleanup.add(stop),
      initialData: options.initialData,
      cacheSizeGb: options.cacheSizeGb,
    });
  }
  throwIfAborted(options.signal);
  const connectionString = uri?.raw ?? embedded?.uri ?? '';
  const display = uri?.redacted ?? 'embedded';
  const secrets = uri?.secrets ?? [];
  const redact = (text: string) => redactText(text, secrets);
  // Named per run, so that its operations can be told apart on a shared server and stopped if the run is.
  const appName = `indexgate-${randomBytes(4).toString('hex')}`;
  const client = new MongoClient(connectionString, {
    appName,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    ...(options.readPreference ? { readPreference: options.readPreference } : {}),
  });
  options.cleanup.add(() => client.close(true));
  // Runs first (cleanup is newest first): an interrupted run leaves no command of its own running on the server.
  if (uri) options.cleanup.add(async () => void (await killOwnOperations(client, appName)));

  const explainError = async (error: unknown): Promise<unknown> => {
    if (embedded && error instanceof MongoError) {
      for (let waited = 0; !embedded.died && waited < 2000; waited += 50) await sleep(50);
    }
    if (embedded?.died) {
      const { code, signal } = embedded.died;
      return new ServerError(
        'run',
        `exit code ${code ?? 'none'}${signal ? `, signal ${signal}` : ''}; the embedded mongod's data is lost`,
        { cause: error },
      );
    }
    return translateDriverError(error, display, timeoutMs, redact);
  };

  let environment: Environment;
  try {
    await client.connect();
    const db = client.db(dbName);
    environment = describeEnvironment(await describeServer(db), display, embedded?.mongod);
  } catch (error) {
    throw await explainError(error);
  }

  return {
    kind: uri ? 'uri' : 'embedded',
    client,
    db: client.db(dbName),
    dbName,
    display,
    loopback: uri ? uri.loopback : true,
    environment,
    embedded,
    redact,
    explainError,
    appName,
    close: async () => {
      if (uri) await killOwnOperations(client, appName);
      await client.close(true);
      await embedded?.stop();
    },
  };
}

/** Driver errors the user can act on become ConnectionError; others pass through. */
export function translateDriverError(error: unknown, display: string, timeoutMs: number, redact: (s: string) => string): unknown {
  if (error instanceof MongoServerSelectionError) {
    const reason = redact(error.reason?.error?.message ?? error.message).split('\n')[0];
    return new ConnectionError(
      display,
      `no server answered within ${timeoutMs / 1000} s (${reason}); check the host, port and network, or raise --timeout-ms`,
      { cause: error },
    );
  }
  if (error instanceof MongoServerError && (error.code === 18 || error.codeName === 'AuthenticationFailed')) {
    return new ConnectionError(display, 'authentication failed: check the user name, password and authSource in the URI', { cause: error });
  }
  if (error instanceof MongoServerError && (error.code === 13 || error.codeName === 'Unauthorized')) {
    return new ConnectionError(display, `not authorized: ${redact(error.message)}`, { cause: error });
  }
  if (error instanceof MongoError && error.name === 'MongoParseError') {
    return new ConnectionError(display, redact(error.message), { cause: error });
  }
  return error;
}
