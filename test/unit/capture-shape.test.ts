import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { shapeOfCommand } from '../../src/capture/shape.js';
import { readLog } from '../../src/capture/sources.js';
import { buildWorkload } from '../../src/capture/workload-file.js';
import { ConfigError } from '../../src/errors.js';

/** Lines a mongod 7.0.15 wrote (getLog) with a profile filter logging every operation of database "app". */
const fixture = fileURLToPath(new URL('../fixtures/capture/mongod-7.0.15-slow-queries.log', import.meta.url));

const ids = (n: number) => Array.from({ length: n }, () => new ObjectId());
/** Prisma 6's `in` on MongoDB: an $or of $expr $eq over $literal values, with the $$REMOVE guard. */
const prismaIn = (values: ObjectId[], skip: number, limit: number) => ({
  aggregate: 'Message',
  pipeline: [
    {
      $match: {
        $expr: {
          $and: [{ $or: values.map((v) => ({ $eq: ['$conversationId', { $literal: v }] })) }, { $ne: ['$conversationId', '$$REMOVE'] }],
        },
      },
    },
    { $sort: { _id: 1 } },
    { $skip: skip },
    { $limit: limit },
  ],
  cursor: {},
  lsid: { id: 'x' },
  $db: 'app',
});

describe('the shape of a captured command', () => {
  it('lists of any length, skips and session fields do not make another shape; the limit and field paths do', () => {
    const a = shapeOfCommand(prismaIn(ids(2), 0, 15));
    expect(shapeOfCommand(prismaIn(ids(9), 30, 15)).id).toBe(a.id);
    expect(shapeOfCommand(prismaIn(ids(2), 0, 50)).id).not.toBe(a.id);
    expect(JSON.stringify(a.shape)).toContain('"$conversationId"');
    expect(JSON.stringify(a.shape)).toContain('"$$REMOVE"');
    expect(JSON.stringify(a.shape)).toContain('{"?list":{"$eq":["$conversationId",{"$literal":"?objectId"}]}}');
    expect(a.shape).not.toHaveProperty('lsid');
    expect(a.shape).not.toHaveProperty('cursor');
    const find = (v: unknown[]) =>
      shapeOfCommand({ find: 'Message', filter: { conversationId: { $in: v }, isDeleted: false }, sort: { createdAt: -1 }, limit: 5 });
    expect(find(ids(1)).id).toBe(find(ids(40)).id);
    expect(find(ids(1)).shape).toEqual({
      filter: { conversationId: { $in: { '?list': '?objectId' } }, isDeleted: '?boolean' },
      sort: { createdAt: -1 },
      limit: 5,
    });
    expect(find(ids(1)).id).toMatch(/^find-Message-[0-9a-f]{10}$/);
  });
});

describe('capture from a mongod log file', () => {
  it("reads a real 7.0 log: each read one shape, a cursor's getMores added to its find, writes and admin commands skipped", async () => {
    const reading = await readLog(fixture);
    const workload = buildWorkload(reading, {
      name: 'fixture',
      source: { kind: 'log', from: fixture, database: 'app' },
      paramsPerShape: 3,
    });
    expect(workload.shapes.map((s) => `${s.command} ${s.collection}`).sort()).toEqual([
      'aggregate Message',
      'count Message',
      'distinct Message',
      'find Message',
      'find Message',
    ]);
    const scan = workload.shapes.find((s) => JSON.stringify(s.shape).includes('$gte'));
    expect(scan).toMatchObject({ count: 1, getMores: 5, recorded: { planSummary: 'COLLSCAN' } });
    expect(workload.source.skipped).toMatchObject({ 'not a read': 2, 'not a slow-query line': 1 });
    // The parameters are the real values, exact types kept, without the session's fields.
    const inFind = workload.shapes.find((s) => s.command === 'find' && JSON.stringify(s.shape).includes('?list'));
    const command = inFind?.params[0]?.command as { filter: { conversationId: { $in: { $oid: string }[] } }; lsid?: unknown };
    expect(command.filter.conversationId.$in).toHaveLength(3);
    expect(command.filter.conversationId.$in[0]).toHaveProperty('$oid');
    expect(command.lsid).toBeUndefined();
  });

  it('reads the same from a gzip file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-log-'));
    const gz = join(dir, 'mongod.log.gz');
    await writeFile(gz, gzipSync(await readFile(fixture)));
    const plain = await readLog(fixture);
    const zipped = await readLog(gz);
    expect(zipped.operations).toEqual(plain.operations);
  });

  const broken: [string, (lines: string[]) => string[], RegExp][] = [
    [
      'a foreign line',
      (l) => [l[0] as string, 'Tue Nov 24 20:01:06 something else', ...l.slice(1)],
      /line 2 is not a mongod JSON log line/,
    ],
    ['truncated JSON', (l) => [...l.slice(0, 3), (l[3] as string).slice(0, 120)], /line 4 is truncated or malformed JSON/],
    ['JSON that is not a log entry', (l) => ['{"hello": "world"}', ...l], /line 1 is JSON but not a mongod log entry/],
    [
      'an unknown command',
      (l) => [...l, (l[1] as string).replace('"find":"Message"', '"frobnicate":"Message"')],
      /unknown command "frobnicate".*--skip-unknown/,
    ],
    [
      'reads of two databases',
      (l) => [...l, (l[1] as string).replaceAll('app.Message', 'other.Message')],
      /several databases \(app, other\); name the application's with --db/,
    ],
    ['nothing but blank lines', () => ['', ''], /holds no mongod log entry/],
  ];
  for (const [what, edit, message] of broken) {
    it(`refuses ${what} with one clear error naming the file`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'indexgate-log-'));
      const file = join(dir, 'mongod.log');
      const lines = (await readFile(fixture, 'utf8')).trimEnd().split('\n');
      await writeFile(file, `${edit(lines).join('\n')}\n`);
      const error = await readLog(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(message);
      expect((error as ConfigError).message.startsWith(file)).toBe(true);
      expect((error as ConfigError).message).not.toContain('\n');
    });
  }

  it('skips unknown commands when asked to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'indexgate-log-'));
    const file = join(dir, 'mongod.log');
    const lines = (await readFile(fixture, 'utf8')).trimEnd().split('\n');
    await writeFile(file, `${[...lines, (lines[1] as string).replace('"find":"Message"', '"frobnicate":"Message"')].join('\n')}\n`);
    const reading = await readLog(file, { skipUnknown: true });
    expect(reading.skipped['unknown command']).toBe(1);
  });
});
