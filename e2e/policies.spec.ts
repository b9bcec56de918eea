// Named policies at /admin/policies: an admin creates one with a group, an
// amount rule and escalation, reads it in words, edits it, and a refused edit
// changes nothing; reviewers cannot open the pages. Groups are made in the
// database (their UI is /admin/groups), with fresh names.
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, ADMIN, REVIEWER } from './support';
import type { Db } from '../lib/db';

const fresh = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

async function newGroups(db: Db, ...labels: string[]): Promise<string[]> {
  const names = labels.map(fresh);
  await db.group.createMany({ data: names.map((name) => ({ name })) });
  return names;
}

async function expectNoViolations(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect
    .soft(
      violations.map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) })),
      `axe on ${where}`,
    )
    .toEqual([]);
}

test.describe('as an admin', () => {
  test.use({ storageState: ADMIN.storageState });

  test('creates a policy, reads it in words, edits it; a bad quorum changes nothing', async ({ page, db }) => {
    const [finance = '', ops = ''] = await newGroups(db, 'finance', 'ops');
    const name = fresh('large-payments');

    await page.goto('/admin/policies');
    await expect(page.getByRole('heading', { name: 'Policies', level: 1 })).toBeVisible();
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create policy' }) });
    await form.getByLabel(/^Name/).fill(name);
    await form.getByLabel(/^Description/).fill('Payments above the petty-cash limit');
    await form.getByRole('group', { name: 'Approver groups' }).getByRole('checkbox', { name: finance }).check();
    await expect(form.getByLabel('Approvals needed')).toHaveValue('1');
    await form.getByLabel('Rule 1: Amount over').fill('10000');
    await form.getByLabel('Rule 1: needs').fill('2');
    await form.getByRole('group', { name: 'Escalation groups' }).getByRole('checkbox', { name: ops }).check();
    await expect(form.getByRole('checkbox', { name: /Four eyes/ })).toBeChecked();
    await form.getByRole('button', { name: 'Create policy' }).click();
    await expect(form.getByRole('status')).toHaveText(`Created the policy ${name}. Requests may name it from now on.`);

    const item = page.locator(`[data-testid="policy"][data-policy="${name}"]`);
    await expect(item.getByTestId('policy-words')).toHaveText(
      `Any 1 of ${finance} (group); 2 when the amount is over 10,000. The requester may not approve their own request. ` +
        `From the second window, ${ops} (group) may decide too.`,
    );
    await expect(item).toContainText('Payments above the petty-cash limit');
    const stored = await db.policy.findUniqueOrThrow({ where: { name } });
    expect(stored).toMatchObject({
      approverGroups: [finance],
      approverUsers: [],
      quorum: 1,
      quorumRules: [{ amountOver: 10000, quorum: 2 }],
      fourEyes: true,
      escalateGroups: [ops],
      escalateUsers: [],
    });
    await expect(form.getByLabel(/^Name/)).toHaveValue('');
    await expectNoViolations(page, 'the policy list');

    // Edit: add a person, raise the base quorum, turn four eyes off.
    await item.getByRole('link', { name }).click();
    await expect(page).toHaveURL(`/admin/policies/${name}`);
    const edit = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save policy' }) });
    await expect(edit.getByLabel(/^Name/)).toHaveValue(name);
    await expect(edit.getByLabel(/^Name/)).toHaveAttribute('readonly', '');
    await expect(edit.getByLabel('Rule 1: Amount over')).toHaveValue('10000');
    await edit.getByLabel(/^Approvers by email/).fill('Alice@Example.com');
    await edit.getByLabel('Rule 1: needs').fill('3');
    await edit.getByRole('checkbox', { name: /Four eyes/ }).uncheck();
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await expect(edit.getByRole('status')).toHaveText(`Saved ${name}. Requests that arrive from now on follow it.`);
    await expect(page.getByTestId('policy-words')).toHaveText(
      `Any 1 of ${finance} (group) or alice@example.com; 3 when the amount is over 10,000. ` +
        `The requester may approve their own request (four eyes is off). From the second window, ${ops} (group) may decide too.`,
    );
    const saved = await db.policy.findUniqueOrThrow({ where: { name } });
    expect(saved).toMatchObject({ approverUsers: ['alice@example.com'], quorumRules: [{ amountOver: 10000, quorum: 3 }], fourEyes: false });
    await expectNoViolations(page, 'a policy page');

    // A quorum of 0: a field error, the typed value kept, nothing changed.
    await edit.getByLabel('Approvals needed').fill('0');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    const quorum = edit.getByLabel('Approvals needed');
    await expect(page.locator('#edit-policy-quorum-error')).toHaveText('must be a whole number from 1 to 20');
    await expect(quorum).toHaveAttribute('aria-invalid', 'true');
    await expect(quorum).toHaveAttribute('aria-describedby', 'edit-policy-quorum-error');
    await expect(quorum).toHaveValue('0');
    await expect(edit.getByRole('status')).toHaveText('Please correct the highlighted fields.');
    const after = await db.policy.findUniqueOrThrow({ where: { name } });
    expect(after.quorum).toBe(1);
    expect(after.updatedAt).toEqual(saved.updatedAt);
    expect(await db.auditEvent.count({ where: { action: { startsWith: 'POLICY_' }, details: { path: ['policy'], equals: name } } })).toBe(
      2,
    );
  });

  test('an unknown group or a repeated threshold is shown beside its field', async ({ page, db }) => {
    const [finance = ''] = await newGroups(db, 'finance');
    const name = fresh('twice');
    await page.goto('/admin/policies');
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create policy' }) });
    await form.getByLabel(/^Name/).fill(name);
    await form.getByRole('group', { name: 'Approver groups' }).getByRole('checkbox', { name: finance }).check();
    await form.getByLabel('Rule 1: Amount over').fill('5,000');
    await form.getByLabel('Rule 1: needs').fill('2');
    await form.getByLabel('Rule 2: Amount over').fill('5000');
    await form.getByLabel('Rule 2: needs').fill('3');
    await form.getByRole('button', { name: 'Create policy' }).click();
    await expect(page.locator('#new-policy-quorumRules-error')).toHaveText(
      'rule 2: there is already a rule for amounts over 5,000: one rule per amount',
    );
    // What was typed stays.
    await expect(form.getByLabel(/^Name/)).toHaveValue(name);
    await expect(form.getByRole('group', { name: 'Approver groups' }).getByRole('checkbox', { name: finance })).toBeChecked();

    // The group goes away before the form is sent again.
    await db.group.delete({ where: { name: finance } });
    await form.getByLabel('Rule 2: Amount over').fill('');
    await form.getByLabel('Rule 2: needs').fill('');
    await form.getByRole('button', { name: 'Create policy' }).click();
    await expect(page.locator('#new-policy-approverGroups-error')).toHaveText(`No group is named “${finance}”. Create it first.`);
    expect(await db.policy.count({ where: { name } })).toBe(0);
  });

  test('deletes a policy after confirming', async ({ page, db }) => {
    const name = fresh('short-lived');
    await db.policy.create({ data: { name } });
    await page.goto(`/admin/policies/${name}`);
    await page.getByText('Delete policy…').click();
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await expect(page).toHaveURL(`/admin/policies?deleted=${name}`);
    await expect(page.getByRole('status').filter({ hasText: 'Deleted the policy' })).toHaveText(`Deleted the policy ${name}.`);
    expect(await db.policy.count({ where: { name } })).toBe(0);
  });
});

test.describe('as a reviewer', () => {
  test.use({ storageState: REVIEWER.storageState });

  test('cannot open the policies or a policy', async ({ page, db }) => {
    const name = fresh('hidden');
    await db.policy.create({ data: { name } });
    for (const path of ['/admin/policies', `/admin/policies/${name}`]) {
      await page.goto(path);
      await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toContainText('Policies are managed by admins');
      await expect(page.getByRole('button', { name: /Create policy|Save policy/ })).toHaveCount(0);
      await expect(page.getByText(name)).toHaveCount(0);
    }
    await expect(page.getByRole('link', { name: 'Policies' })).toHaveCount(0);
  });
});
