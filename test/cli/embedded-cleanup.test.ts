import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { processesOf } from '../support/processes.js';
import { runCli } from '../support/cli.js';

/** True when the mongod of this command line accepts TCP connections on its --port. */
function accepting(cmdline: string): Promise<boolean> {
  const port = Number(/--port (\d+)/.exec(cmdline)?.[1]);
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('the embedded mongod leaves nothing behind', () => {
  it('after a normal run: no mongod process, no temporary folder', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'indexgate-run-'));
    const run = await runCli(
      [
        'bench',
        '--scale',
        'tiny',
        '--budget-seconds',
        '120',
        '--route',
        'driver',
        // What is left behind does not depend on the stages run: the writes and the build's reader are left out.
        '--no-writes',
        '--no-build-load',
        '--out',
        join(scratch, '..', `${scratch.split('/').pop()}-out`),
      ],
      { env: { TMPDIR: scratch } },
    );
    expect([0, 1, 3]).toContain(run.code);
    await sleep(500);
    expect(await processesOf(scratch)).toEqual([]);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('when mongod dies during the run: one clear line, exit 2, no hang, nothing left', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'indexgate-die-'));
    const running = runCli(['bench', '--scale', 'small', '--out', join(scratch, '..', `${scratch.split('/').pop()}-out`)], {
      env: { TMPDIR: scratch },
    });
    // Wait for mongod to accept connections (the run is then seeding), then kill it as a crash would.
    let victim: { pid: number; cmdline: string } | undefined;
    for (let i = 0; i < 240 && !(victim && (await accepting(victim.cmdline))); i++) {
      await sleep(500);
      victim = (await processesOf(`${scratch}/indexgate-mongod-`)).find((p) => p.cmdline.includes('--dbpath'));
    }
    expect(victim).toBeDefined();
    await sleep(2000);
    process.kill(victim?.pid as number, 'SIGKILL');
    const run = await running;
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      /^indexgate: error: mongod stopped unexpectedly: exit code .*the embedded mongod's data is lost$/,
    );
    await sleep(500);
    expect(await processesOf(scratch)).toEqual([]);
    expect(await readdir(scratch)).toEqual([]);
  });
});
