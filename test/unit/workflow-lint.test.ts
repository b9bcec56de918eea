// The lint rule that keeps workflow code deterministic, run through the real
// eslint.config.mjs: workflow files, and every file they import, may import only
// an allow-list. If the rule is removed, loosened or stops following imports,
// these tests fail.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, 'eslint.config.mjs');
const RULE = 'workflow-sandbox/allowed-imports';

/**
 * Only the workflow rule, without type information: it needs none, and most
 * code under test is not on disk (the project service would not know it).
 */
function workflowLinter(cwd: string): ESLint {
  return new ESLint({
    cwd,
    overrideConfigFile: CONFIG,
    ruleFilter: ({ ruleId }) => ruleId === RULE,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  });
}

const eslint = workflowLinter(ROOT);

async function lint(code: string, filePath = 'worker/workflows.ts', linter = eslint): Promise<ESLint.LintResult['messages']> {
  const [result] = await linter.lintText(code, { filePath });
  assert.ok(result, 'eslint returned no result');
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], 'the code under test must parse');
  return result.messages;
}

async function assertRejected(code: string, why: RegExp, filePath?: string, linter?: ESLint): Promise<void> {
  const messages = await lint(code, filePath, linter);
  assert.equal(messages.length, 1, `expected one finding for: ${code}\ngot: ${JSON.stringify(messages, null, 2)}`);
  assert.equal(messages[0]?.ruleId, RULE);
  assert.match(messages[0]?.message ?? '', why);
}

async function assertAccepted(code: string, filePath?: string, linter?: ESLint): Promise<void> {
  assert.deepEqual(await lint(code, filePath, linter), []);
}

describe('workflow files import only the allow-list', () => {
  test("rejects '../lib/web/live-events', which opens a PostgreSQL connection", async () => {
    await assertRejected(
      "import { createLiveEvents } from '../lib/web/live-events';\nexport const l = createLiveEvents;\n",
      /may not import '\.\.\/lib\/web\/live-events' \(lib\/web\/live-events\.ts\)\. .* activity/,
    );
  });

  test("rejects '../lib/database-url'", async () => {
    await assertRejected(
      "import { databaseUrl } from '../lib/database-url';\nexport const d = databaseUrl;\n",
      /may not import '\.\.\/lib\/database-url' \(lib\/database-url\.ts\)\./,
    );
  });

  test("rejects '../lib/web/actions'", async () => {
    await assertRejected(
      "import { runAction } from '../lib/web/actions';\nexport const r = runAction;\n",
      /may not import '\.\.\/lib\/web\/actions' \(lib\/web\/actions\.ts\)\./,
    );
  });

  test("rejects the database and server modules by the '@/' alias too", async () => {
    await assertRejected("import { getDb } from '@/lib/db';\nexport const d = getDb;\n", /'@\/lib\/db' \(lib\/db\.ts\)/);
  });

  test('rejects Node built-ins, with or without the node: prefix', async () => {
    await assertRejected("import fs from 'node:fs';\nexport const f = fs;\n", /may not import 'node:fs'/);
    await assertRejected("import { readFileSync } from 'fs';\nexport const f = readFileSync;\n", /may not import 'fs'/);
  });

  test('rejects packages not on the allow-list, and subpaths of allowed ones', async () => {
    await assertRejected("import { PrismaClient } from '@prisma/client';\nexport const p = PrismaClient;\n", /'@prisma\/client'/);
    await assertRejected("import { Client } from '@temporalio/client';\nexport const c = Client;\n", /'@temporalio\/client'/);
    await assertRejected(
      "import { msToNumber } from '@temporalio/common/lib/time';\nexport const m = msToNumber;\n",
      /'@temporalio\/common\/lib\/time'/,
    );
  });

  test("rejects a value import of './activities', naming the type-only form", async () => {
    await assertRejected(
      "import { createActivities } from './activities';\nexport const c = createActivities;\n",
      /may not import '\.\/activities'.*import type \{ Activities \} from '\.\/activities'/,
    );
    await assertRejected(
      "import { type Activities, createActivities } from './activities';\nexport const c: Activities = createActivities({} as never);\n",
      /'\.\/activities'/,
    );
  });

  test('rejects a side-effect import, a re-export and a dynamic import() or require()', async () => {
    await assertRejected("import '../lib/env';\n", /'\.\.\/lib\/env' \(lib\/env\.ts\)/);
    await assertRejected("export { getDb } from '../lib/db';\n", /'\.\.\/lib\/db'/);
    await assertRejected("export * from '../lib/db';\n", /'\.\.\/lib\/db'/);
    await assertRejected("export const load = () => import('zod');\n", /import\(\) or require\(\)/);
    await assertRejected(
      "declare const require: (id: string) => unknown;\nexport const z = require('zod');\n",
      /import\(\) or require\(\)/,
    );
  });

  test("accepts any module as a type only (import type { Activities } from './activities')", async () => {
    await assertAccepted("import type { Activities } from './activities';\nexport type A = Activities;\n");
    await assertAccepted("import { type Activities } from './activities';\nexport type A = Activities;\n");
    await assertAccepted("export type { LiveEvent } from '../lib/web/live-events';\n");
  });

  test('accepts @temporalio/workflow, @temporalio/common, zod and lib/contract/', async () => {
    const code = [
      "import { RetryState } from '@temporalio/common';",
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { z } from 'zod';",
      "import { approvalResultSchema } from '../lib/contract/approval';",
      "import { orderToApprovalRequest } from '@/lib/contract/orders';",
      'export const all = [RetryState, proxyActivities, z, approvalResultSchema, orderToApprovalRequest];',
      '',
    ].join('\n');
    await assertAccepted(code);
  });

  test('guards worker/workflows/, which may import its own folder', async () => {
    await assertRejected(
      "import { getDb } from '../../lib/db';\nexport const d = getDb;\n",
      /'\.\.\/\.\.\/lib\/db'/,
      'worker/workflows/approval.ts',
    );
    await assertAccepted("import { approve } from './steps';\nexport const a = approve;\n", 'worker/workflows/approval.ts');
    await assertAccepted("import { approve } from './workflows/steps';\nexport const a = approve;\n");
  });

  test("guards the integration tests' workflows, which may import their own folder", async () => {
    const file = 'test/integration/workflows/index.ts';
    await assertRejected("import { getDb } from '../../../lib/db';\nexport const d = getDb;\n", /'\.\.\/\.\.\/\.\.\/lib\/db'/, file);
    await assertAccepted("import { helper } from './helper';\nexport const h = helper;\n", file);
  });

  test('guards lib/contract/ itself, which may import only lib/contract/', async () => {
    const file = 'lib/contract/approval.ts';
    await assertRejected(
      "import { createLiveEvents } from '../web/live-events';\nexport const l = createLiveEvents;\n",
      /lib\/web\/live-events\.ts/,
      file,
    );
    await assertRejected(
      "import { proxyActivities } from '../../worker/workflows/steps';\nexport const p = proxyActivities;\n",
      /steps/,
      file,
    );
    await assertAccepted("import { COMMENT_MAX } from './limits';\nexport const c = COMMENT_MAX;\n", file);
  });

  test('leaves activities free to use Node and the database', async () => {
    await assertAccepted(
      "import fs from 'node:fs';\nimport { getDb } from '../lib/db';\nexport const x = [fs, getDb];\n",
      'worker/activities.ts',
    );
  });

  test('applies to every workflow file, and not to the rest of the worker', async () => {
    for (const file of [
      'worker/workflows.ts',
      'worker/workflows/approval.ts',
      'test/integration/workflows/index.ts',
      'lib/contract/approval.ts',
    ]) {
      const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
      assert.deepEqual((config.rules?.[RULE] as unknown[] | undefined)?.[0], 2, `${file} is not checked by ${RULE}`);
    }
    const activities = (await eslint.calculateConfigForFile('worker/activities.ts')) as { rules?: Record<string, unknown> };
    assert.equal(activities.rules?.[RULE], undefined);
  });

  test('passes on the real workflow code and lib/contract/', async () => {
    const results = await eslint.lintFiles(['worker', 'lib/contract', 'test/integration/workflows']);
    const linted = results.map((r) => path.relative(ROOT, r.filePath).split(path.sep).join('/'));
    assert.ok(linted.includes('worker/workflows.ts'), 'worker/workflows.ts was not linted');
    const findings = results.flatMap((r) => r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`));
    assert.deepEqual(findings, []);
  });
});

describe('the allow-list is followed through every file a workflow imports', () => {
  // A small project on disk, linted with the real config: lib/contract/ files
  // that import a server module directly, through another contract file, or
  // only as a type.
  let tree = '';
  let linter: ESLint;

  before(() => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-lint-'));
    const files: Record<string, string> = {
      'package.json': '{}\n',
      'lib/web/live-events.ts':
        "import { Client } from 'pg';\nexport type LiveEvent = { id: string };\nexport const connect = () => new Client();\n",
      'lib/contract/leaky.ts': "import { connect } from '../web/live-events';\nexport const listen = connect;\n",
      'lib/contract/relay.ts': "export { listen } from './leaky';\n",
      'lib/contract/typed.ts':
        "import type { LiveEvent } from '../web/live-events';\nimport { z } from 'zod';\nexport const id = (e: LiveEvent) => z.string().parse(e.id);\n",
      'lib/contract/cycle-a.ts': "import { b } from './cycle-b';\nexport const a = () => b;\n",
      'lib/contract/cycle-b.ts': "import { a } from './cycle-a';\nexport const b = () => a;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      fs.writeFileSync(path.join(tree, file), text);
    }
    linter = workflowLinter(tree);
  });

  after(() => {
    fs.rmSync(tree, { recursive: true, force: true });
  });

  const inTree = (file: string): string => path.join(tree, file);

  test('rejects a contract file that imports a server module, at the import in the workflow', async () => {
    await assertRejected(
      "import { listen } from '../lib/contract/leaky';\nexport const l = listen;\n",
      /may not import '\.\.\/lib\/contract\/leaky': lib\/contract\/leaky\.ts imports '\.\.\/web\/live-events' \(lib\/web\/live-events\.ts\)/,
      inTree('worker/workflows.ts'),
      linter,
    );
  });

  test('rejects a server module two contract files down, naming the chain', async () => {
    await assertRejected(
      "import { listen } from '../lib/contract/relay';\nexport const l = listen;\n",
      /lib\/contract\/relay\.ts → lib\/contract\/leaky\.ts imports '\.\.\/web\/live-events'/,
      inTree('worker/workflows.ts'),
      linter,
    );
  });

  test('rejects it from the files under worker/workflows/ and from other contract files too', async () => {
    const code = "import { listen } from '../../lib/contract/relay';\nexport const l = listen;\n";
    await assertRejected(code, /live-events/, inTree('worker/workflows/approval.ts'), linter);
    await assertRejected(
      "import { listen } from './relay';\nexport const l = listen;\n",
      /live-events/,
      inTree('lib/contract/other.ts'),
      linter,
    );
  });

  test('accepts contract files that use server modules as types only, and import cycles', async () => {
    const code = "import { id } from '../lib/contract/typed';\nimport { a } from '../lib/contract/cycle-a';\nexport const all = [id, a];\n";
    await assertAccepted(code, inTree('worker/workflows.ts'), linter);
  });

  test('a type-only import of a leaky contract file is still fine: it is erased', async () => {
    await assertAccepted(
      "import type { listen } from '../lib/contract/leaky';\nexport type L = typeof listen;\n",
      inTree('worker/workflows.ts'),
      linter,
    );
  });
});
