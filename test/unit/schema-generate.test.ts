import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { profileProbabilities, quantilesOf, type Quantiles } from '../../src/data/quantiles.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { schemaDataset, unseedableReason } from '../../src/schema-data/generate.js';
import { separatePairs } from '../../src/schema-data/gen-relations.js';
import { Rng } from '../../src/data/random.js';
import {
  type FieldProfile,
  type ModelProfile,
  type SchemaProfile,
  schemaProfileFormat,
  schemaProfileSchema,
  schemaProfileVersion,
} from '../../src/schema-data/profile.js';

/**
 * The schema engine's generator on the tests' own application (test/fixtures/prisma/projects.prisma)
 * and a hand-written profile with skewed fan-outs: memberships per project by the project's kind,
 * heavy-tailed memberships per account, tasks per project, many-to-many lists both ways.
 * Generated in memory: the data must hold the profile's counts, shares and quantiles.
 */

const schema = dataModelOf(readFileSync(new URL('../fixtures/prisma/projects.prisma', import.meta.url), 'utf8'), 'projects.prisma');

const accounts = 600;
const teamProjects = 100;
const soloProjects = 200;
const projects = teamProjects + soloProjects;

/** n values of f at evenly spaced points of [0, 1]. */
const spread = (n: number, f: (x: number) => number) => Array.from({ length: n }, (_, k) => Math.round(f(n === 1 ? 0.5 : k / (n - 1))));
/** `counts` rescaled to add up to `total` by largest remainder (the profile of a consistent database). */
function toTotal(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w * total) / sum);
  const out = exact.map(Math.floor);
  const order = exact.map((e, k) => [e - Math.floor(e), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const short = total - out.reduce((a, b) => a + b, 0);
  for (let k = 0; k < short; k++) out[order[k]?.[1] ?? 0]! += 1;
  return out;
}

// Memberships: a team project has 2 to 40 members (convex), a solo one 0 to 3; accounts' memberships are Zipf-like.
const teamMembers = spread(teamProjects, (x) => 2 + 38 * x ** 3);
const soloMembers = spread(soloProjects, (x) => 3 * x);
const memberships = [...teamMembers, ...soloMembers].reduce((a, b) => a + b, 0);
const perAccount = toTotal(
  Array.from({ length: accounts }, (_, k) => 1 / (k + 1) ** 0.9),
  memberships,
);
const tasksPerProject = spread(projects, (x) => 12 * x ** 2);
const tasks = tasksPerProject.reduce((a, b) => a + b, 0);
// Many-to-many: a project lists 0 to 6 accounts, an account as many projects in all.
const projectLists = spread(projects, (x) => 6 * x);
const accountLists = toTotal(
  Array.from({ length: accounts }, (_, k) => 1 + (k % 5)),
  projectLists.reduce((a, b) => a + b, 0),
);

const day = 86_400_000;
const dates = quantilesOf(spread(200, (x) => Date.UTC(2024, 0, 1) + x * 300 * day));
const lengths = (from: number, to: number) => quantilesOf(spread(200, (x) => from + (to - from) * x));
const field = (type: string, more: Partial<FieldProfile> = {}): FieldProfile => ({ type, list: false, absent: 0, null: 0, ...more });
const model = (collection: string, count: number, fields: Record<string, FieldProfile>): ModelProfile => ({
  collection,
  count,
  averageBytes: 200,
  fields,
});

/** The hand-written profile: as `indexgate profile` would read a database holding the arrays above. */
function projectsProfile(): SchemaProfile {
  const profile: SchemaProfile = {
    format: schemaProfileFormat,
    version: schemaProfileVersion,
    source: { database: 'projects', serverVersion: '8.0.0', profiledAt: '2025-01-01T00:00:00.000Z', schema: 'projects.prisma' },
    models: {
      Account: model('accounts', accounts, {
        email: field('String', { lengths: lengths(12, 30), distinct: accounts }),
        name: field('String', { lengths: lengths(4, 20), distinct: 150 }),
        plan: field('Plan', {
          values: [
            { value: 'FREE', share: 0.6 },
            { value: 'PRO', share: 0.3 },
            { value: 'TEAM', share: 0.1 },
          ],
        }),
        address: field('Address', { absent: 0.3, null: 0.1 }),
        'address.city': field('String', {
          values: [
            { value: 'Paris', share: 0.5 },
            { value: 'Lyon', share: 0.3 },
            { value: 'Nice', share: 0.2 },
          ],
        }),
        'address.zip': field('String', { absent: 0.2, lengths: lengths(5, 5) }),
        'address.country': field('String', { values: [{ value: 'FR', share: 1 }] }),
        tags: field('String', { list: true, lengths: lengths(0, 4), distinct: 30 }),
        score: field('Int', { absent: 0.25, null: 0.05, numbers: quantilesOf(spread(200, (x) => 1000 * x ** 2)) }),
        avatar: field('Bytes', { absent: 0.5, lengths: lengths(16, 64) }),
        settings: field('Json', { absent: 0.4, null: 0.1 }),
        createdAt: field('DateTime', { dates }),
        deletedAt: field('DateTime', { absent: 0.8, null: 0.1, dates }),
        projectIds: field('String', { list: true, lengths: quantilesOf(accountLists) }),
      }),
      Project: model('Project', projects, {
        title: field('String', { lengths: lengths(5, 40) }),
        kind: field('String', {
          values: [
            { value: 'solo', share: soloProjects / projects },
            { value: 'team', share: teamProjects / projects },
          ],
        }),
        archived: field('Boolean', {
          values: [
            { value: false, share: 0.85 },
            { value: true, share: 0.15 },
          ],
        }),
        budget: field('Float', { null: 0.2, numbers: quantilesOf(spread(100, (x) => 100 + 1e5 * x ** 3)) }),
        views: field('BigInt', { absent: 0.1, numbers: quantilesOf(spread(100, (x) => 1e6 * x)) }),
        createdAt: field('DateTime', { dates }),
        accountIds: field('String', { list: true, lengths: quantilesOf(projectLists) }),
      }),
      Membership: model('Membership', memberships, {
        accountId: field('String'),
        projectId: field('String'),
        role: field('Role', {
          values: [
            { value: 'VIEWER', share: 0.7 },
            { value: 'EDITOR', share: 0.25 },
            { value: 'OWNER', share: 0.05 },
          ],
        }),
        isActive: field('Boolean', {
          values: [
            { value: true, share: 0.9 },
            { value: false, share: 0.1 },
          ],
        }),
        joinedAt: field('DateTime', { dates }),
      }),
      Task: model('tasks', tasks, {
        projectId: field('String'),
        title: field('String', { lengths: lengths(3, 60) }),
        priority: field('Int', { numbers: quantilesOf(spread(100, (x) => Math.round(5 * x))) }),
        estimate: field('Float', { null: 0.3, numbers: quantilesOf(spread(100, (x) => 0.5 + 20 * x)) }),
        dueAt: field('DateTime', { absent: 0.6, dates }),
        done: field('Boolean', {
          values: [
            { value: false, share: 0.4 },
            { value: true, share: 0.6 },
          ],
        }),
        labels: field('String', { list: true, lengths: lengths(0, 3) }),
      }),
    },
    relations: [
      {
        name: 'MembershipToProject',
        kind: 'one-to-many',
        child: { model: 'Membership', fields: ['projectId'] },
        parent: { model: 'Project' },
        perParent: quantilesOf([...teamMembers, ...soloMembers]),
        byParentField: {
          field: 'kind',
          values: {
            team: { parents: teamProjects, perParent: quantilesOf(teamMembers) },
            solo: { parents: soloProjects, perParent: quantilesOf(soloMembers) },
          },
        },
      },
      {
        name: 'AccountToMembership',
        kind: 'one-to-many',
        child: { model: 'Membership', fields: ['accountId'] },
        parent: { model: 'Account' },
        perParent: quantilesOf(perAccount),
      },
      {
        name: 'ProjectToTask',
        kind: 'one-to-many',
        child: { model: 'Task', fields: ['projectId'] },
        parent: { model: 'Project' },
        perParent: quantilesOf(tasksPerProject),
      },
      {
        name: 'AccountToProject',
        kind: 'many-to-many',
        child: { model: 'Account', fields: ['projectIds'] },
        parent: { model: 'Project', fields: ['accountIds'] },
        perParent: quantilesOf(projectLists),
        perChild: quantilesOf(accountLists),
      },
    ],
  };
  return schemaProfileSchema.parse(profile);
}

const profile = projectsProfile();

function generated(seed: number, factor = 1, p: SchemaProfile = profile) {
  const { dataset, scale, estimate } = schemaDataset(schema, p, factor);
  const plan = dataset.plan(scale, seed);
  const byCollection = new Map<string, Document[]>();
  for (const [collection, doc] of dataset.generate(plan)) {
    const docs = byCollection.get(collection) ?? [];
    docs.push(doc);
    byCollection.set(collection, docs);
  }
  return { dataset, plan, estimate, docs: (c: string) => byCollection.get(c) ?? [], byCollection };
}

const data = generated(7);
const at = (q: Quantiles, p: number) => q.q[profileProbabilities.indexOf(p as (typeof profileProbabilities)[number])] ?? NaN;
const key = (v: unknown) => (v instanceof ObjectId ? v.toHexString() : String(v));

/** Each parent's number of children (parents with none included). */
function perParent(parents: readonly Document[], children: readonly Document[], field: string): Map<string, number> {
  const counts = new Map(parents.map((p) => [key(p._id), 0]));
  for (const c of children)
    if (c[field] !== undefined && c[field] !== null) counts.set(key(c[field]), (counts.get(key(c[field])) ?? 0) + 1);
  return counts;
}

/** p50, p90, p99 and the max of the generated counts within 15% of the profile's (at least 1: counts are whole). */
function expectFanOut(counts: Iterable<number>, profiled: Quantiles) {
  const seeded = quantilesOf(counts);
  for (const p of [0.5, 0.9, 0.99, 1]) {
    const want = at(profiled, p);
    expect(Math.abs(at(seeded, p) - want), `p${p * 100}: seeded ${at(seeded, p)}, profiled ${want}`).toBeLessThanOrEqual(
      Math.max(1, 0.15 * want),
    );
  }
}

const share = (docs: readonly Document[], test: (d: Document) => boolean) => docs.filter(test).length / docs.length;

describe('schema data: counts and load order', () => {
  it('seeds every profiled model, count × factor, parents first, under the schema’s collection names', () => {
    expect(data.dataset.collections).toEqual(['accounts', 'Project', 'Membership', 'tasks']);
    const want = { accounts, Project: projects, Membership: memberships, tasks };
    expect(data.plan.estimatedCounts).toEqual(want);
    for (const [c, n] of Object.entries(want)) expect(data.docs(c)).toHaveLength(n);
    expect(data.estimate.documents).toBe(accounts + projects + memberships + tasks);
    expect(data.estimate.dataBytes).toBe(200 * data.estimate.documents);
    expect(data.estimate.generatorBytes).toBeGreaterThan(0);
    const part = generated(7, 0.8);
    expect(part.plan.estimatedCounts).toEqual({
      accounts: 480,
      Project: 240,
      Membership: Math.round(memberships * 0.8),
      tasks: Math.round(tasks * 0.8),
    });
    expect(data.dataset.fingerprintInput('profile')).toMatchObject({ profile, dataShape: { factor: 1 } });
  });

  it('uses the database names (@map) and the Prisma types', () => {
    const m = data.docs('Membership')[0] ?? {};
    expect(Object.keys(m)).toEqual(['_id', 'accountId', 'projectId', 'role', 'isActive', 'joined_at']);
    expect(m._id).toBeInstanceOf(ObjectId);
    expect(m.accountId).toBeInstanceOf(ObjectId);
    expect(m.joined_at).toBeInstanceOf(Date);
    const views = data.docs('Project').find((p) => p.views !== undefined)?.views;
    expect(views).toBeInstanceOf(BSON.Long);
    expect(data.docs('tasks').every((t) => typeof t.priority === 'object' && t.priority instanceof BSON.Long)).toBe(true);
    const avatar = data.docs('accounts').find((a) => a.avatar !== undefined)?.avatar;
    expect(avatar).toBeInstanceOf(BSON.Binary);
    expect(data.docs('accounts').find((a) => a.address)?.address).toMatchObject({ city: expect.any(String), country: 'FR' });
  });
});

describe('schema data: relations', () => {
  const projectsById = new Map(data.docs('Project').map((p) => [key(p._id), p]));
  const accountsById = new Map(data.docs('accounts').map((a) => [key(a._id), a]));

  it('keys point at generated parents', () => {
    for (const m of data.docs('Membership')) {
      expect(projectsById.has(key(m.projectId))).toBe(true);
      expect(accountsById.has(key(m.accountId))).toBe(true);
    }
    for (const t of data.docs('tasks')) expect(projectsById.has(key(t.projectId))).toBe(true);
  });

  it('members per project hold the profile’s quantiles per kind, memberships per account theirs', () => {
    const perProject = perParent(data.docs('Project'), data.docs('Membership'), 'projectId');
    for (const [kind, counts] of [
      ['team', teamMembers],
      ['solo', soloMembers],
    ] as const) {
      const ofKind = [...perProject].filter(([id]) => projectsById.get(id)?.kind === kind).map(([, n]) => n);
      expect(ofKind).toHaveLength(kind === 'team' ? teamProjects : soloProjects);
      expectFanOut(ofKind, quantilesOf(counts));
    }
    expectFanOut(perParent(data.docs('accounts'), data.docs('Membership'), 'accountId').values(), quantilesOf(perAccount));
    expectFanOut(perParent(data.docs('Project'), data.docs('tasks'), 'projectId').values(), quantilesOf(tasksPerProject));
  });

  it('leaves a key out, null or dangling in its shares', () => {
    const loose = structuredClone(profile);
    loose.models.Task!.fields.projectId = field('String', { absent: 0.1, null: 0.05 });
    loose.relations.find((r) => r.name === 'ProjectToTask')!.danglingShare = 0.05;
    const { docs } = generated(7, 1, loose);
    const taskDocs = docs('tasks');
    const ids = new Set(docs('Project').map((p) => key(p._id)));
    expect(share(taskDocs, (t) => !('projectId' in t))).toBeCloseTo(0.1, 2);
    expect(share(taskDocs, (t) => t.projectId === null)).toBeCloseTo(0.05, 2);
    expect(share(taskDocs, (t) => t.projectId instanceof ObjectId && !ids.has(key(t.projectId)))).toBeCloseTo(0.05, 2);
  });

  it('a @@unique over both keys of the join holds', () => {
    const pairs = new Set(data.docs('Membership').map((m) => `${key(m.projectId)}:${key(m.accountId)}`));
    expect(pairs.size).toBe(memberships);
  });

  it('many-to-many lists agree on both sides and hold their lengths', () => {
    for (const a of data.docs('accounts')) {
      const ids: unknown[] = a.projectIds ?? [];
      expect(new Set(ids.map(key)).size).toBe(ids.length);
      for (const id of ids) expect((projectsById.get(key(id))?.accountIds as unknown[]).map(key)).toContain(key(a._id));
    }
    const listed = data.docs('Project').reduce((n, p) => n + (p.accountIds as unknown[]).length, 0);
    expect(data.docs('accounts').reduce((n, a) => n + ((a.projectIds as unknown[] | undefined) ?? []).length, 0)).toBe(listed);
    expectFanOut(
      data.docs('Project').map((p) => (p.accountIds as unknown[]).length),
      quantilesOf(projectLists),
    );
    expectFanOut(
      data.docs('accounts').map((a) => ((a.projectIds as unknown[] | undefined) ?? []).length),
      quantilesOf(accountLists),
    );
  });
});

describe('schema data: fields', () => {
  const accountsDocs = data.docs('accounts');

  it('deals low-cardinality values in their shares (within 2 points)', () => {
    const within = (docs: Document[], test: (d: Document) => boolean, want: number) =>
      expect(Math.abs(share(docs, test) - want)).toBeLessThanOrEqual(0.02);
    within(accountsDocs, (a) => a.plan === 'FREE', 0.6);
    within(accountsDocs, (a) => a.plan === 'TEAM', 0.1);
    within(data.docs('Membership'), (m) => m.role === 'VIEWER', 0.7);
    within(data.docs('Membership'), (m) => m.isActive === false, 0.1);
    within(data.docs('Project'), (p) => p.archived === true, 0.15);
    within(data.docs('Project'), (p) => p.kind === 'team', teamProjects / projects);
    const withAddress = accountsDocs.filter((a) => a.address);
    within(withAddress, (a) => a.address.city === 'Paris', 0.5);
  });

  it('leaves fields out or null in their shares (within 2 points)', () => {
    const within = (docs: Document[], name: string, absent: number, nulled: number) => {
      expect(Math.abs(share(docs, (d) => !(name in d)) - absent), `${name} absent`).toBeLessThanOrEqual(0.02);
      expect(Math.abs(share(docs, (d) => d[name] === null) - nulled), `${name} null`).toBeLessThanOrEqual(0.02);
    };
    within(accountsDocs, 'score', 0.25, 0.05);
    within(accountsDocs, 'deletedAt', 0.8, 0.1);
    within(accountsDocs, 'address', 0.3, 0.1);
    within(accountsDocs, 'avatar', 0.5, 0);
    within(accountsDocs, 'settings', 0.4, 0.1);
    within(data.docs('Project'), 'budget', 0, 0.2);
    within(data.docs('tasks'), 'dueAt', 0.6, 0);
    within(
      accountsDocs.filter((a) => a.address).map((a) => a.address as Document),
      'zip',
      0.2,
      0,
    );
  });

  it('keeps @unique values unique, numbers and lengths near their quantiles', () => {
    expect(new Set(accountsDocs.map((a) => a.email)).size).toBe(accounts);
    const scores = accountsDocs.filter((a) => a.score instanceof BSON.Long).map((a) => Number(a.score));
    expect(Math.abs(at(quantilesOf(scores), 0.5) - 250)).toBeLessThanOrEqual(25);
    const titles = data.docs('tasks').map((t) => (t.title as string).length);
    expect(Math.abs(at(quantilesOf(titles), 0.5) - 31.5)).toBeLessThanOrEqual(3);
    // A pool of about `distinct` names.
    const names = new Set(accountsDocs.map((a) => a.name)).size;
    expect(names).toBeGreaterThan(100);
    expect(names).toBeLessThanOrEqual(150);
  });
});

describe('schema data: determinism', () => {
  const digest = (seed: number) => {
    const hash = createHash('sha256');
    const { dataset } = schemaDataset(schema, profile, 1);
    for (const [c, doc] of dataset.generate(dataset.plan('profile', seed))) hash.update(c).update(BSON.serialize(doc));
    return hash.digest('hex');
  };

  it('gives the same bytes for the same seed, others for another', () => {
    expect(digest(7)).toBe(digest(7));
    expect(digest(8)).not.toBe(digest(7));
  });
});

describe('unseedableReason', () => {
  const edited = (edit: (p: SchemaProfile) => void): SchemaProfile => {
    const copy = structuredClone(profile);
    edit(copy);
    return copy;
  };

  it('passes the profile it was written for', () => {
    expect(unseedableReason(schema, profile, 1)).toBeUndefined();
    expect(unseedableReason(schema, profile, 0.8)).toBeUndefined();
  });

  it('names a model or a field the schema does not have', () => {
    expect(
      unseedableReason(
        schema,
        edited((p) => (p.models.Invoice = model('Invoice', 10, {}))),
        1,
      ),
    ).toMatch(/^Invoice: .*does not declare/);
    expect(
      unseedableReason(
        schema,
        edited((p) => (p.models.Account!.fields['address.street'] = field('String'))),
        1,
      ),
    ).toMatch(/^Account\.address\.street: in the profile but not a field/);
  });

  it('names a join whose fan-out the other side cannot hold under its @@unique', () => {
    // At factor 0.05: 30 accounts, but a team project has up to 40 members, each a distinct account.
    expect(unseedableReason(schema, profile, 0.05)).toMatch(
      /^relation MembershipToProject: a Project has up to 40 Membership documents but @@unique/,
    );
  });

  it('names a join whose fan-out exceeds the other side’s parents that have children', () => {
    // At factor 0.55: 165 projects, about 148 with any member; the busiest account has 153 memberships.
    expect(unseedableReason(schema, profile, 0.55)).toMatch(
      /^relation AccountToMembership: a Account has up to 153 Membership documents, each with another Project, but only about 14\d Project documents have any/,
    );
  });

  it('names a many-to-many list longer than the other side', () => {
    const reason = unseedableReason(
      schema,
      edited((p) => {
        const r = p.relations.find((x) => x.kind === 'many-to-many')!;
        r.perParent = { ...r.perParent, q: r.perParent.q.map((v, k, all) => (k === all.length - 1 ? accounts + 1 : v)) };
      }),
      1,
    );
    expect(reason).toMatch(/^relation AccountToProject: a Project\.accountIds holds up to 601 ids but Account has 600/);
  });

  it('names a required key whose parent is not seeded', () => {
    expect(
      unseedableReason(
        schema,
        edited((p) => delete p.models.Project),
        1,
      ),
    ).toMatch(/^Membership\.projectId: \d+ documents need a Project/);
  });

  it('names a unique field the profile gives too few values', () => {
    const lowEmail = edited((p) => {
      p.models.Account!.fields.email = field('String', { values: [{ value: 'a@b.c', share: 1 }] });
    });
    expect(unseedableReason(schema, lowEmail, 1)).toMatch(/^Account\.email: @unique but low-cardinality/);
    const flags = dataModelOf(
      `datasource db {\n provider = "mongodb"\n url = env("DATABASE_URL")\n}\nenum Tier {\n A\n B\n}\nmodel Flag {\n id String @id @default(auto()) @map("_id") @db.ObjectId\n on Boolean @unique\n tier Tier @unique\n}\n`,
      'flags.prisma',
    );
    const flagProfile = (count: number): SchemaProfile => ({
      ...profile,
      models: { Flag: model('Flag', count, { on: field('Boolean'), tier: field('Tier') }) },
      relations: [],
    });
    expect(unseedableReason(flags, flagProfile(2), 1)).toBeUndefined();
    expect(unseedableReason(flags, flagProfile(3), 1)).toMatch(/^Flag\.on: @unique but a Boolean \(2 values\) for 3 documents/);
  });
});

describe('separatePairs', () => {
  it('leaves no duplicate pair where a fifth of the pairs are duplicates (a swap never takes a pending duplicate)', () => {
    // A configuration model's pairing: 50 parents of 20 children against 40 of 25, shuffled: about 200 duplicate pairs.
    const a2 = Int32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 20));
    const b2 = Int32Array.from({ length: 1000 }, (_, i) => i % 40);
    Rng.for(3, 2, 1).shuffle(b2);
    const before = new Map<number, number>();
    for (const x of a2) before.set(x, (before.get(x) ?? 0) + 1);
    separatePairs(a2, b2, 40, Rng.for(3, 1, 1), 'test');
    const pairs = new Set<string>();
    for (let i = 0; i < a2.length; i++) pairs.add(`${a2[i]}|${b2[i]}`);
    expect(pairs.size).toBe(a2.length);
    // Both sides keep their counts: only b's values were swapped between children.
    const after = new Map<number, number>();
    for (const x of a2) after.set(x, (after.get(x) ?? 0) + 1);
    expect(after).toEqual(before);
  });
});
