import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** What library code may know about the machine; built once by the CLI from `process`. */
export interface HostInfo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Effective user id, or undefined where the platform has none. */
  readonly uid: number | undefined;
  readonly homedir: string;
  readonly tmpdir: string;
}

export interface ProgramOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion; rejects with its stderr on a non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProgramOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: options.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 0,
        signal: options.signal,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          reject(new Error(`${file} ${args.join(' ')} failed: ${tail || error.message}`, { cause: error }));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** The first executable called `name` on PATH, like `command -v`. */
export async function which(name: string, env: HostInfo['env']): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The user cache folder for indexgate: $INDEXGATE_CACHE_DIR, else $XDG_CACHE_HOME/indexgate, else ~/.cache/indexgate. */
export function cacheDirectory(host: HostInfo): string {
  return host.env.INDEXGATE_CACHE_DIR ?? join(host.env.XDG_CACHE_HOME ?? join(host.homedir, '.cache'), 'indexgate');
}

/**
 * Installs a Debian package with apt-get (refreshing the package lists once if the
 * install fails, as on a fresh machine). The caller decides whether it may (Linux, root).
 */
export async function aptInstall(host: HostInfo, aptGet: string, packageName: string): Promise<void> {
  const env = { ...host.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', packageName];
  try {
    await run(aptGet, install, { env, timeoutMs: 900_000 });
  } catch {
    await run(aptGet, ['update', '-q'], { env, timeoutMs: 600_000 });
    await run(aptGet, install, { env, timeoutMs: 900_000 });
  }
}
