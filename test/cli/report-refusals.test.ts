import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

/** `indexgate report` on a file it cannot render: one line, exit 2. (Rendering a real result: reports.test.ts.) */
describe('report refuses what is not a result it reads', () => {
  it('bad input: a missing file, JSON that is not a result, another schemaVersion', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-report-input-'));
    expectOneLineRefusal(await runCli(['report', join(dir, 'nope.json')]), /nope\.json: no such file/);
    const notResult = join(dir, 'not-result.json');
    await writeFile(notResult, JSON.stringify({ hello: 'world' }));
    expectOneLineRefusal(await runCli(['report', notResult]), /not-result\.json: is not an indexgate result \(schemaVersion: /);
    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, '{ not json');
    expectOneLineRefusal(await runCli(['report', garbage]), /garbage\.json: is not valid JSON/);
    const future = join(dir, 'future.json');
    // The version is read before anything else of the file (load-result.ts): a result's other fields decide nothing here.
    await writeFile(future, JSON.stringify({ schemaVersion: 99, command: 'bench', runId: 'later' }));
    expectOneLineRefusal(
      await runCli(['report', future]),
      /future\.json: is a result of schemaVersion 99; this indexgate reads schemaVersions 2 and 3/,
    );
  });
});
