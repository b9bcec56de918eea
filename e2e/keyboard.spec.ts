// The inbox's keyboard shortcuts: j / k move the current row, x selects it,
// o / Enter open it, a approves (after a confirmation) and r rejects (after
// asking the reason), ? shows the help; none fire while typing or with a modifier.
import { openInbox, test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

test('j and k move the current row (focused, one tab stop), x selects it, o and Enter open it', async ({ page, orderBatch }) => {
  const { customer } = await orderBatch(3, 'Keys');
  const rows = await openInbox(page, customer, 3);
  const ids = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-id')));

  await page.keyboard.press('j');
  await expect(rows.nth(0)).toBeFocused();
  await expect(rows.nth(0)).toHaveAttribute('data-current', 'true');
  await page.keyboard.press('j');
  await expect(rows.nth(1)).toBeFocused();
  await expect(rows.nth(1)).toHaveAttribute('aria-current', 'true');
  await expect(rows.nth(0)).not.toHaveAttribute('data-current', 'true');
  // Roving tabindex: the current row is the list's one tab stop.
  await expect(rows.nth(1)).toHaveAttribute('tabindex', '0');
  await expect(rows.nth(0)).toHaveAttribute('tabindex', '-1');
  await expect(rows.nth(0).getByRole('link')).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('j');
  await page.keyboard.press('j'); // stays on the last row
  await expect(rows.nth(2)).toBeFocused();
  await page.keyboard.press('k');
  await expect(rows.nth(1)).toBeFocused();
  // Inside the list the arrow keys do the same.
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(2)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(rows.nth(1)).toBeFocused();
  expect(
    await rows.nth(1).evaluate((row) => {
      const box = row.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }),
  ).toBe(true);

  await page.keyboard.press('x');
  await expect(rows.nth(1).getByRole('checkbox')).toBeChecked();
  await expect(page.getByTestId('bulk-bar')).toContainText('1 request selected');
  await page.keyboard.press('x');
  await expect(rows.nth(1).getByRole('checkbox')).not.toBeChecked();
  await expect(page.getByTestId('bulk-bar')).toHaveCount(0);

  await page.keyboard.press('o');
  await expect(page).toHaveURL(`/inbox/${ids[1]}`);

  await page.goBack();
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  await rows.nth(0).getByTestId('claimed-by').click(); // a click on a row makes it the current one
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`/inbox/${ids[0]}`);
});

test('? opens the shortcuts help; Tab stays inside it; Esc closes it and focus returns', async ({ page, orderBatch }) => {
  const { customer } = await orderBatch(1, 'Keys');
  const rows = await openInbox(page, customer, 1);
  await page.keyboard.press('j');
  await expect(rows.first()).toBeFocused();

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const text of [
    'Next request',
    'Previous request',
    'Open the current request',
    'Select or unselect',
    'Approve',
    'Reject',
    'Close a dialog',
  ]) {
    await expect(help).toContainText(text);
  }
  await expect(help.getByRole('button', { name: 'Close' })).toBeFocused();
  const focusInHelp = () => page.evaluate(() => document.activeElement?.closest('[data-testid="shortcuts-help"]') !== null);
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await focusInHelp(), `focus after ${key}`).toBe(true);
  }
  // Keys meant for the list do nothing while the dialog is open.
  await page.keyboard.press('j');
  expect(await focusInHelp()).toBe(true);

  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(rows.first()).toBeFocused();

  // The button opens it too, and Close hands focus back to the button.
  const button = page.getByRole('button', { name: /Keyboard shortcuts/ });
  await button.click();
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toBeHidden();
  await expect(button).toBeFocused();
});

test('shortcuts do nothing while typing in a field, or with Alt, Ctrl or Meta held', async ({ page, orderBatch }) => {
  const { customer } = await orderBatch(2, 'Keys');
  const rows = await openInbox(page, customer, 2);
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(rows.nth(0).getByRole('checkbox')).toBeChecked();

  const comment = page.getByTestId('bulk-bar').getByLabel('Comment');
  await comment.click();
  await page.keyboard.type('jkxoar?');
  await expect(comment).toHaveValue('jkxoar?');
  await expect(page.locator('dialog[open]')).toHaveCount(0);
  await expect(rows.nth(0).getByRole('checkbox')).toBeChecked();
  await expect(page).toHaveURL(/\/inbox\?customer=/);

  await rows.nth(0).getByTestId('claimed-by').click(); // back on the row, out of the field
  await expect(rows.nth(0)).toBeFocused();
  for (const key of ['Alt+x', 'Control+x', 'Meta+x', 'Alt+j', 'Alt+o', 'Alt+a', 'Control+r']) await page.keyboard.press(key);
  // Then a plain key, so the ones before it have certainly been handled.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(page.locator('dialog[open]')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(rows.nth(0)).toBeFocused();
  await expect(rows.nth(0).getByRole('checkbox')).toBeChecked();
  await expect(page).toHaveURL(/\/inbox\?customer=/);
});

test('a asks to confirm (optional comment) before approving the current row; Esc cancels', async ({ page, db, orderBatch }) => {
  const { customer, orders } = await orderBatch(2, 'Keys');
  const rows = await openInbox(page, customer, 2);
  await page.keyboard.press('j');
  const firstId = await rows.nth(0).getAttribute('data-id');
  const first = orders.find((o) => o.approvalId === firstId);
  const other = orders.find((o) => o.approvalId !== firstId);
  if (!first || !other) throw new Error('the rows are the two orders');

  await page.keyboard.press('a');
  const dialog = page.getByRole('dialog', { name: 'Approve 1 request?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(first.title);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(rows.nth(0)).toBeFocused();
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: first.approvalId } })).status).toBe('PENDING');

  await page.keyboard.press('a');
  await expect(dialog.getByLabel('Comment')).toBeFocused();
  await page.keyboard.type('approved from the keyboard');
  await page.keyboard.press('Enter');

  const results = page.getByTestId('bulk-results');
  await expect(results).toContainText('1 approved.');
  await expect(results.getByTestId('bulk-result')).toHaveText(`${first.title}: Approved.`);
  expect(await first.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'approved from the keyboard' });
  await expect(rows).toHaveCount(1);
  // The row that took its place is the current one, so the keys go on from there.
  await expect(rows.nth(0)).toBeFocused();
  await expect(rows.nth(0)).toHaveAttribute('data-id', other.approvalId);
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: other.approvalId } })).status).toBe('PENDING');
});

test('r asks for the reason before rejecting, and rejects the selection together', async ({ page, db, orderBatch }) => {
  const { customer, orders } = await orderBatch(2, 'Keys');
  const rows = await openInbox(page, customer, 2);
  const titles = await rows.getByRole('link').allTextContents();
  for (const key of ['j', 'x', 'j', 'x']) await page.keyboard.press(key);
  await expect(page.getByTestId('bulk-bar')).toContainText('2 requests selected');

  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Reject 2 requests?' });
  await expect(dialog).toBeVisible();
  const reason = dialog.getByLabel('Reason');
  await expect(reason).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('A reason is required to reject')).toBeVisible();
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog).toBeVisible();
  for (const order of orders)
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).status).toBe('PENDING');

  await reason.fill('Duplicate orders');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const results = page.getByTestId('bulk-results');
  await expect(results).toContainText('2 rejected.');
  await expect(results.getByTestId('bulk-result')).toHaveText(titles.map((title) => `${title}: Rejected.`));
  for (const order of orders)
    expect(await order.result()).toEqual({ status: 'REJECTED', decidedBy: REVIEWER.email, reason: 'Duplicate orders' });
  await expect(rows).toHaveCount(0);
});
