// Lint for the whole repo. The rule that matters most: workflow code stays
// deterministic, so it and every file it imports may import only an allow-list
// (Temporal replays it; see temporalio/samples-typescript).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import workflowSandbox from './eslint/workflow-sandbox.mjs';

/** Pure, deterministic packages workflow code may import (exact names: no subpaths). */
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common', 'zod'];

/**
 * Workflow code, and the project folders each part may import from. Anything
 * else may be imported as a type only. A project file on the allow-list is held
 * to the same list, transitively (see eslint/workflow-sandbox.mjs).
 */
const WORKFLOW_SANDBOXES = [
  { files: ['worker/workflows.ts', 'worker/workflows/**/*.ts'], folders: ['lib/contract', 'worker/workflows'] },
  { files: ['test/integration/workflows/**/*.ts'], folders: ['lib/contract', 'test/integration/workflows'] },
  // The orderWorkflow of before the window limit, kept to prove such runs still end (test/integration/legacy-windows.test.ts).
  { files: ['test/fixtures/legacy-workflows.ts'], folders: ['lib/contract'] },
  // The raw baseline's workflow in `npm run bench` (scripts/bench/intake.ts).
  { files: ['scripts/bench/raw-workflows.ts'], folders: [] },
  // The pure modules that workflows bundle, also checked on their own so that a
  // bad import is reported where it is written.
  { files: ['lib/contract/**/*.ts'], folders: ['lib/contract'] },
];

export const WORKFLOW_FILES = WORKFLOW_SANDBOXES.flatMap(({ files }) => files);

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '.next*/**',
      '.worker-bundle/**',
      '.tools/**',
      '.data/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Type-aware, and cheap: a dropped promise or a promise where a callback is expected.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs these itself; their returned promises are not ours to await.
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Config files run by Node (next.config.js is CommonJS).
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', exports: 'writable', require: 'readonly', __dirname: 'readonly', __filename: 'readonly' },
    },
  },
  {
    // Arrows point one way: app/ and worker/ use lib/ and components/, never the reverse.
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?:@/|(?:\.\./)+)(?:worker|app)(?:/|$)`,
              message:
                'lib/ and components/ never import worker/ or app/ (ARCHITECTURE.md, "Processes and layers"): share types through lib/contract, and pass server actions to components as props.',
            },
          ],
        },
      ],
    },
  },
  WORKFLOW_SANDBOXES.map(({ files, folders }) => ({
    files,
    plugins: { 'workflow-sandbox': workflowSandbox },
    rules: { 'workflow-sandbox/allowed-imports': ['error', { packages: WORKFLOW_PACKAGES, folders }] },
  })),
);
