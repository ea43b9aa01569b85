import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { processesOf } from '../support/processes.js';
import { runCli } from '../support/cli.js';

describe('Ctrl-C', () => {
  it.each([300, 1500, 3000, 5000])(
    'during mongod startup (after %i ms) exits 130 and leaves no mongod, no Wine process and no files',
    async (delay) => {
      const scratch = await mkdtemp(join(tmpdir(), 'indexgate-int-'));
      let pid = 0;
      const running = runCli(['bench', '--scale', 'tiny'], { env: { TMPDIR: scratch }, onSpawn: (p) => (pid = p) });
      await sleep(delay);
      process.kill(pid, 'SIGINT');
      const run = await running;
      // Before our handler is installed (while modules load) Node's default applies: killed by SIGINT,
      // which a shell reports as 130 too. After it, we clean up and exit 130 ourselves.
      expect(run.code === 130 || run.signal === 'SIGINT').toBe(true);
      if (run.code === 130) expect(run.stderr).toMatch(/interrupted/);
      await sleep(500);
      expect(await processesOf(scratch)).toEqual([]);
      expect(await readdir(scratch)).toEqual([]);
    },
  );
});
