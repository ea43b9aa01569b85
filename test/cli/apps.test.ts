import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

/**
 * Applications (#39): `--app` on the commands, meeshy at its newest commit as a built-in
 * application folder, and a folder of a team's own; what is checked reads files only (no server).
 */

const ea1789df = fileURLToPath(new URL('../../apps/meeshy@ea1789df/', import.meta.url));

/** A copy of meeshy@ea1789df's folder to edit: a team's own application. */
async function ownCopy(edit: (manifest: Record<string, unknown>) => void = () => {}): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'indexgate-app-')), 'chat');
  await cp(ea1789df, dir, { recursive: true, filter: (source) => !/[\\/](derive|expected)$/.test(source) });
  const manifest = JSON.parse(await readFile(join(dir, 'app.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(join(dir, 'app.json'), JSON.stringify(manifest));
  return dir;
}

describe('--app', () => {
  it('indexes check --app meeshy@ea1789df --set six names the three indexes its schema no longer has, and suggests no line with them (exit 1)', async () => {
    const run = await runCli(['indexes', 'check', '--app', 'meeshy@ea1789df', '--set', 'six']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/3 index\(es\) stale/);
    expect(run.stdout).toMatch(/idx_member_user_active_conv on ConversationMember: no model .* maps to collection ConversationMember/);
    expect(run.stdout).toMatch(/idx_message_conv_notdeleted_created on Message: model Message .* has no field isDeleted/);
    expect(run.stdout).toMatch(/idx_cursor_user_conv on ConversationReadCursor: model ConversationReadCursor .* has no field userId/);
    const suggested = run.stdout.split('Add to the schema:')[1] ?? '';
    expect(suggested).not.toMatch(/isDeleted|ConversationMember|userId, conversationId/);
  });

  it("seed --app meeshy@ea1789df --profiles lists its scales from its own profiles; the default application's are aa13b652's", async () => {
    const ea = await runCli(['seed', '--app', 'meeshy@ea1789df', '--profiles']);
    expect(ea.code, ea.stderr).toBe(0);
    for (const scale of ['tiny', 'small', 'medium', 'large']) expect(ea.stdout).toMatch(new RegExp(`│ ${scale} `));
    expect(ea.stdout).toMatch(/1,958,535/);
    const aa = await runCli(['seed', '--profiles']);
    expect(aa.stdout).toMatch(/direct 50,000, group 8,000/);
  });

  it('bench --help under --app lists that application’s scales and baselines (the schema’s indexes first)', async () => {
    const run = await runCli(['bench', '--app', 'meeshy@ea1789df', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/choices: "prisma",\s+"bare", default: "prisma"/);
  });

  it('an application of its own: a folder of the same shape', async () => {
    const dir = await ownCopy((m) => {
      m.name = 'chat@0000001';
      m.commit = '0000001';
    });
    const run = await runCli(['indexes', 'list', '--app', dir, '--set', 'runbook', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as unknown[]).length).toBe(6);
  });

  it('refused in one line, exit 2: an unknown application, a folder that is not one, a manifest naming a set it lacks', async () => {
    expectOneLineRefusal(
      await runCli(['indexes', 'list', '--app', 'meeshy@latest']),
      /--app meeshy@latest: not a built-in application \(meeshy@aa13b652, meeshy@ea1789df\)/,
    );
    const empty = await mkdtemp(join(tmpdir(), 'indexgate-app-empty-'));
    expectOneLineRefusal(await runCli(['indexes', 'list', '--app', empty]), /app\.json: cannot be read/);
    const dir = await ownCopy((m) => {
      m.migration = 'nine';
    });
    const listing = await readdir(dir);
    expectOneLineRefusal(
      await runCli(['indexes', 'list', '--app', dir]),
      /app\.json: migration: no index set nine \(indexes\/nine\.json\)/,
    );
    expect(await readdir(dir)).toEqual(listing);
  });
});
