import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { MongoInstance } from 'mongodb-memory-server-core';
import { ServerError, throwIfAborted } from '../errors.js';
import type { Reporter } from '../progress.js';
import type { HostInfo } from '../system.js';
import { resolveMongod, type ResolvedMongod } from './binary.js';
import { endWineSession } from './wine.js';

export interface EmbeddedServer {
  readonly uri: string;
  readonly mongod: ResolvedMongod;
  /** mongod's data folder (the dataset cache copies it). */
  readonly dbPath: string;
  /** The cached data folder the server was started on, when it was. */
  readonly restoredFrom: string | undefined;
  /** Set when mongod exited while we were using it. */
  readonly died: { code: number | null; signal: string | null } | undefined;
  /** Stops mongod (cleanly when it can) and removes every file it wrote. Idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  host: HostInfo;
  reporter: Reporter;
  signal?: AbortSignal;
  /** Called as soon as there is something to clean up, before start completes: lets Ctrl-C during start clean up too. */
  onCleanup?: (stop: () => Promise<void>) => void;
  /** A data folder to start from (the dataset cache), chosen once the mongod binary, and so its version, is known. */
  initialData?: ((mongod: ResolvedMongod) => Promise<string | undefined>) | undefined;
  /** The WiredTiger cache (GB); default: mongod's own natively, 1 GB under Wine. */
  cacheSizeGb?: number | undefined;
}

/**
 * The WiredTiger cache a dataset of this size asks for: for a production-sized one
 * (a scale marked `largeCache`, such as `large`), what mongod chooses by default on this machine, half of (memory − 1 GB)
 * (MongoDB manual, "WiredTiger Storage Engine", cache size); otherwise none (the
 * server's default, 1 GB under Wine). Measured here, seeding `large` under Wine: 35 k
 * docs/s with 1 GB, 57 k docs/s with the default (11 GB on this 24 GB machine), since
 * its `_id` indexes outgrow 1 GB and every insert then reads and evicts index pages.
 */
export function embeddedCacheGb(scale: { readonly largeCache?: boolean } | undefined, totalMemoryBytes: number): number | undefined {
  if (!scale?.largeCache) return undefined;
  return Math.max(1, Math.floor(((totalMemoryBytes / 2 ** 30 - 1) / 2) * 10) / 10);
}

/**
 * Starts a throw-away mongod through mongodb-memory-server on a free loopback port, with
 * its data in a fresh temporary folder. Use `stop()` in a `finally`.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { host, reporter, signal } = options;
  const mongod = await resolveMongod(host, reporter, signal);
  reporter.notice(mongod.notice);
  throwIfAborted(signal);

  // One folder holds the data files and is mongod's working directory (Wine writes crash dumps there).
  const scratch = await mkdtemp(join(host.tmpdir, 'indexgate-mongod-'));
  const dbPath = join(scratch, 'db');
  // What stop() finds made when it runs (an interrupt may come at any point of the start).
  const made: { instance?: MongoInstance; restoring?: Promise<unknown> } = {};
  let ready = false;
  let stopping: Promise<void> | undefined;
  let died: EmbeddedServer['died'];
  // Known once a port is chosen; a server can only be ready after that.
  let uri = '';

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // A restore still copying is let finish: removed under it, the files it writes next would outlive the folder.
      await made.restoring?.catch(() => undefined);
      const process = made.instance?.mongodProcess;
      if (process && process.exitCode === null && process.signalCode === null) {
        if (ready && !died) await shutdownCommand(uri);
        await waitForExit(process, ready ? 10_000 : 0);
      }
      if (made.instance) {
        await made.instance.stop().catch(() => undefined);
        if (mongod.underWine) await endWineSession(host, scratch);
      }
      await rm(scratch, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
    })();
    return stopping;
  };
  // Registered as soon as the folder exists: an interrupt from here on (a dataset restore takes seconds) removes it.
  options.onCleanup?.(stop);

  await mkdir(dbPath);
  const restore = (async () => {
    const from = await options.initialData?.(mongod);
    if (from) await cp(from, dbPath, { recursive: true });
    return from;
  })();
  made.restoring = restore;
  const restoredFrom = await restore;
  throwIfAborted(signal);
  // Loaded here, not at start: a command that starts no server (and every refusal) need not load mongodb-memory-server.
  const [{ MongoInstance }, { MongoInstanceEvents }, { getFreePort }] = await Promise.all([
    import('mongodb-memory-server-core'),
    import('mongodb-memory-server-core/lib/util/MongoInstance.js'),
    import('mongodb-memory-server-core/lib/util/getport/index.js'),
  ]);
  const port = await getFreePort();
  uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  const server = new MongoInstance({
    instance: {
      port,
      ip: '127.0.0.1',
      dbPath,
      launchTimeout: 180_000,
      args: options.cacheSizeGb === undefined ? [] : ['--wiredTigerCacheSizeGB', String(options.cacheSizeGb)],
    },
    binary: { systemBinary: mongod.path, version: mongod.version, checkMD5: false },
    // Detached: a Ctrl-C in the terminal reaches us, not mongod; we stop it in order.
    // Wine's own temporary files go to TMPDIR: keep them in the folder we remove.
    spawn: { cwd: scratch, detached: true, env: { ...host.env, TMPDIR: scratch } },
  });
  made.instance = server;
  server.on(MongoInstanceEvents.instanceClosed, (code: number | null, sig: string | null) => {
    if (!stopping && ready) died ??= { code, signal: sig };
  });

  try {
    await server.start();
    ready = true;
    // 'exit', not 'close': Wine's helper processes can keep mongod's output pipes open
    // after mongod itself is gone, which delays 'close'.
    server.mongodProcess?.once('exit', (code, sig) => {
      if (!stopping) died ??= { code, signal: sig };
    });
  } catch (error) {
    await stop();
    throwIfAborted(signal);
    throw new ServerError('start', startFailure(error, mongod), { cause: error });
  }

  return {
    uri,
    mongod,
    dbPath,
    restoredFrom,
    get died() {
      return died;
    },
    stop,
  };
}

/** `{shutdown: 1}` is the clean way out (under Wine, signals kill mongod uncleanly). */
async function shutdownCommand(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 });
  try {
    await client.db('admin').command({ shutdown: 1, force: true });
  } catch {
    // The server closes our connection as it exits: expected.
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

async function waitForExit(child: NonNullable<MongoInstance['mongodProcess']>, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    await sleep(50);
  }
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < killDeadline) await sleep(50);
  }
}

function startFailure(error: unknown, mongod: ResolvedMongod): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n').find((l) => l.trim().length > 0) ?? 'unknown error';
  return `${firstLine} (binary: ${mongod.path}, from ${mongod.source})`;
}
