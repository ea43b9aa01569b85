import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleUsers } from '../../src/users/user-classes.js';
import { runCli } from '../support/cli.js';
import { testUri, withProfiler } from '../support/mongo.js';
import { builtIn, callFor } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

/**
 * `routes check`: the built-in application route, sent to a database with the profiler on
 * as the application would send it, captured, and checked against its own route file
 * (equal); the same route file with one filter field changed is reported different, with
 * the shape it sends beside the captured one.
 */
const routeFile = new URL('../../bench/routes/list-conversations.ts', import.meta.url).pathname;
let db: Db;
let dir: string;
let captured: string;

beforeAll(async () => {
  ({ db } = await seededDb('routescheck', 'tiny', 23));
  const [user] = await sampleUsers(db, workload.users, ['typical']);
  if (!user) throw new Error('no user');
  await withProfiler(db, () => callFor(db, builtIn('prisma'), user.userId));
  dir = await mkdtemp(join(tmpdir(), 'indexgate-routes-check-'));
  captured = join(dir, 'captured.json');
  const capture = await runCli(['capture', '--uri', testUri(), '--db', db.databaseName, '--out', captured]);
  expect(capture.code).toBe(0);
}, 600_000);

describe('routes check: a route file against the traffic it stands for', { timeout: 600_000 }, () => {
  it('the application route, captured, is equal to its route file: every command captured, no captured shape left over', async () => {
    const run = await runCli(['routes', 'check', routeFile, '--workload', captured, '--uri', testUri(), '--db', db.databaseName]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^EQUAL: /m);
    expect(run.stdout).not.toMatch(/NOT CAPTURED/);
  });

  it('a route file changed by one filter field is different: exit 1, its shape beside the captured one', async () => {
    const text = await readFile(routeFile, 'utf8');
    // The page's own filter: `isActive: true` on the conversation becomes `isArchived`-like drift (another field).
    const drifted = text.replace(/(\n {6}\},\n {6}isActive: true,\n {4}\};)/, '\n      },\n      type: { not: "global" },\n    };');
    expect(drifted).not.toBe(text);
    const file = join(dir, 'drifted.ts');
    await writeFile(file, drifted);
    const run = await runCli(['routes', 'check', file, '--workload', captured, '--uri', testUri(), '--db', db.databaseName, '--json']);
    expect(run.code).toBe(1);
    const outcome = JSON.parse(run.stdout) as {
      equal: boolean;
      rendered: Array<{
        step: string;
        captured: string | null;
        shape: { query: unknown };
        nearest?: { id: string; shape: { query: unknown } };
      }>;
      notRendered: Array<{ id: string }>;
    };
    expect(outcome.equal).toBe(false);
    const page = outcome.rendered.find((r) => r.step === 'conversation.findMany');
    expect(page?.captured).toBeNull();
    // The drifted filter reads the field (`$type`); both shapes project `type`, only the route filters on it.
    expect(JSON.stringify(page?.shape.query)).toContain('"$type"');
    expect(page?.nearest).toBeDefined();
    expect(JSON.stringify(page?.nearest?.shape.query)).not.toContain('"$type"');
    // The captured page the route no longer sends is listed too.
    expect(outcome.notRendered.map((c) => c.id)).toContain(page?.nearest?.id);
    const text2 = await runCli(['routes', 'check', file, '--workload', captured, '--uri', testUri(), '--db', db.databaseName]);
    expect(text2.stdout).toMatch(
      /conversation\.findMany: the route sends another aggregate on Conversation than the nearest captured shape, aggregate-Conversation-\w+; first difference at pipeline\[/,
    );
    expect(text2.stdout).toMatch(/^ {2}route file: .*"\$type"/m);
    expect(text2.stdout).toMatch(/^ {2}captured: {3}/m);
    expect(text2.stdout).toMatch(/^DIFFERENT: /m);
  });
});
