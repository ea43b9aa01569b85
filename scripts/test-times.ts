/**
 * Where the test suite's time goes: `npm run test:times` runs the suite with vitest's JSON
 * report beside its usual output, then prints each file's wall time (slowest first), its
 * share of the sum, and its slowest tests; `npm run test:times -- <report.json>` prints an
 * existing report. The figures in docs/contributing.md come from it.
 *
 * A file's time is what vitest reports for it (its first test's start to its last test's end,
 * its beforeAll included); files run two at a time, so the wall time of the run is about half
 * the sum. What a slow file spends its time on (a bench run, seeding, a server of its own,
 * waiting on a limit) is read from its tests' names and code.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface VitestReport {
  startTime: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{
    name: string;
    startTime: number;
    endTime: number;
    status: string;
    assertionResults: Array<{ title: string; duration?: number | null; status: string }>;
  }>;
}

function run(): string {
  mkdirSync('reports', { recursive: true });
  const file = 'reports/test-times.json';
  try {
    execFileSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], { stdio: 'inherit' });
  } catch {
    // A failed test still leaves its report: its times are printed all the same.
  }
  return file;
}

const file = process.argv[2] ?? run();
const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
const files = report.testResults
  .map((r) => ({
    file: relative(process.cwd(), r.name),
    ms: r.endTime - r.startTime,
    tests: r.assertionResults.length,
    failed: r.assertionResults.filter((a) => a.status === 'failed').length,
    slowest: [...r.assertionResults].sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0)).slice(0, 2),
  }))
  .sort((a, b) => b.ms - a.ms);
const sum = files.reduce((n, f) => n + f.ms, 0);
const wall = Math.max(...report.testResults.map((r) => r.endTime)) - report.startTime;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

console.log(
  `${report.numTotalTests} tests in ${files.length} files (${report.numFailedTests} failed): wall ${s(wall)}, sum of the files ${s(sum)}`,
);
for (const f of files.filter((x) => x.ms >= 1000)) {
  const slow = f.slowest
    .filter((t) => (t.duration ?? 0) >= 1000)
    .map((t) => `${t.title.slice(0, 70)} ${s(t.duration ?? 0)}`)
    .join('; ');
  console.log(
    `${s(f.ms).padStart(8)} ${((100 * f.ms) / sum).toFixed(0).padStart(3)}%  ${f.file} (${f.tests}${f.failed ? `, ${f.failed} failed` : ''})${slow ? `  ${slow}` : ''}`,
  );
}
const quick = files.filter((x) => x.ms < 1000);
console.log(`${s(quick.reduce((n, f) => n + f.ms, 0)).padStart(8)}       ${quick.length} files under 1 s each`);
