import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const binPath = fileURLToPath(new URL('../../bin/indexgate.js', import.meta.url));

/** The tests' own dataset cache, apart from the user's (a test may set its own). */
export const testCacheDir = join(tmpdir(), 'indexgate-test-dataset-cache');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built program as a user would, and collects what it printed and its exit code. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; onSpawn?: (pid: number) => void } = {},
): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: { INDEXGATE_DATASET_CACHE_DIR: testCacheDir, ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 170_000);
    if (child.pid) options.onSpawn?.(child.pid);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Every refusal is one error line on stderr (after any progress notices), exit code 2, and nothing on stdout. */
export function expectOneLineRefusal(run: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  const errors = lines.filter((l) => /^(indexgate: )?error: /.test(l));
  expect(errors).toHaveLength(1);
  expect(lines[lines.length - 1]).toBe(errors[0]);
  expect(errors[0]).toMatch(pattern);
}

/**
 * The shipped thresholds without the route's speedup and the writes' slowdown, written to
 * `dir`: at tiny scale the round-trip floor caps the speedup near 4x and a busy machine moves
 * both intervals; the tests that use this are about the other checks.
 */
export async function thresholdsWithoutRouteSpeedup(dir: string): Promise<string> {
  const shipped = JSON.parse(await readFile(new URL('../../bench/thresholds.json', import.meta.url), 'utf8'));
  const file = join(dir, 'thresholds-without-route-speedup.json');
  await writeFile(
    file,
    JSON.stringify({
      ...shipped,
      route: { userClasses: shipped.route.userClasses, afterBudgetMs: shipped.route.afterBudgetMs },
      writes: undefined,
    }),
  );
  return file;
}
