import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliRun, runCli } from './cli.js';

/** What the dataset-cache tests read of a bench's result.json. */
export interface CachedRunResult {
  dataset: { fingerprint: string; counts: Record<string, number>; seed: number };
  patterns: { id: string; userClass: string; before: { totalDocsExamined: number }; after: { totalDocsExamined: number } }[];
  timings: Record<string, number>;
}

export const workCounts = (r: CachedRunResult) =>
  r.patterns.map((p) => `${p.id}|${p.userClass}|${p.before.totalDocsExamined}|${p.after.totalDocsExamined}`);

/**
 * A route of one read by _id: the cache is about the seed stage, and the query patterns' work counts show the data is the
 * same; the driver route's measures (about 5 s of CPU a run here, of 17) are the other bench tests'.
 */
export const oneRead = `export default {
  id: 'one-read',
  title: 'one read by _id',
  async run({ prisma, user }) {
    await prisma.user.findUnique({ where: { id: user.id } });
  },
};
`;

/**
 * A `tiny` bench on an embedded mongod with `cache` as its dataset cache, its reports in `out/<label>`, of the one-read
 * route: the writes and the build's reader, which read the same data, are left out.
 */
const benchWithCache =
  (cache: string, out: string) =>
  async (label: string, extra: string[] = []): Promise<{ run: CliRun; result: CachedRunResult }> => {
    const run = await runCli(
      [
        'bench',
        '--scale',
        'tiny',
        '--route-file',
        join(out, 'one-read.mjs'),
        '--no-writes',
        '--no-build-load',
        '--out',
        join(out, label),
        ...extra,
      ],
      { env: { INDEXGATE_DATASET_CACHE_DIR: cache } },
    );
    expect([0, 1, 3]).toContain(run.code);
    return { run, result: JSON.parse(await readFile(join(out, label, 'result.json'), 'utf8')) as CachedRunResult };
  };

/** Runs `body` with a fresh dataset cache (`cache`) and a bench on it (`bench`), both folders removed after. */
export async function withDatasetCache(
  label: string,
  body: (bench: ReturnType<typeof benchWithCache>, cache: string, out: string) => Promise<void>,
): Promise<void> {
  const cache = await mkdtemp(join(tmpdir(), `indexgate-${label}-`));
  const out = await mkdtemp(join(tmpdir(), `indexgate-${label}-out-`));
  try {
    await writeFile(join(out, 'one-read.mjs'), oneRead);
    await body(benchWithCache(cache, out), cache, out);
  } finally {
    await rm(cache, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  }
}
