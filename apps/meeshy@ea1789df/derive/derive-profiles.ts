/**
 * Derives apps/meeshy@ea1789df/profiles/<scale>.json from meeshy@aa13b652's own scales, so that
 * the ea1789df data has the sizes and the skew of the aa13b652 data it stands beside:
 *
 *   1. seeds meeshy@aa13b652 at <scale> with the project's CLI (`indexgate seed --scale <scale>`,
 *      seed 20260126: the same data every run) into `derive_aa_<scale>`;
 *   2. measures its counts and fan-outs (members per conversation by type, conversations per user);
 *   3. migrates it in place to ea1789df's shape (./migrate.ts: the application's own migration
 *      script where there is one, its code's writes otherwise);
 *   4. profiles it with apps/meeshy@ea1789df/schema.prisma (src/schema-data/read.ts), keeps
 *      Conversation.type's four values (`keepConversationTypes`), writes profiles/<scale>.json
 *      and checks that it holds no id, name or text;
 *   5. seeds that profile back at factor 1 through the schema engine (`indexgate seed
 *      --prisma-schema … --profile …`) into `derive_ea_<scale>`, and measures both the
 *      same way; the figures go to derive/figures/<scale>.json and to stdout.
 *
 * Re-run (from the repository's root; a throw-away mongod is started unless --uri is given,
 * whose databases derive_aa_<scale> and derive_ea_<scale> are replaced):
 *
 *   npx tsx apps/meeshy@ea1789df/derive/derive-profiles.ts [--scale medium[,small,tiny]] [--uri mongodb://127.0.0.1:PORT]
 *
 * medium takes about 10 minutes here (mongod 7.0.15 under Wine). `large` (10 M messages) is
 * not derived: app.json uses the medium profile × 8 for it.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { type Db, type Document, MongoClient } from 'mongodb';
import { format, resolveConfig } from 'prettier';
import { quantilesOfHistogram } from '../../../src/data/quantiles.js';
import { startEmbedded } from '../../../src/mongo/embedded.js';
import { loadDataModel } from '../../../src/run/route-setup.js';
import { readSchemaProfile } from '../../../src/schema-data/read.js';
import type { SchemaProfile } from '../../../src/schema-data/profile.js';
import { migrateToEa1789df, type MigrationFigures } from './migrate.js';

const here = dirname(fileURLToPath(import.meta.url));
const app = dirname(here);
const root = join(app, '../..');
const schemaFile = join(app, 'schema.prisma');
const scales = ['tiny', 'small', 'medium'] as const;
type DerivedScale = (typeof scales)[number];

// ─── Figures: counts and fan-outs, read on the server ──────────────────────────────────────

/** p50/p90/p99/max and mean of a distribution given as a histogram. */
interface Spread {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function spread(histogram: Map<number, number>): Spread {
  const q = quantilesOfHistogram(histogram);
  // profileProbabilities: index 10 = 0.5, 18 = 0.9, 21 = 0.99, 24 = 1.
  const at = (i: number) => Math.round((q.q[i] ?? 0) * 10) / 10;
  return { n: q.n, mean: q.n ? Math.round((q.sum / q.n) * 100) / 100 : 0, p50: at(10), p90: at(18), p99: at(21), max: at(24) };
}

/**
 * How many `child` documents (matching `filter`) each parent has, parents without one counted 0,
 * by the parent's `by` field when given (else under "all"): a histogram per value. Only counts
 * come back from the server; children whose parent is missing are left out, as the reader does.
 */
async function fanOutHistograms(
  db: Db,
  child: { collection: string; key: string; filter?: Document },
  parent: { collection: string; by?: string },
): Promise<Map<string, Map<number, number>>> {
  const rows = await db
    .collection(child.collection)
    .aggregate([
      { $match: { [child.key]: { $ne: null }, ...(child.filter ?? {}) } },
      { $group: { _id: `$${child.key}`, n: { $sum: 1 } } },
      {
        $lookup: {
          from: parent.collection,
          localField: '_id',
          foreignField: '_id',
          as: 'p',
          pipeline: [{ $project: { g: parent.by ? `$${parent.by}` : 'all' } }],
        },
      },
      { $match: { p: { $ne: [] } } },
      { $group: { _id: { g: { $first: '$p.g' }, n: '$n' }, parents: { $sum: 1 } } },
    ])
    .toArray();
  const totals = await db
    .collection(parent.collection)
    .aggregate([{ $group: { _id: parent.by ? `$${parent.by}` : 'all', parents: { $sum: 1 } } }])
    .toArray();
  const result = new Map<string, Map<number, number>>();
  for (const total of totals) {
    const g = String(total._id);
    const histogram = new Map<number, number>();
    for (const row of rows.filter((r) => String(r._id.g) === g)) histogram.set(Number(row._id.n), Number(row.parents));
    const seen = [...histogram.values()].reduce((a, b) => a + b, 0);
    histogram.set(0, (histogram.get(0) ?? 0) + Number(total.parents) - seen);
    result.set(g, histogram);
  }
  return result;
}

async function fanOut(...args: Parameters<typeof fanOutHistograms>): Promise<Record<string, Spread>> {
  return Object.fromEntries([...(await fanOutHistograms(...args))].map(([g, h]) => [g, spread(h)]));
}

/**
 * Conversation.type, kept. The reader keeps a String's values only when each is held by at
 * least 20 documents (src/schema-data/profile.ts `lowCardinality`); aa13b652's scales have 1
 * to 3 global and 4 to 20 public conversations, so `type` would be profiled as free text (and
 * seeded as random strings) and the fan-outs from Conversation conditioned on `isActive`,
 * losing which conversations are the large ones. Its four values are the application's
 * constants (core.ts compares them), not anybody's data: they are added here with their
 * shares, and every relation whose parent is Conversation is conditioned on them, counted as
 * the reader counts (children per parent, parents without one at 0).
 */
async function keepConversationTypes(profile: SchemaProfile, db: Db): Promise<SchemaProfile> {
  const conversation = profile.models.Conversation;
  const type = conversation?.fields.type;
  if (!conversation || !type || type.values) return profile;
  const perType = await db
    .collection(conversation.collection)
    .aggregate<{ _id: string; n: number }>([
      { $match: { type: { $type: 'string' } } },
      { $group: { _id: '$type', n: { $sum: 1 } } },
      { $sort: { n: -1, _id: 1 } },
    ])
    .toArray();
  const present = perType.reduce((t, r) => t + r.n, 0);
  const relations = [];
  for (const r of profile.relations) {
    const child = profile.models[r.child.model];
    const key = r.child.fields[0];
    if (r.parent.model !== 'Conversation' || r.kind === 'many-to-many' || !child || !key) {
      relations.push(r);
      continue;
    }
    const histograms = await fanOutHistograms(
      db,
      { collection: child.collection, key },
      { collection: conversation.collection, by: 'type' },
    );
    const values = Object.fromEntries(
      perType.map((t) => {
        const h = histograms.get(t._id) ?? new Map([[0, t.n]]);
        return [t._id, { parents: t.n, perParent: quantilesOfHistogram(h) }];
      }),
    );
    relations.push({ ...r, byParentField: { field: 'type', values } });
  }
  return {
    ...profile,
    models: {
      ...profile.models,
      Conversation: {
        ...conversation,
        fields: { ...conversation.fields, type: { ...type, values: perType.map((t) => ({ value: t._id, share: t.n / present })) } },
      },
    },
    relations,
  };
}

interface Figures {
  readonly counts: Record<string, number>;
  /** Members (aa13b652) or participants (ea1789df) per conversation, by conversation type: all, and active ones. */
  readonly membersPerConversation: Record<string, Spread>;
  readonly activeMembersPerConversation: Record<string, Spread>;
  /** Active memberships per user (conversations per user). */
  readonly conversationsPerUser: Spread;
  readonly messagesPerConversation: Record<string, Spread>;
  readonly cursorsPerConversation: Spread;
  readonly preferencesPerUser: Spread;
}

async function figures(db: Db, shape: 'aa13b652' | 'ea1789df'): Promise<Figures> {
  const members = shape === 'aa13b652' ? 'ConversationMember' : 'Participant';
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('_'));
  const counts: Record<string, number> = {};
  for (const n of names.sort()) counts[n] = await db.collection(n).countDocuments();
  if (shape === 'ea1789df') {
    counts['Participant.anonymous'] = await db.collection('Participant').countDocuments({ type: 'anonymous' });
  }
  const conversation = { collection: 'Conversation', by: 'type' };
  return {
    counts,
    membersPerConversation: await fanOut(db, { collection: members, key: 'conversationId' }, conversation),
    activeMembersPerConversation: await fanOut(
      db,
      { collection: members, key: 'conversationId', filter: { isActive: true } },
      conversation,
    ),
    conversationsPerUser: (await fanOut(db, { collection: members, key: 'userId', filter: { isActive: true } }, { collection: 'User' }))
      .all as Spread,
    messagesPerConversation: await fanOut(db, { collection: 'Message', key: 'conversationId' }, conversation),
    cursorsPerConversation: (
      await fanOut(db, { collection: 'ConversationReadCursor', key: 'conversationId' }, { collection: 'Conversation' })
    ).all as Spread,
    preferencesPerUser: (await fanOut(db, { collection: 'UserConversationPreferences', key: 'userId' }, { collection: 'User' }))
      .all as Spread,
  };
}

// ─── The profile holds no id, name or text ────────────────────────────────────────────────

/**
 * Every string of the profile is a model, field, relation or collection name of the schema, a
 * source field, or a kept low-cardinality value; none is an ObjectId, and no kept value is a
 * name, username, e-mail, identifier, title or message text found in the database it was read from.
 */
async function assertNoIdNameOrText(profile: SchemaProfile, db: Db): Promise<number> {
  const text = JSON.stringify(profile);
  const objectId = /"[0-9a-f]{24}"/i.exec(text);
  if (objectId) throw new Error(`the profile holds an ObjectId-like string ${objectId[0]}`);
  const kept = new Set<string>();
  for (const model of Object.values(profile.models))
    for (const field of Object.values(model.fields)) for (const v of field.values ?? []) if (typeof v.value === 'string') kept.add(v.value);
  const values = [...kept];
  const found: string[] = [];
  const probe = async (collection: string, fields: readonly string[]) => {
    for (const f of fields) {
      const hits = await db.collection(collection).distinct(f, { [f]: { $in: values } });
      found.push(...hits.map((h) => `${collection}.${f} = ${JSON.stringify(h)}`));
    }
  };
  await probe('User', ['username', 'email', 'firstName', 'lastName', 'displayName']);
  await probe('Participant', ['displayName', 'nickname']);
  await probe('Conversation', ['identifier', 'title', 'description']);
  await probe('Message', ['content']);
  await probe('MessageAttachment', ['fileName', 'originalName', 'fileUrl']);
  if (found.length > 0) throw new Error(`the profile keeps values that are names or text: ${found.slice(0, 5).join('; ')}`);
  return values.length;
}

// ─── The run ───────────────────────────────────────────────────────────────────────────────

const run = promisify(execFile);

/** A JSON file as the repository's prettier writes it (`npm run lint` checks every file). */
async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(JSON.stringify(value), { ...options, filepath: file }));
}

/** `indexgate <args>`, the project's CLI, its progress on this process's stderr. */
async function indexgate(args: readonly string[]): Promise<void> {
  const child = run(process.execPath, [join(root, 'bin/indexgate.js'), ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  child.child.stderr?.pipe(process.stderr);
  await child;
}

function withDatabase(uri: string, db: string): string {
  const url = new URL(uri);
  url.pathname = `/${db}`;
  return url.toString();
}

interface Derived {
  readonly scale: DerivedScale;
  readonly seconds: { readonly seed: number; readonly migrate: number; readonly profile: number; readonly reseed: number };
  readonly migration: MigrationFigures;
  readonly aa13b652: Figures;
  readonly ea1789df: Figures;
  readonly reseeded: Figures;
}

async function derive(client: MongoClient, uri: string, scale: DerivedScale): Promise<Derived> {
  const clock = () => performance.now() / 1000;
  const aaDb = `derive_aa_${scale}`;
  const eaDb = `derive_ea_${scale}`;
  await client.db(aaDb).dropDatabase();
  await client.db(eaDb).dropDatabase();

  let t = clock();
  await indexgate(['seed', '--app', 'meeshy@aa13b652', '--scale', scale, '--uri', withDatabase(uri, aaDb)]);
  const seed = clock() - t;
  const db = client.db(aaDb);
  const aa13b652 = await figures(db, 'aa13b652');

  t = clock();
  const migration = await migrateToEa1789df(db);
  const migrate = clock() - t;
  const ea1789df = await figures(db, 'ea1789df');

  t = clock();
  const model = await loadDataModel(schemaFile);
  const hello = await client.db('admin').command({ buildInfo: 1 });
  const profile = await keepConversationTypes(await readSchemaProfile(db, model, { serverVersion: String(hello.version), schemaFile }), db);
  const kept = await assertNoIdNameOrText(profile, db);
  const file = join(app, 'profiles', `${scale}.json`);
  // The source names the scale, not the scratch database; profiledAt is the migrated data's clock, for a stable file.
  const stable: SchemaProfile = {
    ...profile,
    source: { ...profile.source, database: `meeshy@aa13b652 ${scale}, migrated`, profiledAt: migration.dataEnd },
  };
  await writeJson(file, stable);
  const profiling = clock() - t;
  process.stderr.write(`derive: ${relative(root, file)} written; ${kept} low-cardinality string values kept, none a name or text\n`);

  t = clock();
  await indexgate(['seed', '--prisma-schema', schemaFile, '--profile', file, '--scale-factor', '1', '--uri', withDatabase(uri, eaDb)]);
  const reseed = clock() - t;
  const reseeded = await figures(client.db(eaDb), 'ea1789df');

  const round = (s: number) => Math.round(s);
  return {
    scale,
    seconds: { seed: round(seed), migrate: round(migrate), profile: round(profiling), reseed: round(reseed) },
    migration,
    aa13b652,
    ea1789df,
    reseeded,
  };
}

function table(d: Derived): string {
  const line = (label: string, s: (f: Figures) => Spread | undefined) =>
    `| ${label} | ${[d.aa13b652, d.ea1789df, d.reseeded]
      .map((f) => {
        const x = s(f);
        return x ? `${x.n} / ${x.mean} / ${x.p50} / ${x.p90} / ${x.p99} / ${x.max}` : '–';
      })
      .join(' | ')} |`;
  const count = (label: string, pick: (f: Figures) => number | undefined) =>
    `| ${label} | ${[d.aa13b652, d.ea1789df, d.reseeded].map((f) => pick(f) ?? '–').join(' | ')} |`;
  const types = Object.keys(d.aa13b652.membersPerConversation).sort();
  return [
    `### ${d.scale}: aa13b652 seeded | migrated to ea1789df | ea1789df profile seeded back at factor 1`,
    'Counts; fan-outs as n / mean / p50 / p90 / p99 / max.',
    '',
    '| figure | aa13b652 | migrated | reseeded |',
    '|---|---|---|---|',
    ...['User', 'Conversation', 'Message', 'ConversationReadCursor', 'UserConversationPreferences', 'MessageAttachment'].map((c) =>
      count(c, (f) => f.counts[c]),
    ),
    count('ConversationMember / Participant', (f) => f.counts.ConversationMember ?? f.counts.Participant),
    count('of which anonymous', (f) => f.counts['Participant.anonymous']),
    ...types.map((t) => line(`members per ${t} conversation`, (f) => f.membersPerConversation[t])),
    ...types.map((t) => line(`active members per ${t} conversation`, (f) => f.activeMembersPerConversation[t])),
    line('conversations per user (active)', (f) => f.conversationsPerUser),
    ...types.map((t) => line(`messages per ${t} conversation`, (f) => f.messagesPerConversation[t])),
    line('read cursors per conversation', (f) => f.cursorsPerConversation),
    line('preferences rows per user', (f) => f.preferencesPerUser),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'medium' }, uri: { type: 'string' } } });
  const wanted = values.scale.split(',').map((s) => s.trim());
  for (const s of wanted) if (!(scales as readonly string[]).includes(s)) throw new Error(`--scale ${s}: one of ${scales.join(', ')}`);
  const server = values.uri
    ? undefined
    : await startEmbedded({
        host: {
          env: process.env,
          platform: process.platform,
          arch: process.arch,
          uid: process.getuid?.(),
          homedir: homedir(),
          tmpdir: tmpdir(),
        },
        reporter: { notice: (m) => process.stderr.write(`derive: ${m}\n`), progress: () => ({ update() {}, stop() {} }) },
      });
  try {
    const uri = values.uri ?? (server as NonNullable<typeof server>).uri;
    const client = new MongoClient(uri);
    try {
      for (const scale of wanted as DerivedScale[]) {
        const derived = await derive(client, uri, scale);
        const out = join(here, 'figures', `${scale}.json`);
        await writeJson(out, derived);
        console.log(`${table(derived)}\n`);
        console.log(`migration: ${JSON.stringify(derived.migration)}; seconds: ${JSON.stringify(derived.seconds)}\n`);
      }
    } finally {
      await client.close();
    }
  } finally {
    await server?.stop();
  }
}

await main();
