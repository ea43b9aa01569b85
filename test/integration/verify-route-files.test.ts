import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remedyIndexes } from '../../indexes/remedies.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import type { EmbeddedServer } from '../../src/mongo/embedded.js';
import { startOwnServer } from '../support/servers.js';
import { silentReporter } from '../../src/progress.js';
import type { RunResult } from '../../src/result.js';
import { binPath, runCli } from '../support/cli.js';
import { seedInput } from '../support/workload.js';

/**
 * verify with the application's routes, on staging: the rewrite passes on a database that
 * holds the six and the remedy indexes, the application's own route fails on the commands
 * bench names, both strictly read-only, and no command of indexgate's is left running on the
 * server after a command reached its limit or the run was interrupted.
 */

// Server-wide counters and currentOp need a server no other test uses: this file starts its own.
let server: EmbeddedServer;
let client: MongoClient;
let dir: string;
const migrated = 'migrated';
/** The six only: the application's page join reads every conversation, long enough to interrupt. */
const sixOnly = 'six-only';
const rewrite = new URL('../../bench/routes/list-conversations-rewrite.ts', import.meta.url).pathname;

beforeAll(async () => {
  server = await startOwnServer();
  client = await MongoClient.connect(server.uri);
  for (const name of [migrated, sixOnly]) {
    await seedDatabase({ db: client.db(name), ...seedInput('tiny', 11), reporter: silentReporter });
    await applyIndexes(client.db(name), name === migrated ? [...runbookIndexes, ...remedyIndexes] : runbookIndexes);
  }
  dir = await mkdtemp(join(tmpdir(), 'indexgate-verify-routes-'));
}, 600_000);

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

async function snapshot(db: string): Promise<Document> {
  const status = await client.db('admin').command({ serverStatus: 1, wiredTiger: 0 });
  const indexes: Record<string, Document[]> = {};
  for (const c of (await client.db(db).listCollections().toArray()).map((x) => x.name).sort()) {
    indexes[c] = await client.db(db).collection(c).listIndexes().toArray();
  }
  const hash = await client.db(db).command({ dbHash: 1 });
  return {
    writes: { insert: status.opcounters.insert, update: status.opcounters.update, delete: status.opcounters.delete },
    indexes,
    dbHash: hash.md5,
  };
}

/** indexgate's operations on the server: every client it opens is named `indexgate-…`. */
async function ownOperations(): Promise<Document[]> {
  const reply = await client.db('admin').command({ currentOp: 1, $all: true });
  return (reply.inprog as Document[]).filter((op) => typeof op.appName === 'string' && op.appName.startsWith('indexgate-'));
}

async function verify(label: string, db: string, args: string[]): Promise<{ code: number | null; stdout: string; result: RunResult }> {
  const out = join(dir, label);
  const before = await snapshot(db);
  const run = await runCli(['verify', '--uri', server.uri, '--db', db, '--budget-seconds', '15', '--out', out, ...args], {
    timeoutMs: 600_000,
  });
  expect(await snapshot(db), `${label}: read-only`).toEqual(before);
  return { code: run.code, stdout: run.stdout, result: JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as RunResult };
}

describe('verify --route-file: the application on staging, read-only', { timeout: 900_000 }, () => {
  it('the rewrite with the six and the remedy indexes passes, per class, every command on an index; the ids can be redacted', async () => {
    const run = await verify('rewrite', migrated, ['--route-file', rewrite, '--redact-ids']);
    expect(run.code).toBe(0);
    const routes = run.result.routes.filter((r) => r.id === 'prisma-rewrite');
    expect(routes.map((r) => r.userClass)).toEqual(['typical', 'heavy', 'heaviest']);
    for (const r of routes) {
      expect(r.before).toBeUndefined();
      expect(r.commands.every((c) => !c.after.collscan)).toBe(true);
      expect(r.user?.id).toMatch(/^id:[0-9a-f]{10}$/);
    }
    expect(run.stdout).toMatch(/^Answer: Route prisma-rewrite .* typical [\d.]+ ms \(under 1 s\)/m);
    expect(JSON.stringify(run.result)).not.toMatch(/"[0-9a-f]{24}"/);
  });

  it("the application's own route fails on the commands bench names, and says which command keeps each class over the budget", async () => {
    const run = await verify('application', migrated, ['--route', 'prisma']);
    expect(run.code).toBe(1);
    const failedSteps = new Set(run.result.gate.failures.filter((f) => f.route === 'prisma' && f.step).map((f) => f.step));
    // What bench reports after the six for the page: the messages read whole and taken in memory.
    expect([...failedSteps]).toContain('conversation.findMany › messages');
    expect(run.stdout).toMatch(/^Answer: Route prisma /m);
  });

  it('a command over --max-time-ms is reported with its plan, and nothing of indexgate is left running on the server', async () => {
    const run = await verify('limit', sixOnly, ['--route', 'prisma', '--max-time-ms', '100']);
    expect(run.code).toBe(1);
    const over = run.result.routes.flatMap((r) => r.commands.filter((c) => c.after.overLimit));
    expect(over.length).toBeGreaterThan(0);
    expect(over[0]?.after.stages.length).toBeGreaterThan(0);
    // A pattern whose explain reached the limit (a loaded machine, a slow staging) is a failed check, never a crash.
    for (const p of run.result.patterns.filter((x) => x.after.overLimitMs !== undefined)) {
      expect(run.result.gate.failures.some((f) => f.pattern === p.id && f.userClass === p.userClass && /maxTimeMS/.test(f.message))).toBe(
        true,
      );
    }
    expect(await ownOperations()).toEqual([]);
  });

  it('with a limit every command reaches, the run still ends in a verdict (exit 1) with every pattern judged', async () => {
    const run = await verify('tiny-limit', sixOnly, ['--route', 'prisma', '--max-time-ms', '1']);
    expect(run.code).toBe(1);
    expect(run.result.patterns.length).toBeGreaterThan(0);
    expect(run.result.gate.failures.length).toBeGreaterThan(0);
    expect(await ownOperations()).toEqual([]);
  });

  it('an interrupted run leaves no command of its own running on the server', async () => {
    const child = spawn(
      process.execPath,
      [
        binPath,
        'verify',
        '--uri',
        server.uri,
        '--db',
        sixOnly,
        '--route',
        'prisma',
        '--max-time-ms',
        '120000',
        '--out',
        join(dir, 'interrupted'),
      ],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Wait until the route's page join is running on the server, then interrupt.
    let seen = false;
    for (let i = 0; i < 600 && !seen; i++) {
      seen = (await ownOperations()).some((op) => op.op === 'command' && JSON.stringify(op.command ?? {}).includes('$lookup'));
      if (!seen) await sleep(200);
    }
    expect(seen).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await ownOperations()).toEqual([]);
  });
});
