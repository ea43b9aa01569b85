import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testDb, testUri, uniqueDbName } from '../support/mongo.js';

/**
 * Bad input to capture and replay: one clear line, exit 2, nothing written (no workload
 * file, no report folder, nothing in the target).
 */
const fixture = fileURLToPath(new URL('../fixtures/capture/mongod-7.0.15-slow-queries.log', import.meta.url));

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'indexgate-capture-cli-'));
}

describe('capture: bad input', () => {
  it('neither --uri nor --log', async () => {
    expectOneLineRefusal(await runCli(['capture']), /capture needs --uri <mongodb-uri> .* or --log <mongod log file>/);
  });

  it('a log with a foreign line: nothing written', async () => {
    const dir = await scratch();
    const log = join(dir, 'mongod.log');
    await writeFile(log, `${(await readFile(fixture, 'utf8')).trimEnd()}\nthis is not a log line\n`);
    const out = join(dir, 'workload.json');
    expectOneLineRefusal(await runCli(['capture', '--log', log, '--out', out]), /line 14 is not a mongod JSON log line/);
    expect(await readdir(dir)).toEqual(['mongod.log']);
  });

  it('a log file that does not exist', async () => {
    const dir = await scratch();
    expectOneLineRefusal(
      await runCli(['capture', '--log', join(dir, 'nope.log'), '--out', join(dir, 'w.json')]),
      /nope\.log: no such file; pass the mongod log file/,
    );
  });

  it('an existing --out is not replaced without --force', async () => {
    const dir = await scratch();
    const out = join(dir, 'workload.json');
    await writeFile(out, 'keep me');
    expectOneLineRefusal(await runCli(['capture', '--log', fixture, '--out', out]), /--out .*workload\.json exists; pass --force/);
    expect(await readFile(out, 'utf8')).toBe('keep me');
    const forced = await runCli(['capture', '--log', fixture, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8')).shapes).toHaveLength(5);
  });

  it('a database whose profiler was never on', async () => {
    const db = await testDb('noprofile');
    await db.collection('Message').insertOne({ a: 1 });
    const dir = await scratch();
    expectOneLineRefusal(
      await runCli(['capture', '--uri', testUri(), '--db', db.databaseName, '--out', join(dir, 'w.json')]),
      /has no system\.profile: the profiler has never been on here; turn it on with db\.setProfilingLevel/,
    );
    expect(await readdir(dir)).toEqual([]);
    // Read-only: capture did not turn the profiler on.
    expect((await db.command({ profile: -1 })).was).toBe(0);
  });

  it('a profile that is empty', async () => {
    const db = await testDb('emptyprofile');
    await db.createCollection('system.profile', { capped: true, size: 1_048_576 });
    const dir = await scratch();
    expectOneLineRefusal(
      await runCli(['capture', '--uri', testUri(), '--db', db.databaseName, '--out', join(dir, 'w.json')]),
      /system\.profile is empty: turn the profiler on/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('replay: bad input', () => {
  it('bench --workload with a file that is not a workload: refused before anything starts', async () => {
    const dir = await scratch();
    const file = join(dir, 'w.json');
    await writeFile(file, JSON.stringify({ schemaVersion: 1, shapes: 'none' }));
    const out = join(dir, 'out');
    expectOneLineRefusal(
      await runCli(['bench', '--scale', 'tiny', '--workload', file, '--out', out]),
      /w\.json: is not an indexgate workload \(/,
    );
    expect(await readdir(dir)).toEqual(['w.json']);
  });

  it('verify --workload whose pipeline writes is refused: replay stays read-only', async () => {
    const dir = await scratch();
    const captured = join(dir, 'w.json');
    expect((await runCli(['capture', '--log', fixture, '--out', captured])).code).toBe(0);
    const workload = JSON.parse(await readFile(captured, 'utf8'));
    const aggregate = workload.shapes.find((s: { command: string }) => s.command === 'aggregate');
    aggregate.params[0].command.pipeline.push({ $out: 'Stolen' });
    await writeFile(captured, JSON.stringify(workload));
    expectOneLineRefusal(
      await runCli(['verify', '--uri', testUri(), '--db', uniqueDbName('writes'), '--workload', captured, '--out', join(dir, 'out')]),
      /the pipeline writes \(\$out or \$merge\); a workload holds reads only/,
    );
    expect(await readdir(dir)).toEqual(['w.json']);
  });

  it('thresholds naming a shape the workload does not hold', async () => {
    const dir = await scratch();
    const captured = join(dir, 'w.json');
    expect((await runCli(['capture', '--log', fixture, '--out', captured])).code).toBe(0);
    const shipped = JSON.parse(await readFile(fileURLToPath(new URL('../../bench/thresholds.json', import.meta.url)), 'utf8'));
    const thresholds = join(dir, 'thresholds.json');
    await writeFile(thresholds, JSON.stringify({ ...shipped, workload: { shapes: { 'find-Message-0000000000': { minSpeedup: 2 } } } }));
    expectOneLineRefusal(
      await runCli(['bench', '--scale', 'tiny', '--workload', captured, '--thresholds', thresholds, '--out', join(dir, 'out')]),
      /the thresholds name shapes find-Message-0000000000, which --workload .* does not hold/,
    );
    expect((await readdir(dir)).sort()).toEqual(['thresholds.json', 'w.json']);
  });
});
