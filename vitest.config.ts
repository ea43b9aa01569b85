import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real mongod for the whole run (a database per test), started the way users start it.
    globalSetup: ['test/support/global-setup.ts'],
    // Under Wine a mongod round trip costs ~1.3 ms and a COLLSCAN of 100k documents ~100 ms.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // Two cores: more workers only make the shared mongod slower.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
