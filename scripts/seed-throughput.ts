/**
 * The seeder's own benchmark: `npm run bench:seed [-- --scales small,medium]`.
 *
 * On one embedded mongod, in one run, for each scale, in a fresh child process (so that
 * each peak RSS is the seeder's own):
 *  - seed:    the real pipeline (generation streamed into unordered bulk inserts, a few in flight);
 *  - ceiling: a plain loop over the same documents, one `insertMany` of the same batch size
 *             at a time, timing only the insertMany calls (generation excluded): what the
 *             server absorbs when nothing else happens;
 *  - naive:   the same loop timed end to end (generate, then insert, one after the other).
 * Reports docs/s, the ratio seed ÷ ceiling (target ≥ 0.9) and each child's peak RSS
 * (target: flat between scales, under 300 MB), on stdout and in reports/seed-bench-<id>.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Document, MongoClient } from 'mongodb';
import { startEmbedded } from '../src/mongo/embedded.js';
import { silentReporter } from '../src/progress.js';
import { table } from '../src/report/tables.js';
import { newRunId } from '../src/report/write.js';
import { defaultLoaderOptions } from '../src/seed/loader.js';
import { seedDatabase } from '../src/seed/seed-database.js';
import { generateDataset, planDataset, seededCollections } from '../seed/dataset.js';
import { type ScaleName, scaleNames, scaleProfiles } from '../seed/profiles.js';

interface Measured {
  mode: 'seed' | 'ceiling';
  scale: ScaleName;
  docs: number;
  ms: number;
  docsPerSecond: number;
  naiveDocsPerSecond?: number;
  peakRssMb: number;
}

const seed = 20260126;
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};

async function child(uri: string, mode: 'seed' | 'ceiling', scale: ScaleName): Promise<void> {
  const client = await MongoClient.connect(uri);
  const db = client.db(`seedbench_${mode}_${scale}`);
  await db.dropDatabase();
  let result: Omit<Measured, 'peakRssMb'>;
  try {
    if (mode === 'seed') {
      const seeded = await seedDatabase({ db, profile: scaleProfiles[scale], seed, baseline: 'bare', reporter: silentReporter });
      result = { mode, scale, docs: seeded.docs, ms: seeded.loadMs, docsPerSecond: seeded.docsPerSecond };
    } else {
      for (const name of seededCollections) await db.createCollection(name);
      const buffers = new Map<string, Document[]>();
      let insertMs = 0;
      let docs = 0;
      const started = performance.now();
      const flush = async (collection: string, batch: Document[]) => {
        const t0 = performance.now();
        await db.collection(collection).insertMany(batch, { ordered: false });
        insertMs += performance.now() - t0;
      };
      for (const [collection, doc] of generateDataset(planDataset(scaleProfiles[scale], seed))) {
        const buffer = buffers.get(collection) ?? [];
        buffers.set(collection, buffer);
        buffer.push(doc);
        docs++;
        if (buffer.length >= defaultLoaderOptions.batchSize) {
          buffers.set(collection, []);
          await flush(collection, buffer);
        }
      }
      for (const [collection, buffer] of buffers) if (buffer.length > 0) await flush(collection, buffer);
      const wall = performance.now() - started;
      result = { mode, scale, docs, ms: insertMs, docsPerSecond: docs / (insertMs / 1000), naiveDocsPerSecond: docs / (wall / 1000) };
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  // maxRSS is in kilobytes: the peak of this process, which did nothing but this.
  process.stdout.write(JSON.stringify({ ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

async function parent(): Promise<void> {
  const scales = (argValue('--scales') ?? 'small,medium').split(',') as ScaleName[];
  for (const s of scales) if (!scaleNames.includes(s)) throw new Error(`unknown scale ${s}`);
  const host = { env: process.env, platform: process.platform, arch: process.arch, uid: process.getuid?.(), homedir: homedir(), tmpdir: tmpdir() };
  const server = await startEmbedded({ host, reporter: { ...silentReporter, notice: (m) => process.stderr.write(`bench:seed: ${m}\n`) } });
  const measured: Measured[] = [];
  try {
    for (const scale of scales) {
      for (const mode of ['seed', 'ceiling'] as const) {
        process.stderr.write(`bench:seed: ${mode} at ${scale}…\n`);
        const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, '--uri', server.uri, '--scale', scale], {
          maxBuffer: 1 << 20,
        });
        measured.push(JSON.parse(stdout) as Measured);
      }
    }
  } finally {
    await server.stop();
  }
  const rows = scales.map((scale) => {
    const s = measured.find((m) => m.scale === scale && m.mode === 'seed') as Measured;
    const c = measured.find((m) => m.scale === scale && m.mode === 'ceiling') as Measured;
    return { scale, docs: s.docs, seedDocsPerSecond: Math.round(s.docsPerSecond), ceilingDocsPerSecond: Math.round(c.docsPerSecond), naiveDocsPerSecond: Math.round(c.naiveDocsPerSecond ?? 0), ratio: s.docsPerSecond / c.docsPerSecond, seedPeakRssMb: s.peakRssMb, ceilingPeakRssMb: c.peakRssMb };
  });
  const report = { runId: newRunId('seed-bench'), mongod: server.mongod.notice, seed, batchSize: defaultLoaderOptions.batchSize, maxInFlight: defaultLoaderOptions.maxInFlight, rows };
  const dir = resolve('reports');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${report.runId}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    table(
      ['scale', 'documents', 'seed docs/s', 'ceiling docs/s (insertMany only)', 'naive loop docs/s', 'seed ÷ ceiling (target ≥ 0.9)', 'seed peak RSS (target < 300 MB, flat)'],
      rows.map((r) => [r.scale, r.docs, r.seedDocsPerSecond, r.ceilingDocsPerSecond, r.naiveDocsPerSecond, r.ratio.toFixed(2), `${r.seedPeakRssMb} MB`]),
    ),
  );
  console.log(`${report.mongod}\nwritten to ${file}`);
}

if (process.argv.includes('--child')) {
  await child(argValue('--uri') as string, argValue('--child') as 'seed' | 'ceiling', argValue('--scale') as ScaleName);
} else {
  await parent();
}
