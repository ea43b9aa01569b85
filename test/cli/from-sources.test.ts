import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A fresh clone after `npm ci` alone has no dist/: the program runs its TypeScript sources
 * through tsx. Here a copy of the repository without dist/ (node_modules linked), no database.
 */

const repo = new URL('../../', import.meta.url).pathname;
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'indexgate-no-dist-'));
  for (const part of ['bin', 'src', 'apps', 'bench', 'seed', 'indexes', 'package.json', 'tsconfig.json'])
    await cp(join(repo, part), join(copy, part), { recursive: true });
  await symlink(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
});
afterAll(() => rm(copy, { recursive: true, force: true }));

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(copy, 'bin/indexgate.js'), ...args], {
      cwd: copy,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('without dist/ (after npm ci, before npm run build)', () => {
  it('--help prints the commands, exit 0, no stack trace', async () => {
    const help = await run(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: indexgate /);
    expect(help.stdout).toMatch(/\bbench\b/);
    expect(help.stdout).toMatch(/\bindexes\b/);
  });

  it('a command runs from the sources: indexes list --json', async () => {
    const list = await run(['indexes', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((s) => s.name)).toContain('idx_member_user_active_conv');
  });
});
