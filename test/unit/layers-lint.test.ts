// Arrows point one way: lib/ and components/ never import worker/ or app/.
// Run through the real eslint.config.mjs; if the rule goes, these fail.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: path.join(ROOT, 'eslint.config.mjs'),
  ruleFilter: ({ ruleId }) => ruleId === RULE,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function ruleMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, 'eslint returned no result');
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layers', () => {
  test('lib/ may not import worker/ (relative or by alias)', async () => {
    const messages = await ruleMessages(
      "import type { orderWorkflow } from '../../../worker/workflows';\nexport type W = typeof orderWorkflow;\n",
      'lib/approvals/commands/start-order.ts',
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /never import worker\/ or app\//);
    assert.equal((await ruleMessages("export { x } from '@/worker/activities';\n", 'lib/db.ts')).length, 1);
  });

  test('components/ may not import a server action module from app/', async () => {
    const messages = await ruleMessages(
      "import { bulkApproveAction } from '@/app/(signed-in)/inbox/bulk-actions';\nexport const a = bulkApproveAction;\n",
      'components/inbox/inbox-list.tsx',
    );
    assert.equal(messages.length, 1);
  });

  test('lib/ importing lib/ and app/ importing lib/ are fine', async () => {
    assert.deepEqual(
      await ruleMessages("import { getDb } from '../../db';\nexport const d = getDb;\n", 'lib/approvals/reads/stats.ts'),
      [],
    );
    assert.deepEqual(
      await ruleMessages("import { getDb } from '@/lib/db';\nexport const d = getDb;\n", 'app/(signed-in)/admin/actions.ts'),
      [],
    );
  });
});
