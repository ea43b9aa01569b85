import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { benchContract } from '../support/contract.js';
import { type CliRun, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

/**
 * A route written for another application's schema, benched and rendered through the CLI
 * (#37, #38): the tests' own application (test/fixtures/prisma/projects.prisma) seeded from its
 * profile (a fixture: `profile --prisma-schema` of the hand-filled database, see
 * schema-app.test.ts), two route files (one a page of the account's projects, one with every
 * read call Prisma's client offers that real handlers use), their users sampled by their own
 * declaration, an index set given as a file; then `routes render` on the same database.
 */

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const schema = fixture('prisma/projects.prisma');
const profileFile = fixture('apps/projects/profiles/small.json');
const route = fixture('apps/projects/routes/my-projects.ts');
const board = fixture('apps/projects/routes/project-board.ts');
const indexSet = fixture('apps/projects/indexes/open-work.json');

let dir: string;
let benchDb: string;
let bench: CliRun;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-schema-bench-'));
  benchDb = uniqueDbName('bench');
  bench = await runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      benchDb,
      '--prisma-schema',
      schema,
      '--profile',
      profileFile,
      '--route-file',
      route,
      '--route-file',
      board,
      '--indexes',
      indexSet,
      '--no-build-load',
      '--budget-seconds',
      '600',
      '--out',
      join(dir, 'bench'),
    ],
    { timeoutMs: 600_000 },
  );
}, 600_000);

describe("Prisma's read calls on any schema, rendered and sent (#38)", () => {
  it('routes render: groupBy, aggregate, cursor, distinct, a relation _count ordering, has, a many-to-many include; two findUnique of one tick are one command', async () => {
    const run = await runCli(['routes', 'render', board, '--uri', testUri(), '--db', benchDb, '--prisma-schema', schema, '--json'], {
      timeoutMs: 300_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { load?: string; commands: { step: string; call: string; collection: string }[] };
    expect(outcome.load).toMatch(/Account\.memberships/);
    const steps = outcome.commands.map((c) => c.step);
    for (const step of ['task.groupBy', 'task.aggregate', 'task.findMany', 'project.findMany']) expect(steps, step).toContain(step);
    // Two project.findUnique of one tick: one command for both ids, as Prisma's batch loader compacts them.
    const heads = outcome.commands.filter((c) => c.step === 'project.findUnique');
    expect(heads).toHaveLength(1);
    expect(heads[0]?.call).toMatch(/where: \{ id: \{ in: \["[0-9a-f]{24}", "[0-9a-f]{24}"\] \} \}/);
    const text = run.stdout;
    expect(text).toMatch(/\$group/); // groupBy and aggregate
    expect(text).toMatch(/urgent/); // has
    expect(text).toMatch(/\$size/); // orderBy a relation's _count
  }, 300_000);
});

describe('bench on any schema: a route file, its own users, an index set given as a file', () => {
  it('runs the route for the classes its users declaration samples and reports its plans before and after the set', async () => {
    const out = join(dir, 'bench');
    const run = bench;
    // The verdict (pass, fail or inconclusive on so small a copy) is not the point: the run, its users and its plans are.
    expect([0, 1, 3], run.stderr).toContain(run.code);
    expect(run.stderr).toMatch(/route my-projects: user classes by/);
    // The contract's result, with no driver-model pattern: an application described by its schema has none.
    const result = benchContract
      .extend({ patterns: z.array(z.unknown()).length(0) })
      .parse(JSON.parse(await readFile(join(out, 'result.json'), 'utf8')));
    const raw = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as {
      routes: {
        id: string;
        userClass: string;
        users?: unknown;
        commands: { step: string; collection: string; before?: unknown; after: unknown }[];
      }[];
      indexes: { name: string; status: string }[];
    };
    expect(result.routes.map((r) => r.id)).toEqual([...Array(3).fill('my-projects'), ...Array(3).fill('project-board')]);
    for (const r of raw.routes) {
      expect(r.users).toEqual({ model: 'Account', load: { relation: 'memberships', where: { isActive: true } } });
      for (const c of r.commands) expect(c.before).toBeDefined();
    }
    const mine = raw.routes.filter((r) => r.id === 'my-projects');
    for (const r of mine) expect(new Set(r.commands.map((c) => c.collection))).toEqual(new Set(['Membership', 'Project', 'tasks']));
    // The board's calls, each measured before and after the set: groupBy, aggregate, cursor, distinct, has, m2m, _count ordering.
    const boardSteps = new Set(raw.routes.filter((r) => r.id === 'project-board').flatMap((r) => r.commands.map((c) => c.step)));
    for (const step of ['project.findUnique', 'task.groupBy', 'task.aggregate', 'project.findMany'])
      expect(boardSteps, step).toContain(step);
    expect(raw.indexes.map((i) => i.name).sort()).toEqual(['membership_account_active_project', 'task_project_done_created']);
    expect(await readdir(out)).toContain('report.md');
  });
});
