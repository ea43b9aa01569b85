import { homedir, tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../../src/mongo/embedded.js';
import type { Reporter } from '../../src/progress.js';
import type { HostInfo } from '../../src/system.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    underWine: boolean;
  }
}

export const testHost: HostInfo = {
  env: process.env,
  platform: process.platform,
  arch: process.arch,
  uid: process.getuid?.(),
  homedir: homedir(),
  tmpdir: tmpdir(),
};

const stderrReporter: Reporter = {
  notice: (m) => process.stderr.write(`[test mongod] ${m}\n`),
  progress: () => ({ update() {}, stop() {} }),
};

/** One real mongod for the whole test run, obtained exactly as `indexgate bench` obtains it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.INDEXGATE_TEST_URI) {
    project.provide('mongoUri', process.env.INDEXGATE_TEST_URI);
    project.provide('underWine', false);
    return async () => {};
  }
  const server = await startEmbedded({ host: testHost, reporter: stderrReporter });
  project.provide('mongoUri', server.uri);
  project.provide('underWine', server.mongod.underWine);
  return () => server.stop();
}
