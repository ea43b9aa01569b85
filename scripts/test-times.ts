/**
 * Where the test suite's time goes: `npm run test:times` runs the suite with its usual output
 * and scripts/test-times-reporter.ts beside it, then prints each file's time (its hooks
 * included, as vitest measures it), slowest first, its share of the sum, and its slowest tests;
 * `npm run test:times -- reports/test-times.json` prints a saved run again. The figures in
 * docs/contributing.md come from it.
 *
 * Files run two at a time, so the run's wall time is about half the sum. What a slow file
 * spends its time on (a bench run, seeding, a server of its own, waiting on a limit) is read from
 * its tests' names and code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestTimes } from './test-times-reporter.js';

function run(): string {
  try {
    execFileSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=./scripts/test-times-reporter.ts'], { stdio: 'inherit' });
  } catch {
    // A failed test still leaves its times: they are printed all the same.
  }
  return 'reports/test-times.json';
}

const times = JSON.parse(readFileSync(process.argv[2] ?? run(), 'utf8')) as TestTimes;
const files = [...times.files].sort((a, b) => b.ms - a.ms);
const sum = files.reduce((n, f) => n + f.ms, 0);
const tests = files.reduce((n, f) => n + f.tests.length, 0);
const failed = files.reduce((n, f) => n + f.tests.filter((t) => t.state === 'failed').length, 0);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

console.log(`${tests} tests in ${files.length} files (${failed} failed): wall ${s(times.wallMs)}, sum of the files ${s(sum)}`);
for (const f of files.filter((x) => x.ms >= 1000)) {
  const slow = [...f.tests]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 2)
    .filter((t) => t.ms >= 1000)
    .map((t) => `${t.name.slice(0, 70)} ${s(t.ms)}`)
    .join('; ');
  console.log(
    `${s(f.ms).padStart(8)} ${((100 * f.ms) / sum).toFixed(0).padStart(3)}%  ${f.file} (${f.tests.length})${slow ? `  ${slow}` : ''}`,
  );
}
const quick = files.filter((x) => x.ms < 1000);
console.log(`${s(quick.reduce((n, f) => n + f.ms, 0)).padStart(8)}       ${quick.length} files under 1 s each`);
