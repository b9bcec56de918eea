// The lint rule that keeps workflow code deterministic, run through the real
// eslint.config.mjs: if the rule is removed or loosened, these tests fail.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';

// Only the workflow rules, without type information: they need none, and the
// code under test is not on disk (the project service would not know it).
const eslint = new ESLint({
  cwd: ROOT,
  ruleFilter: ({ ruleId }) => ruleId === RULE || ruleId === 'no-restricted-syntax',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function lint(code: string, filePath = 'worker/workflows.ts'): Promise<ESLint.LintResult['messages']> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, 'eslint returned no result');
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], 'the code under test must parse');
  return result.messages;
}

async function assertBanned(code: string, why: RegExp, filePath?: string): Promise<void> {
  const messages = await lint(code, filePath);
  assert.equal(messages.length, 1, `expected one finding for: ${code}`);
  assert.equal(messages[0]?.ruleId, RULE);
  assert.match(messages[0]?.message ?? '', why);
}

describe('workflow files may not import non-deterministic code', () => {
  test("rejects a Node built-in with the node: prefix (import fs from 'node:fs')", async () => {
    await assertBanned("import fs from 'node:fs';\nexport const f = fs;\n", /Node built-ins .* activity/);
  });

  test("rejects a Node built-in without the prefix (import { readFileSync } from 'fs')", async () => {
    await assertBanned("import { readFileSync } from 'fs';\nexport const f = readFileSync;\n", /Node built-ins/);
  });

  test('rejects the Prisma client', async () => {
    await assertBanned("import { PrismaClient } from '@prisma/client';\nexport const p = PrismaClient;\n", /database access/);
  });

  test("rejects a value import of './activities'", async () => {
    await assertBanned("import { createActivities } from './activities';\nexport const c = createActivities;\n", /activity types only/);
  });

  test("rejects a value import of '../lib/db'", async () => {
    await assertBanned("import { getDb } from '../lib/db';\nexport const d = getDb;\n", /server module/);
  });

  test('rejects the Temporal client and the web app', async () => {
    await assertBanned("import { Client } from '@temporalio/client';\nexport const c = Client;\n", /network connections/);
    await assertBanned("import { getServerSession } from 'next-auth';\nexport const s = getServerSession;\n", /web-app modules/);
  });

  test('rejects a dynamic import()', async () => {
    const messages = await lint("export const load = () => import('./activities');\n");
    assert.equal(messages[0]?.ruleId, 'no-restricted-syntax');
  });

  test("accepts import type { Activities } from './activities'", async () => {
    assert.deepEqual(await lint("import type { Activities } from './activities';\nexport type A = Activities;\n"), []);
  });

  test('accepts the workflow SDK and the pure contract modules', async () => {
    const code = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { approvalResultSchema } from '../lib/approval-contract';",
      "import { orderToApprovalRequest } from '../lib/orders';",
      'export const all = [proxyActivities, approvalResultSchema, orderToApprovalRequest];',
      '',
    ].join('\n');
    assert.deepEqual(await lint(code), []);
  });

  test('also guards files under worker/workflows/ and the modules the workflow bundles', async () => {
    await assertBanned("import { getDb } from '../../lib/db';\nexport const d = getDb;\n", /server module/, 'worker/workflows/approval.ts');
    await assertBanned("import { getDb } from './db';\nexport const d = getDb;\n", /server module/, 'lib/orders.ts');
  });

  test('leaves activities free to use Node and the database', async () => {
    assert.deepEqual(
      await lint("import fs from 'node:fs';\nimport { getDb } from '../lib/db';\nexport const x = [fs, getDb];\n", 'worker/activities.ts'),
      [],
    );
  });
});
