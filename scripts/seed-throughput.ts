/**
 * The seeder's own benchmark: `npm run bench:seed [-- --scales small,medium,large]`.
 *
 * On one embedded mongod, in one run, for each scale, in a fresh child process (so that
 * each peak RSS is the process's own):
 *  - seed:    the real pipeline (generation streamed into unordered bulk inserts, a few in
 *             flight), timed as a user sees it: from spawning the process (Node's start and
 *             module loading included) to its exit;
 *  - ceiling: what the server absorbs when nothing else happens: the same documents
 *             generated beforehand (at most the first 2 million, which a large dataset's
 *             memory allows), then `insertMany` batches of the loader's size, unordered,
 *             4 in flight, timing only the insert phase.
 * Reports docs/s, the ratio seed ÷ ceiling (target ≥ 0.9), each seed's peak RSS (target:
 * flat between scales, under 300 MB) and the large rate against medium's (target ≥ 0.8),
 * on stdout and in reports/seed-bench-<id>.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Document, MongoClient } from 'mongodb';
import { embeddedCacheGb, startEmbedded } from '../src/mongo/embedded.js';
import { silentReporter } from '../src/progress.js';
import { table } from '../src/report/tables.js';
import { newRunId } from '../src/files.js';
import { defaultLoaderOptions } from '../src/dataset/loader.js';
import { seedDatabase } from '../src/dataset/seed-database.js';
import { builtInWorkload } from '../bench/built-in-workload.js';

const { dataset } = builtInWorkload;
type ScaleName = string;

interface Measured {
  mode: 'seed' | 'ceiling';
  scale: ScaleName;
  docs: number;
  ms: number;
  docsPerSecond: number;
  peakRssMb: number;
}

const seed = 20260126;
/** The ceiling's documents are built in memory first: at most this many. */
const ceilingDocs = 2_000_000;
const ceilingInFlight = 4;
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};

async function child(uri: string, mode: 'seed' | 'ceiling', scale: ScaleName): Promise<void> {
  const client = await MongoClient.connect(uri);
  const db = client.db(`seedbench_${mode}_${scale}`);
  await db.dropDatabase();
  let result: Omit<Measured, 'peakRssMb' | 'ms' | 'docsPerSecond'> & { ms?: number };
  try {
    if (mode === 'seed') {
      const seeded = await seedDatabase({ db, dataset, scale, seed, baseline: 'bare', baselineSpecs: [], reporter: silentReporter });
      result = { mode, scale, docs: seeded.docs };
    } else {
      for (const name of dataset.collections) await db.createCollection(name);
      const batches: { collection: string; docs: Document[] }[] = [];
      const open = new Map<string, Document[]>();
      let docs = 0;
      for (const [collection, doc] of dataset.generate(dataset.plan(scale, seed))) {
        if (docs >= ceilingDocs) break;
        const buffer = open.get(collection) ?? [];
        open.set(collection, buffer);
        buffer.push(doc);
        docs++;
        if (buffer.length >= defaultLoaderOptions.batchSize) {
          batches.push({ collection, docs: buffer });
          open.set(collection, []);
        }
      }
      for (const [collection, buffer] of open) if (buffer.length > 0) batches.push({ collection, docs: buffer });
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < batches.length; i = next++) {
          const batch = batches[i] as (typeof batches)[number];
          await db.collection(batch.collection).insertMany(batch.docs, { ordered: false });
        }
      };
      await Promise.all(Array.from({ length: ceilingInFlight }, worker));
      result = { mode, scale, docs, ms: performance.now() - started };
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
  for (const s of scales) if (!(s in dataset.scales)) throw new Error(`unknown scale ${s}`);
  const host = {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    uid: process.getuid?.(),
    homedir: homedir(),
    tmpdir: tmpdir(),
  };
  // The server is started as bench starts it for the largest scale asked (a production-sized one gets mongod's default cache).
  const cacheSizeGb = scales.map((scale) => embeddedCacheGb(dataset.scales[scale], totalmem())).find((gb) => gb !== undefined);
  if (cacheSizeGb !== undefined)
    process.stderr.write(`bench:seed: WiredTiger cache ${cacheSizeGb} GB (as bench starts the server for large)\n`);
  const server = await startEmbedded({
    host,
    cacheSizeGb,
    reporter: { ...silentReporter, notice: (m) => process.stderr.write(`bench:seed: ${m}\n`) },
  });
  const measured: Measured[] = [];
  try {
    for (const scale of scales) {
      for (const mode of ['seed', 'ceiling'] as const) {
        process.stderr.write(`bench:seed: ${mode} at ${scale}…\n`);
        const spawned = performance.now();
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [fileURLToPath(import.meta.url), '--child', mode, '--uri', server.uri, '--scale', scale],
          {
            maxBuffer: 1 << 20,
          },
        );
        const wall = performance.now() - spawned;
        const reported = JSON.parse(stdout) as Omit<Measured, 'docsPerSecond'> & { ms?: number };
        // The seed as a user sees it (process start to exit); the ceiling, its insert phase only.
        const ms = mode === 'seed' ? wall : (reported.ms ?? wall);
        measured.push({ ...reported, ms, docsPerSecond: reported.docs / (ms / 1000) });
      }
    }
  } finally {
    await server.stop();
  }
  const rows = scales.map((scale) => {
    const s = measured.find((m) => m.scale === scale && m.mode === 'seed') as Measured;
    const c = measured.find((m) => m.scale === scale && m.mode === 'ceiling') as Measured;
    return {
      scale,
      docs: s.docs,
      seedMs: Math.round(s.ms),
      seedDocsPerSecond: Math.round(s.docsPerSecond),
      ceilingDocs: c.docs,
      ceilingDocsPerSecond: Math.round(c.docsPerSecond),
      ratio: s.docsPerSecond / c.docsPerSecond,
      seedPeakRssMb: s.peakRssMb,
    };
  });
  const medium = rows.find((r) => r.scale === 'medium');
  const report = {
    runId: newRunId('seed-bench'),
    mongod: server.mongod.notice,
    seed,
    batchSize: defaultLoaderOptions.batchSize,
    maxInFlight: defaultLoaderOptions.maxInFlight,
    heapLimitMb: defaultLoaderOptions.heapLimitMb,
    ceilingInFlight,
    rows,
  };
  const dir = resolve('reports');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${report.runId}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    table(
      [
        'scale',
        'documents',
        'seed wall (process start included)',
        'seed docs/s',
        'ceiling docs/s (4 in flight, pre-built)',
        'seed ÷ ceiling (target ≥ 0.9)',
        'rate ÷ medium (large: ≥ 0.8)',
        'seed peak RSS (target < 300 MB, flat)',
      ],
      rows.map((r) => [
        r.scale,
        r.docs,
        `${(r.seedMs / 1000).toFixed(1)} s`,
        r.seedDocsPerSecond,
        r.ceilingDocsPerSecond,
        r.ratio.toFixed(2),
        medium ? (r.seedDocsPerSecond / medium.seedDocsPerSecond).toFixed(2) : '–',
        `${r.seedPeakRssMb} MB`,
      ]),
    ),
  );
  console.log(`${report.mongod}\nwritten to ${file}`);
}

if (process.argv.includes('--child')) {
  await child(argValue('--uri') as string, argValue('--child') as 'seed' | 'ceiling', argValue('--scale') as ScaleName);
} else {
  await parent();
}
