import { Binary, type Db, type Document, Long, ObjectId } from 'mongodb';
import { Rng } from '../../src/data/random.js';

/**
 * The schema engine's test application (test/fixtures/prisma/projects.prisma), filled by hand
 * with the driver, as an application of its own would hold it: the collections `accounts`,
 * `Project`, `Membership`, `tasks` under their database names (`joined_at`), many-to-many id
 * arrays kept consistent on both sides, optional fields absent for some documents and null for
 * others, skewed fan-outs (memberships per project heavy-tailed and by the project's kind,
 * memberships per account heavy-tailed through a popularity skew, tasks per project skewed),
 * a few tasks whose project does not exist, and planted personal data (names, emails, titles)
 * that a profile must never hold.
 */

export const plantedFirstNames = [
  'Wilhelmina',
  'Bartholomew',
  'Esperanza',
  'Thaddeus',
  'Ottoline',
  'Peregrine',
  'Clementine',
  'Ignatius',
] as const;
export const plantedLastNames = ['Quackenbush', 'Fairweather', 'Montgomery', 'Oyelaran', 'Vasquezmora', 'Lindqvist'] as const;
const titleWords = ['Zephyr', 'bridge', 'migration', 'of', 'the', 'quarterly', 'Aurora', 'ledger', 'for', 'Halcyon'] as const;

export const projectKinds = ['solo', 'team', 'public'] as const;
export type ProjectKind = (typeof projectKinds)[number];
export const cities = ['Lisbon', 'Osaka', 'Nairobi', 'Quito', 'Tallinn', 'Perth'] as const;
export const taskLabels = ['bug', 'feature', 'chore', 'docs', 'urgent'] as const;
const tags = ['alpha', 'beta', 'gamma', 'delta', 'omega'] as const;

export interface ProjectsData {
  readonly accounts: Document[];
  readonly projects: Document[];
  readonly memberships: Document[];
  readonly tasks: Document[];
  /** Every name, email and title written: none of them may appear in a profile. */
  readonly planted: string[];
  /** Tasks whose projectId names no project. */
  readonly danglingTasks: number;
}

const day = 86_400_000;
const epoch = Date.UTC(2024, 0, 1);
/** A deterministic ObjectId: one prefix byte per collection, the index after it. */
const idOf = (collection: number, index: number) =>
  new ObjectId(`${collection.toString(16).padStart(2, '0')}${index.toString(16).padStart(22, '0')}`);

/** Absent (`absentShare`), null (`nullShare`) or the value. */
function optional(rng: Rng, doc: Document, field: string, absentShare: number, nullShare: number, value: () => unknown): void {
  const u = rng.next();
  if (u < absentShare) return;
  doc[field] = u < absentShare + nullShare ? null : value();
}

/** `k` distinct indexes of n, skewed towards the low ones (the popular accounts). */
function skewedDistinct(rng: Rng, n: number, k: number): number[] {
  const picked = new Set<number>();
  const target = Math.min(k, n);
  for (let tries = 0; picked.size < target && tries < target * 50; tries++) picked.add(Math.floor(n * rng.next() ** 2.5));
  for (let i = 0; picked.size < target; i++) picked.add(i);
  return [...picked];
}

/** Members a project of a kind has: solo 0 or 1, team a few (log-normal), public many (heavier tail). */
function membersFor(rng: Rng, kind: ProjectKind): number {
  if (kind === 'solo') return rng.chance(0.1) ? 0 : 1;
  if (kind === 'team') return Math.max(0, Math.round(rng.lognormal(4, 0.8)));
  return Math.round(rng.lognormal(15, 1.1));
}

export async function fillProjectsDatabase(db: Db, options: { scale?: number; seed?: number } = {}): Promise<ProjectsData> {
  const scale = options.scale ?? 1;
  const rng = new Rng(options.seed ?? 37);
  const accountCount = Math.round(800 * scale);
  const projectCount = Math.round(400 * scale);
  const planted: string[] = [];
  const date = (from: number, days: number) => new Date(from + Math.floor(rng.next() * days * day));

  const accounts: Document[] = [];
  for (let i = 0; i < accountCount; i++) {
    const first = rng.pick(plantedFirstNames);
    const last = rng.pick(plantedLastNames);
    const name = `${first} ${last}`;
    const email = `${first}.${last}.${i}@example.org`.toLowerCase();
    planted.push(name, email);
    const doc: Document = { _id: idOf(1, i), email, name, plan: rng.weighted({ FREE: 6, PRO: 3, TEAM: 1 }) };
    optional(rng, doc, 'address', 0.2, 0.1, () => {
      const address: Document = { city: rng.pick(cities), country: 'XX' };
      optional(rng, address, 'zip', 0.3, 0.1, () => String(10_000 + rng.int(89_999)));
      return address;
    });
    doc.tags = Array.from({ length: rng.int(4) }, () => rng.pick(tags));
    optional(rng, doc, 'score', 0.3, 0.1, () => rng.int(101));
    optional(rng, doc, 'avatar', 0.5, 0, () => new Binary(Buffer.alloc(16 + rng.int(240), 7)));
    optional(rng, doc, 'settings', 0.6, 0.1, () => ({ theme: rng.pick(['dark', 'light']) }));
    doc.createdAt = date(epoch, 730);
    optional(rng, doc, 'deletedAt', 0.8, 0.1, () => date(epoch + 730 * day, 30));
    doc.projectIds = [];
    accounts.push(doc);
  }

  const projects: Document[] = [];
  for (let i = 0; i < projectCount; i++) {
    const title = `${rng.pick(titleWords)} ${rng.pick(titleWords)} ${rng.pick(titleWords)} ${i}`;
    planted.push(title);
    const doc: Document = { _id: idOf(2, i), title, kind: rng.weighted({ solo: 5, team: 3.5, public: 1.5 }), archived: rng.chance(0.2) };
    optional(rng, doc, 'budget', 0.25, 0.15, () => Math.round(rng.lognormal(5_000, 1.2) * 100) / 100);
    optional(rng, doc, 'views', 0.3, 0.1, () => Long.fromNumber(Math.round(rng.lognormal(1_000, 1.5))));
    doc.createdAt = date(epoch, 730);
    // Many-to-many: a project's accounts (heavy-tailed, skewed to popular accounts), mirrored on the accounts.
    const linked = skewedDistinct(rng, accountCount, rng.geometric(0.35));
    doc.accountIds = linked.map((a) => idOf(1, a));
    for (const a of linked) (accounts[a]?.projectIds as ObjectId[]).push(doc._id as ObjectId);
    projects.push(doc);
  }

  const memberships: Document[] = [];
  const tasks: Document[] = [];
  for (const project of projects) {
    const members = skewedDistinct(rng, accountCount, membersFor(rng, project.kind as ProjectKind));
    members.forEach((a, k) => {
      memberships.push({
        _id: idOf(3, memberships.length),
        accountId: idOf(1, a),
        projectId: project._id,
        role: k === 0 ? 'OWNER' : rng.weighted({ EDITOR: 1, VIEWER: 2 }),
        isActive: rng.chance(0.9),
        joined_at: date(epoch, 760),
      });
    });
    const taskCount = rng.chance(0.15) ? 0 : Math.round(rng.lognormal(5, 1));
    for (let t = 0; t < taskCount; t++) tasks.push(taskFor(rng, tasks.length, project._id as ObjectId, planted, date));
  }
  const danglingTasks = Math.max(1, Math.round(10 * scale));
  for (let t = 0; t < danglingTasks; t++) tasks.push(taskFor(rng, tasks.length, idOf(9, t), planted, date));

  const insert = async (collection: string, docs: Document[]) => {
    for (let i = 0; i < docs.length; i += 5_000) await db.collection(collection).insertMany(docs.slice(i, i + 5_000), { ordered: false });
  };
  await insert('accounts', accounts);
  await insert('Project', projects);
  await insert('Membership', memberships);
  await insert('tasks', tasks);
  return { accounts, projects, memberships, tasks, planted, danglingTasks };
}

function taskFor(rng: Rng, index: number, projectId: ObjectId, planted: string[], date: (from: number, days: number) => Date): Document {
  const title = `${rng.pick(titleWords)} task ${rng.pick(titleWords)} ${index}`;
  planted.push(title);
  const doc: Document = { _id: idOf(4, index), projectId, title, priority: 1 + rng.int(5) };
  optional(rng, doc, 'estimate', 0.3, 0.2, () => Math.round(rng.lognormal(3, 0.8) * 10) / 10);
  optional(rng, doc, 'dueAt', 0.4, 0.1, () => date(epoch + 365 * day, 400));
  doc.done = rng.chance(0.4);
  doc.labels = Array.from(new Set(Array.from({ length: rng.int(4) }, () => rng.pick(taskLabels))));
  doc.createdAt = date(epoch, 730);
  return doc;
}
