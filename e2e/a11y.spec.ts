// Accessibility: axe finds nothing on the sign-in page, the inbox (with rows,
// a selection and each dialog open), a request page and the admin queue; the
// request page's tab order runs claim → comment → approve → reason → reject;
// every form control has a name.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Client } from '@temporalio/client';
import { test, expect, ADMIN, REVIEWER } from './support';

/** Ends a workflow a test left waiting (a decided one has already completed). */
async function terminateIfRunning(temporal: Client, workflowId: string) {
  const handle = temporal.workflow.getHandle(workflowId);
  if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e cleanup');
}

/** Every axe rule that is not experimental (WCAG 2.x A/AA and best practice). */
async function expectNoViolations(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
  }));
  // Soft: one run reports every page state's violations, not just the first.
  expect.soft(found, `axe on ${where}`).toEqual([]);
}

/** Every visible input, textarea and select has a label (a <label>, aria-label or aria-labelledby: a placeholder or title is not one) and so a name. */
async function expectLabelledControls(page: Page, where: string) {
  const controls = page.locator('input:not([type="hidden"]), textarea, select');
  expect(await controls.count(), `form controls on ${where}`).toBeGreaterThan(0);
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const { html, labelled } = await control.evaluate((el) => ({
      html: el.outerHTML.slice(0, 120),
      labelled:
        ((el as HTMLInputElement).labels?.length ?? 0) > 0 ||
        !!el.getAttribute('aria-label')?.trim() ||
        !!el.getAttribute('aria-labelledby')?.trim(),
    }));
    expect(labelled, `${html} on ${where} has a label`).toBe(true);
    await expect(control, `${html} on ${where}`).toHaveAccessibleName(/\S/);
  }
}

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('the sign-in page has no axe violations, and its fields are labelled', async ({ page }) => {
    await page.goto('/signin');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expectNoViolations(page, '/signin');
    await expectLabelledControls(page, '/signin');
  });
});

test.describe('reviewer', () => {
  test.use({ storageState: REVIEWER.storageState });

  // These tests only look: end the waiting workflows they started, so the shared inbox does not fill up.
  const started: string[] = [];
  test.afterEach(async ({ temporal }) => {
    await Promise.all(started.splice(0).map((workflowId) => terminateIfRunning(temporal, workflowId)));
  });

  test('the inbox has no axe violations: with rows, with a selection, with the help and decide dialogs open', async ({
    page,
    pendingOrder,
  }) => {
    const order = await pendingOrder();
    started.push(order.workflowId);
    await page.goto(`/inbox?customer=${encodeURIComponent(order.customer)}`);
    await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
    await expect(page.getByTestId('approval-row')).toHaveCount(1);
    await expectNoViolations(page, '/inbox with rows');

    await page.getByRole('checkbox', { name: /^Select Order / }).check();
    await expect(page.getByTestId('bulk-bar')).toBeVisible();
    await expectNoViolations(page, '/inbox with a selection');
    await expectLabelledControls(page, '/inbox with a selection');

    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await expectNoViolations(page, '/inbox with the help dialog open');
    await page.keyboard.press('Escape');

    await page.getByTestId('approval-row').click({ position: { x: 300, y: 10 } });
    await page.keyboard.press('r');
    await expect(page.getByRole('dialog', { name: 'Reject 1 request?' })).toBeVisible();
    await page.keyboard.press('Enter'); // no reason: the error is shown
    await expect(page.getByRole('dialog').getByText('A reason is required to reject')).toBeVisible();
    await expectNoViolations(page, '/inbox with the reject dialog open');
    await expectLabelledControls(page, '/inbox with the reject dialog open');
  });

  test('a request page has no axe violations, labels every control, and tabs claim → comment → approve → reason → reject', async ({
    page,
    pendingOrder,
  }) => {
    const order = await pendingOrder();
    started.push(order.workflowId);
    await page.goto(`/inbox/${order.approvalId}`);
    await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible();
    await expectNoViolations(page, 'a request page');
    await expectLabelledControls(page, 'a request page');

    // From the top of the page, Tab reaches the five in this order (other stops may come between).
    const wanted = ['button:Claim', 'textbox:Comment (optional)', 'button:Approve', 'textbox:Reason (required to reject)', 'button:Reject'];
    const reached: string[] = [];
    await page.locator('body').focus();
    for (let i = 0; i < 60 && reached.at(-1) !== 'button:Reject'; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const el = document.activeElement;
        if (!(el instanceof HTMLElement)) return '';
        const role =
          el instanceof HTMLButtonElement
            ? 'button'
            : el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement
              ? 'textbox'
              : el.tagName.toLowerCase();
        const label =
          el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement
            ? (el.labels?.[0]?.textContent ?? '')
            : (el.textContent ?? '');
        return `${role}:${label.replace(/\s+/g, ' ').trim()}`;
      });
      if (wanted.includes(stop)) reached.push(stop);
    }
    expect(reached).toEqual(wanted);
  });
});

test.describe('admin', () => {
  test.use({ storageState: ADMIN.storageState });

  test('the admin queue has no axe violations, and its fields are labelled', async ({ page }) => {
    await page.goto('/admin');
    await expect(page.getByRole('heading', { name: 'Admin queue' })).toBeVisible();
    await expectNoViolations(page, '/admin');
    await expectLabelledControls(page, '/admin');
  });
});
