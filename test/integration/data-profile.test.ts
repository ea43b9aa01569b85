import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { seededCollections } from '../../seed/collections.js';
import type { DataProfile } from '../../seed/data-profile.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { silentReporter } from '../../src/progress.js';
import type { DataProfiles } from '../../src/workload.js';
import { runCli } from '../support/cli.js';
import { testDb, testUri } from '../support/mongo.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

const profiles = workload.dataset.profiles as DataProfiles;
const read = async (db: Db) => (await profiles.read(db, '7.0.15')) as DataProfile;

async function hashes(db: Db): Promise<Record<string, string>> {
  const result = await db.command({ dbHash: 1, collections: [...seededCollections] });
  return result.collections as Record<string, string>;
}

describe('data fitted to a profile', () => {
  it('seeded from the profile of small: counts within 2%, every quantile within 10%, the same seed twice byte-identical', async () => {
    const { db: original } = await seededDb('profiled', 'small', 20260126);
    const profile = await read(original);
    const { dataset, scale } = profiles.fitted(profile, 1);
    const seed = async (label: string) => {
      const db = await testDb(label);
      await seedDatabase({ db, dataset, scale, seed: 5, baseline: 'bare', baselineSpecs: [], reporter: silentReporter });
      return db;
    };
    const [a, b] = await Promise.all([seed('fittedA'), seed('fittedB')]);
    expect(await hashes(b)).toEqual(await hashes(a));

    const fit = profiles.compare(profile, await read(a), 1);
    const counts = fit.filter((f) => f.what.startsWith('count '));
    expect(counts).toHaveLength(seededCollections.length);
    for (const f of counts) expect(f.offBy, f.what).toBeLessThanOrEqual(0.02);
    const quantiles = fit.filter((f) => / p[\d.]+$/.test(f.what));
    expect(quantiles.length).toBeGreaterThan(200);
    for (const f of quantiles) expect(f.offBy, `${f.what}: profiled ${f.profiled}, seeded ${f.seeded}`).not.toBeNull();
    for (const f of quantiles) expect(f.offBy, `${f.what}: profiled ${f.profiled}, seeded ${f.seeded}`).toBeLessThanOrEqual(0.1);
  }, 600_000);
});

describe('data from a scale file', () => {
  it('--profile seed/scales/tiny.json seeds byte for byte what --scale tiny does at the same seed', async () => {
    const checked = profiles.check(JSON.parse(await readFile(new URL('../../seed/scales/tiny.json', import.meta.url), 'utf8')));
    if (!checked.ok) throw new Error(checked.reason);
    const { dataset, scale } = profiles.fitted(checked.profile, 1);
    const [viaFile, builtIn] = await Promise.all([testDb('scaleFile'), testDb('scaleBuiltIn')]);
    const options = { seed: 9, baseline: 'bare', baselineSpecs: [], reporter: silentReporter } as const;
    await Promise.all([
      seedDatabase({ db: viaFile, dataset, scale, ...options }),
      seedDatabase({ db: builtIn, dataset: workload.dataset, scale: 'tiny', ...options }),
    ]);
    expect(await hashes(viaFile)).toEqual(await hashes(builtIn));
    const fit = profiles.compare(checked.profile, await read(viaFile), 1);
    expect(fit.map((f) => f.what)).toContain('group conversations');
    for (const f of fit) expect(f.offBy, f.what).toBeLessThanOrEqual(0.01);
  }, 300_000);
});

describe('indexgate profile', () => {
  it('writes counts and quantiles only: planted names, emails, texts and every id stay on the server, which it does not change', async () => {
    const { db } = await seededDb('secrets', 'tiny', 11);
    const secrets = ['Zephyrine-SECRET', 'Quuxley-SECRET', 'planted.secret@example.org', 'PLANTED TEXT 9f1c', 'Project Nightingale'];
    const users = await db
      .collection('User')
      .find({}, { limit: 5, projection: { _id: 1 } })
      .toArray();
    await db
      .collection('User')
      .updateMany({ _id: { $in: users.map((u) => u._id) } }, { $set: { firstName: secrets[0], lastName: secrets[1], email: secrets[2] } });
    await db.collection('Message').updateMany({ messageType: 'text' }, { $set: { content: secrets[3] } });
    await db.collection('Conversation').updateMany({ type: 'group' }, { $set: { title: secrets[4] } });
    const known = await db
      .collection('User')
      .find({}, { limit: 50, projection: { _id: 0, username: 1, email: 1 } })
      .toArray();
    const before = await hashes(db);

    const dir = await mkdtemp(join(tmpdir(), 'indexgate-profile-'));
    const out = join(dir, 'profile.json');
    const run = await runCli(['profile', '--uri', testUri(), '--db', db.databaseName, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^profiled /);
    const text = await readFile(out, 'utf8');
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const u of known) {
      expect(text).not.toContain(u.username as string);
      expect(text).not.toContain(u.email as string);
    }
    expect(text).not.toMatch(/[0-9a-f]{24}/i);
    expect(JSON.parse(text)).toMatchObject({ format: 'indexgate-profile', counts: { User: 400 } });
    expect(await hashes(db)).toEqual(before);
  }, 300_000);
});
