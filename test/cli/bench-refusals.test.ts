import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let dir: string;
let client: MongoClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-bench-refusals-'));
  client = await MongoClient.connect(testUri());
});
afterAll(() => client.close());

describe('bad input to bench: one line, exit 2, nothing written', () => {
  const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
    ['a missing thresholds file', async () => ['--thresholds', join(dir, 'nope.json')], /nope\.json: no such file/],
    [
      'a thresholds file that is not JSON',
      async () => [`--thresholds`, await file('bad.json', '{"patterns": ')],
      /bad\.json: is not valid JSON/,
    ],
    [
      'a wrong type',
      async () => [
        '--thresholds',
        await file('type.json', JSON.stringify({ patterns: { lastMessage: { maxDocsExaminedPerReturned: 'two' } }, route: {} })),
      ],
      /type\.json: patterns\.lastMessage\.maxDocsExaminedPerReturned: Invalid input: expected number, received string/,
    ],
    [
      'an unknown pattern id',
      async () => ['--thresholds', await file('unknown.json', JSON.stringify({ patterns: { lastMesage: {} }, route: {} }))],
      /unknown\.json: patterns\.lastMesage: unknown pattern id \(known: memberships/,
    ],
    [
      'a budget too small to take any sample',
      async () => ['--budget-seconds', '3'],
      /--budget-seconds 3 is too small to take any sample at scale tiny/,
    ],
    [
      'an --out that cannot be written (checked before anything is measured)',
      async () => ['--out', '/dev/null/reports'],
      /--out \/dev\/null\/reports: cannot write there \(ENOTDIR: \/dev\/null is not a folder\); choose another folder/,
    ],
    [
      'an invalid index set',
      async () => ['--indexes', await file('indexes.json', JSON.stringify([{ name: 'x', collection: 'Nope', key: { a: 1 } }]))],
      /indexes\.json: 0\.collection: not a collection of the workload \(User, Conversation, .*\)$/,
    ],
  ];
  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }
  it.each(cases)('%s', async (_label, args, message) => {
    const db = uniqueDbName('badbench');
    const run = await runCli(['bench', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--route', 'driver', ...(await args())]);
    expectOneLineRefusal(run, message);
    expect(await client.db(db).listCollections().toArray()).toEqual([]);
  });
});
