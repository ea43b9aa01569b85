import { join } from 'node:path';
import { builtInWorkload } from '../bench/built-in-workload.js';
import type { Applications } from '../src/apps/registry.js';
import { packageRoot } from '../src/version.js';

/**
 * The applications indexgate ships, by name: meeshy at the runbook's commit (the default: its
 * generators, patterns and routes are in seed/, indexes/ and bench/), and meeshy at its newest
 * commit, a folder like any team's own (apps/meeshy@ea1789df/: a schema, profiles, route
 * files, index sets). `--app <name|folder>` chooses one (src/apps/registry.ts).
 */
export const applications: Applications = {
  default: 'meeshy@aa13b652',
  builtIn: [
    {
      name: 'meeshy@aa13b652',
      title: "meeshy's conversation list at the runbook's commit",
      commit: 'aa13b652',
      date: '2026-01-26',
      load: () => Promise.resolve(builtInWorkload),
    },
    {
      name: 'meeshy@ea1789df',
      title: "meeshy's conversation list at its newest commit",
      commit: 'ea1789df',
      date: '2026-08-22',
      load: async () => {
        // The folder's reader (the schema engine, profiles, route files) is loaded when it is chosen, not at every start.
        const { loadFolderApplication } = await import('../src/apps/folder.js');
        return (await loadFolderApplication(join(packageRoot, 'apps/meeshy@ea1789df'))).workload;
      },
    },
  ],
};
