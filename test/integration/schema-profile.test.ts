import { readFile } from 'node:fs/promises';
import { type Db, type Document, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { profileProbabilities, type Quantiles, quantilesOf } from '../../src/data/quantiles.js';
import { type DataModel, dataModelOf } from '../../src/prisma/datamodel.js';
import { schemaProfileSchema, type SchemaProfile } from '../../src/schema-data/profile.js';
import { readSchemaProfile } from '../../src/schema-data/read.js';
import { testDb, withProfiler } from '../support/mongo.js';
import { fillProjectsDatabase, type ProjectsData } from '../support/projects-app.js';

const schemaFile = new URL('../fixtures/prisma/projects.prisma', import.meta.url);
const collections = ['accounts', 'Project', 'Membership', 'tasks'];

let model: DataModel;
let db: Db;
let data: ProjectsData;
let profile: SchemaProfile;
let operations: Document[];
let hashes: { before: unknown; after: unknown };

const dbHash = async () => (await db.command({ dbHash: 1, collections })).collections as unknown;

beforeAll(async () => {
  model = dataModelOf(await readFile(schemaFile, 'utf8'), schemaFile.pathname);
  db = await testDb('schemaProfile');
  data = await fillProjectsDatabase(db, { seed: 37 });
  const before = await dbHash();
  profile = await withProfiler(db, () => readSchemaProfile(db, model, { serverVersion: '7.0.15', schemaFile: schemaFile.pathname }));
  operations = await db
    .collection('system.profile')
    .find({}, { projection: { op: 1, ns: 1, command: 1 } })
    .toArray();
  hashes = { before, after: await dbHash() };
}, 600_000);

/** Children per parent, parents without any counted at 0. */
function perParent(parents: readonly Document[], children: readonly Document[], key: string): Quantiles {
  const byParent = new Map<string, number>(parents.map((p) => [String(p._id), 0]));
  for (const c of children) {
    const k = String(c[key]);
    if (byParent.has(k)) byParent.set(k, (byParent.get(k) ?? 0) + 1);
  }
  return quantilesOf(byParent.values());
}

/**
 * n and the sum exactly, every quantile within 2% of the expected one (`of: 'range'`: within 2%
 * of the distribution's range, for dates, whose values are all far from 0).
 */
function expectClose(actual: Quantiles | undefined, expected: Quantiles, what: string, of: 'value' | 'range' = 'value'): void {
  const tolerance = 0.02;
  expect(actual, what).toBeDefined();
  expect(actual?.n, `${what} n`).toBe(expected.n);
  expect(Math.abs((actual?.sum ?? NaN) - expected.sum), `${what} sum`).toBeLessThanOrEqual(1e-9 * Math.abs(expected.sum) + 1e-6);
  const range = (expected.q[expected.q.length - 1] ?? 0) - (expected.q[0] ?? 0);
  profileProbabilities.forEach((p, i) => {
    const want = expected.q[i] ?? 0;
    const got = actual?.q[i] ?? NaN;
    expect(Math.abs(got - want), `${what} p${p * 100}: ${got} vs ${want}`).toBeLessThanOrEqual(
      tolerance * (of === 'range' ? range : Math.max(Math.abs(want), range * 0.05, 1e-9)),
    );
  });
}

const shareOf = (docs: readonly Document[], test: (d: Document) => boolean) => docs.filter(test).length / docs.length;

describe('the schema profile of a database filled by hand', () => {
  it('is valid against the format, counts every model exactly and reads the average size', () => {
    expect(schemaProfileSchema.safeParse(profile).success).toBe(true);
    expect(profile.models.Account?.count).toBe(data.accounts.length);
    expect(profile.models.Project?.count).toBe(data.projects.length);
    expect(profile.models.Membership?.count).toBe(data.memberships.length);
    expect(profile.models.Task?.count).toBe(data.tasks.length);
    expect(profile.models.Task?.collection).toBe('tasks');
    for (const m of Object.values(profile.models)) expect(m.averageBytes).toBeGreaterThan(50);
    expect(profile.source.schema).toBe('projects.prisma');
  });

  it('reads one-to-many fan-outs as the data has them, parents without children included, dangling keys counted', () => {
    const byName = (child: string, parent: string) => profile.relations.find((r) => r.child.model === child && r.parent.model === parent);
    const members = byName('Membership', 'Project');
    expect(members?.kind).toBe('one-to-many');
    expectClose(members?.perParent, perParent(data.projects, data.memberships, 'projectId'), 'memberships per project');
    expectClose(
      byName('Membership', 'Account')?.perParent,
      perParent(data.accounts, data.memberships, 'accountId'),
      'memberships per account',
    );
    const tasks = byName('Task', 'Project');
    expectClose(tasks?.perParent, perParent(data.projects, data.tasks, 'projectId'), 'tasks per project');
    expect(tasks?.danglingShare).toBeCloseTo(data.danglingTasks / data.tasks.length, 9);
    expect(members?.danglingShare).toBe(0);

    // Conditioned on the parent's first low-cardinality String (Project.kind) and enum (Account.plan).
    expect(members?.byParentField?.field).toBe('kind');
    for (const kind of ['solo', 'team', 'public']) {
      const parents = data.projects.filter((p) => p.kind === kind);
      expect(members?.byParentField?.values[kind]?.parents).toBe(parents.length);
      expectClose(
        members?.byParentField?.values[kind]?.perParent,
        perParent(parents, data.memberships, 'projectId'),
        `members per ${kind} project`,
      );
    }
    expect(byName('Membership', 'Account')?.byParentField?.field).toBe('plan');
  });

  it('reads a many-to-many kept as id arrays from both sides', () => {
    const m2m = profile.relations.filter((r) => r.kind === 'many-to-many');
    expect(m2m).toHaveLength(1);
    expect(m2m[0]?.child).toEqual({ model: 'Account', fields: ['projectIds'] });
    expect(m2m[0]?.parent).toEqual({ model: 'Project', fields: ['accountIds'] });
    expectClose(m2m[0]?.perParent, quantilesOf(data.projects.map((p) => (p.accountIds as unknown[]).length)), 'accounts per project');
    expectClose(m2m[0]?.perChild, quantilesOf(data.accounts.map((a) => (a.projectIds as unknown[]).length)), 'projects per account');
  });

  it('reads shares absent and null, inside composites too, and low-cardinality values only', () => {
    const account = profile.models.Account?.fields ?? {};
    expect(account.score?.absent).toBeCloseTo(
      shareOf(data.accounts, (a) => !('score' in a)),
      9,
    );
    expect(account.score?.null).toBeCloseTo(
      shareOf(data.accounts, (a) => a.score === null),
      9,
    );
    const withAddress = data.accounts.filter((a) => a.address !== null && a.address !== undefined);
    expect(account['address.zip']?.absent).toBeCloseTo(
      shareOf(withAddress, (a) => !('zip' in a.address)),
      9,
    );
    expect(account['address.zip']?.null).toBeCloseTo(
      shareOf(withAddress, (a) => a.address.zip === null),
      9,
    );
    expect(account['address.city']?.values?.map((v) => v.value).sort()).toEqual(
      [...new Set(withAddress.map((a) => a.address.city as string))].sort(),
    );
    expect(account.plan?.values?.find((v) => v.value === 'PRO')?.share).toBeCloseTo(
      shareOf(data.accounts, (a) => a.plan === 'PRO'),
      9,
    );
    // Names, emails and titles are many: their lengths and distinct count, never a value.
    expect(account.name?.values).toBeUndefined();
    expect(account.email?.distinct).toBe(data.accounts.length);
    expectClose(account.name?.lengths, quantilesOf(data.accounts.map((a) => (a.name as string).length)), 'name lengths');
    expectClose(account.tags?.lengths, quantilesOf(data.accounts.map((a) => (a.tags as unknown[]).length)), 'tags per account');
    expectClose(
      account.avatar?.lengths,
      quantilesOf(data.accounts.filter((a) => a.avatar).map((a) => a.avatar.length() as number)),
      'avatar bytes',
    );

    const project = profile.models.Project?.fields ?? {};
    expect(project.kind?.values?.find((v) => v.value === 'team')?.share).toBeCloseTo(
      shareOf(data.projects, (p) => p.kind === 'team'),
      9,
    );
    expect(project.archived?.values?.find((v) => v.value === true)?.share).toBeCloseTo(
      shareOf(data.projects, (p) => p.archived === true),
      9,
    );
    expect(project.title?.values).toBeUndefined();
    const budgets = data.projects.filter((p) => typeof p.budget === 'number').map((p) => p.budget as number);
    expectClose(project.budget?.numbers, quantilesOf(budgets), 'budgets');
    const membership = profile.models.Membership?.fields ?? {};
    expect(membership.joinedAt?.absent).toBe(0);
    expectClose(
      membership.joinedAt?.dates,
      quantilesOf(data.memberships.map((m) => (m.joined_at as Date).getTime())),
      'joined_at',
      'range',
    );
    const task = profile.models.Task?.fields ?? {};
    expect(task.priority?.values).toHaveLength(5);
    expect(task.labels?.values?.map((v) => v.value).sort()).toEqual(['bug', 'chore', 'docs', 'feature', 'urgent']);
    // More distinct dates than a histogram takes: approximated on the server ($percentile), within 2% of the range.
    expect(new Set(data.tasks.map((t) => (t.createdAt as Date).getTime())).size).toBeGreaterThan(2_000);
    expectClose(task.createdAt?.dates, quantilesOf(data.tasks.map((t) => (t.createdAt as Date).getTime())), 'task createdAt', 'range');
  });

  it('holds no name, email, title or id of the data', () => {
    const text = JSON.stringify(profile);
    expect(data.planted.length).toBeGreaterThan(1_000);
    for (const s of data.planted) expect(text.includes(s), s).toBe(false);
    expect(text).not.toMatch(/[0-9a-f]{24}/i);
  });

  it('is read-only: only reads reach the server, and every collection is unchanged', () => {
    expect(hashes.after).toEqual(hashes.before);
    const reads = new Set(['aggregate', 'getMore', 'listCollections', 'count', 'find', 'killCursors']);
    const ours = operations.filter((o) => !String(o.ns).endsWith('.system.profile') && !(o.command as Document | undefined)?.profile);
    expect(ours.length).toBeGreaterThan(20);
    for (const o of ours) {
      expect(['command', 'getmore', 'query', 'killcursors'], JSON.stringify(o)).toContain(o.op);
      const name = Object.keys((o.command as Document | undefined) ?? {})[0] ?? '';
      expect(reads, JSON.stringify(o.command)).toContain(name);
      // No $out or $merge in a pipeline.
      expect(JSON.stringify(o.command)).not.toMatch(/"\$(out|merge)"/);
    }
  });
});

describe('on a server without $percentile', () => {
  it('approximates many distinct values with $bucketAuto, within 2% of the range', async () => {
    const older = await readSchemaProfile(db, model, { serverVersion: '6.0.0', schemaFile: schemaFile.pathname });
    expectClose(
      older.models.Task?.fields.createdAt?.dates,
      quantilesOf(data.tasks.map((t) => (t.createdAt as Date).getTime())),
      'task createdAt',
      'range',
    );
  }, 300_000);
});

describe('a database with few keys', () => {
  it('keeps no id or foreign key as a value, however few distinct ones there are; an aborted read stops', async () => {
    const small = await testDb('schemaProfileFewKeys');
    const project = new ObjectId();
    await small
      .collection('Project')
      .insertOne({ _id: project, title: 'Only project', kind: 'solo', archived: false, createdAt: new Date(), accountIds: [] });
    await small.collection('tasks').insertMany(
      Array.from({ length: 40 }, (_, i) => ({
        projectId: project,
        title: 'same',
        priority: 1,
        done: false,
        labels: [],
        createdAt: new Date(i),
      })),
    );
    const read = await readSchemaProfile(small, model, { serverVersion: '7.0.15', schemaFile: 'projects.prisma' });
    expect(read.models.Task?.fields.projectId?.distinct).toBe(1);
    expect(read.models.Task?.fields.projectId?.values).toBeUndefined();
    expect(read.models.Task?.fields.title?.values).toEqual([{ value: 'same', share: 1 }]);
    expect(Object.keys(read.models)).toEqual(['Project', 'Task']);
    expect(JSON.stringify(read)).not.toMatch(/[0-9a-f]{24}/i);
    const aborted = AbortSignal.abort();
    await expect(
      readSchemaProfile(small, model, { serverVersion: '7.0.15', schemaFile: 'projects.prisma', signal: aborted }),
    ).rejects.toThrow();
  });
});
