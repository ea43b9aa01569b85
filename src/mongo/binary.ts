import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { MongodUnavailableError } from '../errors.js';
import type { Reporter } from '../progress.js';
import { type HostInfo, isExecutable, run, which } from '../system.js';
import { findWineMongod, provisionWineMongod, wineFallbackSupported } from './wine.js';

/** Where the mongod came from, in the order they are tried. */
export const mongodSources = ['MONGOMS_SYSTEM_BINARY', 'PATH', 'mongodb-memory-server', 'wine'] as const;
export type MongodSource = (typeof mongodSources)[number];

export interface ResolvedMongod {
  readonly source: MongodSource;
  /** What mongodb-memory-server spawns (for Wine: the wrapper script). */
  readonly path: string;
  /** Server version, e.g. "7.0.15". */
  readonly version: string;
  /** Under Wine every round trip costs about 1.3 ms more; reports say so. */
  readonly underWine: boolean;
  /** The one line printed on stderr. */
  readonly notice: string;
}

/**
 * Finds a mongod for the embedded server, in this order: MONGOMS_SYSTEM_BINARY; a mongod
 * on PATH; mongodb-memory-server's cache or download; the Wine fallback (provisioned on
 * first use where that is possible). Throws MongodUnavailableError listing what was tried.
 */
export async function resolveMongod(host: HostInfo, reporter: Reporter, signal?: AbortSignal): Promise<ResolvedMongod> {
  const tried: string[] = [];

  const systemBinary = host.env.MONGOMS_SYSTEM_BINARY;
  if (systemBinary) {
    if (!(await isExecutable(systemBinary))) {
      throw new MongodUnavailableError([`MONGOMS_SYSTEM_BINARY=${systemBinary} is not an executable file`]);
    }
    const version = await binaryVersion(systemBinary, host);
    const wine = await findWineMongod(host);
    const underWine = wine?.wrapper === systemBinary;
    return {
      source: 'MONGOMS_SYSTEM_BINARY',
      path: systemBinary,
      version,
      underWine,
      notice: `mongod ${version} from MONGOMS_SYSTEM_BINARY (${systemBinary})`,
    };
  }
  tried.push('MONGOMS_SYSTEM_BINARY is not set');

  const onPath = await which('mongod', host.env);
  if (onPath) {
    const version = await binaryVersion(onPath, host);
    return { source: 'PATH', path: onPath, version, underWine: false, notice: `mongod ${version} from PATH (${onPath})` };
  }
  tried.push('no mongod on PATH');

  const fromMms = await fromMongodbMemoryServer(host);
  if (fromMms.kind === 'found') return fromMms.mongod;
  tried.push(fromMms.reason);

  if (!wineFallbackSupported(host)) throw new MongodUnavailableError(tried);
  const wine = await provisionWineMongod(host, reporter, signal);
  return {
    source: 'wine',
    path: wine.wrapper,
    version: wine.version,
    underWine: true,
    notice: `mongod ${wine.version} (Windows build) under Wine, offline fallback: ${fromMms.reason}`,
  };
}

async function binaryVersion(path: string, host: HostInfo): Promise<string> {
  try {
    const { stdout } = await run(path, ['--version'], { env: { ...host.env }, timeoutMs: 60_000 });
    const match = /db version v?(\d+\.\d+\.\d+)/i.exec(stdout);
    if (match?.[1]) return match[1];
  } catch (error) {
    throw new MongodUnavailableError([`${path} --version failed: ${error instanceof Error ? error.message : String(error)}`]);
  }
  throw new MongodUnavailableError([`${path} --version did not print "db version"`]);
}

type MmsOutcome = { kind: 'found'; mongod: ResolvedMongod } | { kind: 'unavailable'; reason: string };

/** mongodb-memory-server's cache, else its download when the download host answers. */
async function fromMongodbMemoryServer(host: HostInfo): Promise<MmsOutcome> {
  // Loaded here, not at start: a command that starts no server (and every refusal) need not load mongodb-memory-server.
  const { DryMongoBinary, MongoBinary } = await import('mongodb-memory-server-core');
  const { MongoBinaryDownloadUrl } = await import('mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js');
  const options = await DryMongoBinary.generateOptions();
  const cached = await DryMongoBinary.locateBinary(options);
  if (cached) {
    return { kind: 'found', mongod: mmsResult(cached, options.version, 'cache') };
  }
  if ((host.env.MONGOMS_RUNTIME_DOWNLOAD ?? 'true').toLowerCase() === 'false') {
    return { kind: 'unavailable', reason: `mongodb-memory-server has no cached ${options.version} and MONGOMS_RUNTIME_DOWNLOAD=false` };
  }
  const url = await new MongoBinaryDownloadUrl({
    platform: options.platform,
    arch: options.arch,
    version: options.version,
    os: options.os,
  }).getDownloadUrl();
  const unreachable = await unreachableReason(url, host);
  if (unreachable) {
    return { kind: 'unavailable', reason: `mongodb-memory-server cannot download ${options.version} (${unreachable})` };
  }
  try {
    const path = await MongoBinary.getPath({ version: options.version });
    return { kind: 'found', mongod: mmsResult(path, options.version, 'download') };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { kind: 'unavailable', reason: `mongodb-memory-server download of ${options.version} failed (${detail})` };
  }
}

function mmsResult(path: string, version: string, how: 'cache' | 'download'): ResolvedMongod {
  return {
    source: 'mongodb-memory-server',
    path,
    version,
    underWine: false,
    notice: `mongod ${version} from mongodb-memory-server's ${how} (${path})`,
  };
}

/**
 * mongodb-memory-server retries a failed download for several seconds; a quick look at
 * the download host first (DNS, then TCP with a 3 s limit) keeps an offline run fast.
 * Behind a proxy we cannot tell, so we let the download try.
 */
async function unreachableReason(url: string, host: HostInfo): Promise<string | undefined> {
  const proxy = host.env.HTTPS_PROXY ?? host.env.https_proxy ?? host.env.HTTP_PROXY ?? host.env.http_proxy;
  if (proxy) return undefined;
  const { hostname, port, protocol } = new URL(url);
  const targetPort = Number(port) || (protocol === 'http:' ? 80 : 443);
  let address: string;
  try {
    address = (await lookup(hostname)).address;
  } catch (error) {
    return `${hostname} does not resolve: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: targetPort });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(3000, () => done(`${hostname}:${targetPort} did not answer within 3 s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`${hostname}:${targetPort} unreachable: ${error.code ?? error.message}`));
  });
}
