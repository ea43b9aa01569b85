import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

interface Saved {
  dataset: { fingerprint: string; counts: Record<string, number> };
  patterns: { id: string; userClass: string; before: { totalDocsExamined: number }; after: { totalDocsExamined: number } }[];
  timings: Record<string, number>;
}

const workCounts = (r: Saved) => r.patterns.map((p) => `${p.id}|${p.userClass}|${p.before.totalDocsExamined}|${p.after.totalDocsExamined}`);

describe('the cache of seeded datasets', () => {
  it('saves a seed, reuses it on the next run (saying so on stderr), and refuses a copy that fails its check', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'indexgate-cache-'));
    const out = await mkdtemp(join(tmpdir(), 'indexgate-cache-out-'));
    const bench = async (label: string, extra: string[] = []) => {
      // The cache is about the seed stage: the writes and the build's reader, which read the same data, are left out.
      const run = await runCli(
        ['bench', '--scale', 'tiny', '--route', 'driver', '--no-writes', '--no-build-load', '--out', join(out, label), ...extra],
        {
          env: { INDEXGATE_DATASET_CACHE_DIR: cache },
        },
      );
      expect([0, 1, 3]).toContain(run.code);
      return { run, result: JSON.parse(await readFile(join(out, label, 'result.json'), 'utf8')) as Saved };
    };
    try {
      const first = await bench('first');
      expect(first.run.stderr).toMatch(/dataset cache: saved .*ig\d+-tiny-20260126-/);
      const entries = await readdir(cache);
      expect(entries).toHaveLength(1);

      const second = await bench('second');
      expect(second.run.stderr).toMatch(/dataset cache: reused /);
      expect(second.run.stderr).not.toMatch(/seeding tiny/);
      // The same data: the same fingerprint, counts and work counts.
      expect(second.result.dataset).toEqual(first.result.dataset);
      expect(workCounts(second.result)).toEqual(workCounts(first.result));

      // --no-cache neither reads nor writes it.
      const fresh = await bench('fresh', ['--no-cache']);
      expect(fresh.run.stderr).not.toMatch(/dataset cache/);
      expect(fresh.run.stderr).toMatch(/seeding tiny/);

      // Another dataset's files under this dataset's name: found, checked, removed, seeded afresh.
      const other = await bench('other-seed', ['--seed', '7']);
      expect(other.run.stderr).toMatch(/dataset cache: saved /);
      const [mine, theirs] = [entries[0] ?? '', (await readdir(cache)).find((e) => e !== entries[0]) ?? ''];
      await rm(join(cache, mine), { recursive: true });
      await cp(join(cache, theirs), join(cache, mine), { recursive: true });
      const checked = await bench('checked');
      expect(checked.run.stderr).toMatch(
        /dataset cache: .* failed its check \(fingerprint ig\d+-tiny-7-.*, expected ig\d+-tiny-20260126-.*\); removed, seeding afresh/,
      );
      expect(checked.result.dataset).toEqual(first.result.dataset);
    } finally {
      await rm(cache, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
