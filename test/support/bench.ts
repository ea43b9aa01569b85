import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchContract } from './contract.js';
import { runCli } from './cli.js';
import { testUri, uniqueDbName } from './mongo.js';

/**
 * A bench of the driver route at tiny on the run's mongod, as the gate's CLI tests run it (no
 * build load: none of them reads it), its reports in `<dir>/<label>`, its result.json parsed by
 * the contract's schema.
 */
export async function benchDriverTiny(
  dir: string,
  label: string,
  extra: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; result: ReturnType<typeof benchContract.parse> }> {
  const out = join(dir, label);
  const run = await runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      uniqueDbName(label),
      '--scale',
      'tiny',
      '--budget-seconds',
      '600',
      '--route',
      'driver',
      // None of the tests that use it reads what a concurrent reader saw during the build (reports.test.ts does).
      '--no-build-load',
      '--out',
      out,
      ...extra,
    ],
    { timeoutMs: 600_000 },
  );
  const result = benchContract.parse(JSON.parse(await readFile(join(out, 'result.json'), 'utf8')));
  return { ...run, result };
}
