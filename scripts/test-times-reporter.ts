/**
 * A vitest reporter that keeps each test file's own time, as vitest measures it (its hooks and
 * its tests; `diagnostic().duration`), and each test's, in reports/test-times.json. vitest's JSON
 * reporter leaves a file's beforeAll out of its times, and the slow files here spend their time
 * there (a bench run shared by their tests). Used by `npm run test:times` (scripts/test-times.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export interface TestTimes {
  wallMs: number;
  files: Array<{ file: string; ms: number; state: string; tests: Array<{ name: string; ms: number; state: string }> }>;
}

export default class TestTimesReporter implements Reporter {
  private readonly started = performance.now();
  private readonly files: TestTimes['files'] = [];

  onTestModuleEnd(module: TestModule): void {
    const tests = [...module.children.allTests()].map((t) => ({
      name: t.fullName,
      ms: t.diagnostic()?.duration ?? 0,
      state: t.result().state,
    }));
    this.files.push({ file: relative(process.cwd(), module.moduleId), ms: module.diagnostic().duration, state: module.state(), tests });
  }

  onTestRunEnd(): void {
    mkdirSync('reports', { recursive: true });
    const times: TestTimes = { wallMs: performance.now() - this.started, files: this.files };
    writeFileSync('reports/test-times.json', `${JSON.stringify(times, null, 1)}\n`);
  }
}
