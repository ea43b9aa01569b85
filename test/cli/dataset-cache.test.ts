import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDatasetCache, workCounts } from '../support/dataset-cache.js';

// A copy that fails its check is dataset-cache-check.test.ts's (split so that neither file holds five embedded benches).
describe('the cache of seeded datasets', () => {
  it('saves a seed, reuses it on the next run (saying so on stderr), and --no-cache neither reads nor writes it', async () => {
    await withDatasetCache('cache', async (bench, cache, out) => {
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
      expect(await readdir(cache)).toEqual(entries);
      expect(JSON.parse(await readFile(join(out, 'fresh', 'result.json'), 'utf8')).dataset).toEqual(first.result.dataset);
    });
  }, 300_000);
});
