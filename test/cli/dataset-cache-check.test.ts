import { cp, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetFingerprint } from '../../src/dataset/fingerprint.js';
import { withDatasetCache } from '../support/dataset-cache.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

// Saving and reusing a copy, and --no-cache, are dataset-cache.test.ts's.
describe('the cache of seeded datasets: a copy that fails its check', () => {
  it("another dataset's files under this dataset's name: found, checked, removed, seeded afresh", async () => {
    await withDatasetCache('cache-check', async (bench, cache) => {
      const other = await bench('other-seed', ['--seed', '7']);
      expect(other.run.stderr).toMatch(/dataset cache: saved /);
      const [theirs] = await readdir(cache);
      // This dataset's entry is named as theirs with this dataset's fingerprint (src/dataset/cache.ts's cacheEntry).
      const [seven, mine] = [7, 20260126].map((seed) => datasetFingerprint(workload.dataset, 'tiny', seed)) as [string, string];
      expect(theirs).toContain(seven);
      await cp(join(cache, theirs ?? ''), join(cache, basename(theirs ?? '').replace(seven, mine)), { recursive: true });

      const checked = await bench('checked');
      expect(checked.run.stderr).toMatch(
        /dataset cache: .* failed its check \(fingerprint ig\d+-tiny-7-.*, expected ig\d+-tiny-20260126-.*\); removed, seeding afresh/,
      );
      // The data seeded afresh is this dataset's, as `indexgate seed` seeds it.
      const { seeded } = await seededDb('cache-check', 'tiny', 20260126);
      expect(checked.result.dataset).toMatchObject({ fingerprint: seeded.fingerprint, counts: seeded.counts, seed: 20260126 });
    });
  }, 300_000);
});
