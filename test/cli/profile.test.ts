import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DataProfile } from '../../seed/data-profile.js';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

const fixture = new URL('../fixtures/profiles/small.json', import.meta.url);

/** A copy of the small profile with one edit, in a folder of its own (whose listing shows that nothing else was written). */
async function profileFile(edit: (p: DataProfile) => void = () => {}): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'indexgate-profile-cli-'));
  const profile = JSON.parse(await readFile(fixture, 'utf8'));
  edit(profile);
  const file = join(dir, 'profile.json');
  await writeFile(file, JSON.stringify(profile));
  return { dir, file };
}

describe('profile and --profile refuse bad input in one line, before any server starts', () => {
  it('profile without --uri', async () => {
    expectOneLineRefusal(await runCli(['profile', '--out', join(tmpdir(), 'never.json')]), /profile needs --uri \(and --db\)/);
  });

  it('profile without --out', async () => {
    expectOneLineRefusal(await runCli(['profile', '--uri', 'mongodb://127.0.0.1:9/app']), /profile needs --out <file>/);
  });

  it('profile onto an existing file without --force, which is left as it was', async () => {
    const { dir, file } = await profileFile();
    const before = await readFile(file, 'utf8');
    expectOneLineRefusal(await runCli(['profile', '--uri', 'mongodb://127.0.0.1:9/app', '--out', file]), /the file exists; pass --force/);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['profile.json']);
  });

  it('a --profile that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-profile-cli-'));
    const file = join(dir, 'p.json');
    await writeFile(file, 'counts: many');
    expectOneLineRefusal(await runCli(['seed', '--profile', file]), /p\.json: is not JSON/);
  });

  it('a --profile that is not a profile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-profile-cli-'));
    const file = join(dir, 'thresholds.json');
    await writeFile(file, await readFile(new URL('../../bench/thresholds.json', import.meta.url), 'utf8'));
    expectOneLineRefusal(await runCli(['bench', '--profile', file]), /not an indexgate profile/);
  });

  it('an impossible scale file: a room larger than the users', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-profile-cli-'));
    const file = join(dir, 'scale.json');
    const scale = JSON.parse(await readFile(new URL('../../seed/scales/small.json', import.meta.url), 'utf8'));
    await writeFile(file, JSON.stringify({ ...scale, publicMembers: [300, 9000] }));
    expectOneLineRefusal(await runCli(['seed', '--profile', file]), /publicMembers: 9000 members in a room, more than the 4000 users/);
    expect(await readdir(dir)).toEqual(['scale.json']);
  });

  it('an impossible profile: more members than users, negative counts', async () => {
    const few = await profileFile((p) => Object.assign(p.counts, { User: 100 }));
    expectOneLineRefusal(
      await runCli(['seed', '--profile', few.file]),
      /conversations\.group\.members: 194 members in a conversation, more than the 100 users/,
    );
    const negative = await profileFile((p) => Object.assign(p.counts, { Message: -1 }));
    expectOneLineRefusal(await runCli(['seed', '--profile', negative.file]), /counts\.Message: .*>=0/);
  });

  it('a --scale-factor that would not fit the machine, or without --profile', async () => {
    const { file } = await profileFile();
    expectOneLineRefusal(
      await runCli(['seed', '--profile', file, '--scale-factor', '100000']),
      /--scale-factor 100000: generating it needs about .* GB of memory/,
    );
    expectOneLineRefusal(await runCli(['seed', '--scale-factor', '0.5']), /--scale-factor needs --profile/);
    expectOneLineRefusal(
      await runCli(['seed', '--profile', file, '--scale-factor', '-1']),
      /--scale-factor must be a number greater than 0/,
    );
  });
});
