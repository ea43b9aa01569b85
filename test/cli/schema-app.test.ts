import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProfileFit } from '../../src/workload.js';
import { runCli } from '../support/cli.js';
import { testClient, testUri, uniqueDbName } from '../support/mongo.js';
import { fillProjectsDatabase, type ProjectsData } from '../support/projects-app.js';

/**
 * Any application's schema, end to end through the CLI (#37): a database of the tests' own
 * application filled by hand (many-to-many id arrays, a composite type, enums, optional fields,
 * skewed fan-outs), profiled (`profile --prisma-schema`), a copy seeded from the profile
 * (`seed --prisma-schema --profile`) and compared with it, the same seed twice byte-identical.
 * A route written for that schema is benched in schema-bench.test.ts.
 */

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const schema = fixture('prisma/projects.prisma');

let dir: string;
let profileFile: string;
let data: ProjectsData;
let seededDb: string;
let fit: readonly ProfileFit[];

/** The application's collections' hashes (dbHash; indexgate's marker, which holds the seed's time, aside): equal hashes, equal documents. */
async function collectionHashes(dbName: string): Promise<Record<string, string>> {
  const client = await testClient();
  const hash = (await client.db(dbName).command({ dbHash: 1 })) as { collections: Record<string, string> };
  return Object.fromEntries(Object.entries(hash.collections).filter(([name]) => name !== '_indexgate'));
}

const seedFromProfile = (db: string) =>
  runCli(['seed', '--uri', testUri(), '--db', db, '--prisma-schema', schema, '--profile', profileFile, '--json'], { timeoutMs: 300_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-schema-app-'));
  const client = await testClient();
  const source = uniqueDbName('projects');
  data = await fillProjectsDatabase(client.db(source), { scale: 1, seed: 7 });
  profileFile = join(dir, 'projects-profile.json');
  const profiled = await runCli(['profile', '--uri', testUri(), '--db', source, '--prisma-schema', schema, '--out', profileFile], {
    timeoutMs: 300_000,
  });
  expect(profiled.stderr).not.toMatch(/error/);
  expect(profiled.code).toBe(0);
  seededDb = uniqueDbName('seeded');
  const seeded = await seedFromProfile(seededDb);
  expect(seeded.code, seeded.stderr).toBe(0);
  fit = (JSON.parse(seeded.stdout) as { profile: { fit: ProfileFit[] } }).profile.fit;
}, 600_000);

describe('a profile of any schema, and data seeded from it', () => {
  it('profile holds counts, shares and quantiles, never a planted name, email or text, nor an id', async () => {
    const text = await readFile(profileFile, 'utf8');
    for (const planted of data.planted) expect(text, planted).not.toContain(planted);
    expect(text).not.toMatch(/[0-9a-f]{24}/i);
    const profile = JSON.parse(text) as { format: string; models: Record<string, { count: number }> };
    expect(profile.format).toBe('indexgate-schema-profile');
    expect(profile.models.Account?.count).toBe(data.accounts.length);
    expect(profile.models.Membership?.count).toBe(data.memberships.length);
  });

  it('the seeded copy: counts within 2%, fan-out quantiles within 15%, value shares within 2 points', () => {
    const counts = fit.filter((f) => f.what.startsWith('count '));
    expect(counts.length).toBe(4);
    for (const f of counts) expect(f.offBy ?? 1, f.what).toBeLessThanOrEqual(0.02);
    // Fan-outs: members per project (all, and by kind), memberships per account, tasks per project, both sides of the many-to-many.
    const fanOuts = fit.filter((f) => / (p50|p90|p99|max)$/.test(f.what));
    expect(fanOuts.some((f) => f.what.includes('where kind = team'))).toBe(true);
    expect(fanOuts.some((f) => f.what.startsWith('Account Membership per Account'))).toBe(true);
    expect(fanOuts.some((f) => f.what.startsWith('Project Account per Project') || f.what.startsWith('Account Project per Account'))).toBe(
      true,
    );
    // A quantile of a small count may be 1 against 2: within 15% or within one.
    for (const f of fanOuts) expect(Math.abs(f.seeded - f.profiled), f.what).toBeLessThanOrEqual(Math.max(1, 0.15 * f.profiled));
    const shares = fit.filter((f) => f.what.endsWith(' share'));
    expect(shares.some((f) => f.what.includes('plan ='))).toBe(true);
    expect(shares.some((f) => f.what.includes('absent share'))).toBe(true);
    expect(shares.some((f) => f.what.includes('null share'))).toBe(true);
    for (const f of shares) expect(Math.abs(f.seeded - f.profiled), f.what).toBeLessThanOrEqual(0.02);
  });

  it('the same profile and seed twice: byte-identical collections', async () => {
    const again = uniqueDbName('again');
    const run = await seedFromProfile(again);
    expect(run.code, run.stderr).toBe(0);
    const [first, second] = await Promise.all([collectionHashes(seededDb), collectionHashes(again)]);
    expect(Object.keys(first).sort()).toEqual(['Membership', 'Project', 'accounts', 'tasks']);
    expect(second).toEqual(first);
  });
});
