import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });
const boundaryErrors = (results: ESLint.LintResult[]) =>
  results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));

/**
 * The engine never imports the workload: eslint.config.js says so for src/, and this test
 * shows the rule bites (a file of src/ that imports a workload folder is refused) and that
 * src/ keeps it today.
 */
describe('the boundary between the engine (src/) and the workload (seed/, indexes/, bench/)', () => {
  it.each([
    ['a value from bench/', "import { patterns } from '../../bench/patterns.js';\nexport const n = patterns.length;\n", 'src/run/wrong.ts'],
    ['a type from indexes/', "import type { IndexSpec } from '../indexes/sets.js';\nexport type X = IndexSpec;\n", 'src/wrong.ts'],
    [
      'a generator of seed/',
      "export { planDataset } from '../../seed/generate.js';\nimport '../../seed/profiles.js';\n",
      'src/dataset/wrong.ts',
    ],
  ])('refuses %s imported into src/', async (_what, code, filePath) => {
    const errors = boundaryErrors(await eslint.lintText(code, { filePath: `${root}${filePath}` }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/src\/ is the engine: it receives the workload/);
  });

  it('lets the workload import the engine, and src/ import src/', async () => {
    expect(
      boundaryErrors(
        await eslint.lintText("import type { Workload } from '../src/workload.js';\nexport type W = Workload;\n", {
          filePath: `${root}bench/other.ts`,
        }),
      ),
    ).toEqual([]);
    expect(
      boundaryErrors(
        await eslint.lintText("import type { Workload } from '../workload.js';\nexport type W = Workload;\n", {
          filePath: `${root}src/run/other.ts`,
        }),
      ),
    ).toEqual([]);
  });

  it('holds in src/ as it is', async () => {
    expect(boundaryErrors(await eslint.lintFiles(['src']))).toEqual([]);
  }, 120_000);
});
