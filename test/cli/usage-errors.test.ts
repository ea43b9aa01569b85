import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

describe('bad input on the command line', () => {
  it('an unknown command', async () => {
    expectOneLineRefusal(await runCli(['benchmark']), /unknown command 'benchmark'/);
  });

  it('an unknown option', async () => {
    expectOneLineRefusal(await runCli(['bench', '--scalez', 'tiny']), /unknown option '--scalez'/);
  });

  it('--scales that cannot say how cost grows', async () => {
    expectOneLineRefusal(await runCli(['bench', '--scales', 'tiny']), /--scales needs at least two scales/);
    expectOneLineRefusal(await runCli(['bench', '--scales', 'tiny,huge']), /--scales huge: not a scale of the workload/);
    expectOneLineRefusal(
      await runCli(['bench', '--scales', 'tiny,small', '--uri', 'mongodb://127.0.0.1:9/app']),
      /seed each size in turn on the embedded server; drop --uri/,
    );
  });

  it('--scale-factors that cannot say how cost grows, or would not fit the machine', async () => {
    const profile = new URL('../fixtures/profiles/small.json', import.meta.url).pathname;
    expectOneLineRefusal(await runCli(['bench', '--scale-factors', '0.1,1']), /--scale-factors needs --profile/);
    expectOneLineRefusal(
      await runCli(['bench', '--profile', profile, '--scale-factors', '0.5']),
      /--scale-factors needs at least two factors/,
    );
    expectOneLineRefusal(
      await runCli(['bench', '--profile', profile, '--scale-factors', '0.1,100000']),
      /--scale-factor 100000: generating it needs about .* GB of memory/,
    );
    expectOneLineRefusal(await runCli(['bench', '--profile', profile, '--scales', 'tiny,small']), /with --profile, give --scale-factors/);
  });

  it('a malformed --uri', async () => {
    expectOneLineRefusal(await runCli(['explain', '--uri', 'postgres://localhost/db']), /--uri is not a valid MongoDB connection string/);
  });

  it('an unreachable --uri answers within 10 s', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const run = await runCli(['explain', '--uri', 'mongodb://127.0.0.1:9/app']);
    expectOneLineRefusal(run, /cannot use mongodb:\/\/127\.0\.0\.1:9\/app: no server answered within 5 s/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('an unresolvable host answers within 10 s and never shows the password', async () => {
    const run = await runCli(['explain', '--uri', 'mongodb://admin:Pa55word!@no-such-host.invalid:27017/app']);
    expectOneLineRefusal(run, /no server answered/);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr).not.toContain('Pa55word');
  });

  it('a mongod that fails to start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-broken-'));
    const fake = join(dir, 'mongod');
    // Answers --version like mongod, then dies at start as a broken binary would.
    await writeFile(
      fake,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "db version v7.0.15"; exit 0; fi\necho "boom: missing libcrypto" >&2\nexit 14\n',
    );
    await chmod(fake, 0o755);
    const scratch = await mkdtemp(join(tmpdir(), 'indexgate-tmp-'));
    const run = await runCli(['bench', '--scale', 'tiny'], { env: { MONGOMS_SYSTEM_BINARY: fake, TMPDIR: scratch } });
    expectOneLineRefusal(run, /mongod failed to start: .*from MONGOMS_SYSTEM_BINARY/);
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe('help', () => {
  it('lists every command of the contract', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['bench', 'seed', 'indexes', 'explain', 'verify', 'report']) expect(run.stdout).toContain(command);
  });

  it.each([
    [
      ['bench'],
      [
        '--uri',
        '--db',
        '--scale',
        '--seed',
        '--baseline',
        '--thresholds',
        '--out',
        '--json',
        '--pattern',
        '--budget-seconds',
        '--history',
        '--route',
        '--command-limit-ms',
        '--no-remedies',
      ],
    ],
    [['seed'], ['--uri', '--db', '--scale', '--seed', '--baseline', '--drop', '--json']],
    [['explain'], ['--uri', '--db', '--pattern', '--json']],
    [['verify'], ['--uri', '--db', '--thresholds', '--expect-counts', '--out', '--json', '--pattern']],
    [
      ['indexes', 'apply'],
      ['--uri', '--db', '--json'],
    ],
    [
      ['indexes', 'verify'],
      ['--uri', '--db', '--json'],
    ],
    [['report'], ['--format', '--out', 'result.json']],
  ])('%j --help describes %j', async (command, options) => {
    const run = await runCli([...command, '--help']);
    expect(run.code).toBe(0);
    for (const option of options) expect(run.stdout).toContain(option);
  });
});
