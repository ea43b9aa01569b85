import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (two levels above dist/src/ or src/ when run from sources). */
export const packageRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

export const toolVersion: string = (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string }).version;

let commit: string | null | undefined;

/** The git commit indexgate runs from, when it runs from a git checkout; null otherwise. */
export function toolCommit(): string | null {
  if (commit !== undefined) return commit;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    commit = out.toString().trim() + (dirty.toString().trim() ? '+dirty' : '');
  } catch {
    commit = null;
  }
  return commit;
}
