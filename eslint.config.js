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
    // bench/ implement it and are assembled in bench/built-in-workload.ts, which the entry point
    // (bin/indexgate.js) hands to the commands. Nothing in src/ imports the workload folders.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(seed|bench|indexes)(/|$)',
              message:
                'src/ is the engine: it receives the workload (src/workload.ts) and never imports seed/, indexes/ or bench/; take what you need from the Workload the command context carries.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the CLI layer talks to the terminal.
    files: ['src/cli.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // CI's own scripts run under plain Node.
    files: ['.ci/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
