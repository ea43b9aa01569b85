// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'reports/', 'node_modules/', 'test/fixtures/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The boundary: the engine defines what a workload is (src/workload.ts); seed/, indexes/ and
    // bench/ implement it for meeshy@aa13b652 (assembled in bench/built-in-workload.ts), apps/
    // holds the other applications as folders, and apps/built-in.ts lists them for the entry
    // point (bin/indexgate.js). Nothing in src/ imports the workload folders.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(seed|bench|indexes|apps)(/|$)',
              message:
                'src/ is the engine: it receives the workload (src/workload.ts) and never imports seed/, indexes/, bench/ or apps/; take what you need from the Workload the command context carries.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the CLI layer talks to the terminal.
    files: ['src/cli.ts', 'bench/**/*.ts', 'apps/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // CI's own scripts run under plain Node.
    files: ['.ci/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
