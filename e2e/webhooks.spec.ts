// Webhooks at /admin/webhooks: an admin creates one and sees its secret once,
// edits its events, and sends a failed delivery again from its log;
// reviewers cannot open the pages.
import { randomBytes } from 'node:crypto';
import { test, expect, ADMIN, REVIEWER } from './support';

const freshUrl = () => `https://hooks.example.com/${randomBytes(5).toString('hex')}`;

test.describe('as an admin', () => {
  test.use({ storageState: ADMIN.storageState });

  test('creates a webhook, sees its secret once, edits its events, and sends a failed delivery again', async ({ page, db }) => {
    const url = freshUrl();
    await page.goto('/admin/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create webhook' }) });

    // Refused: no event chosen.
    await form.getByLabel('URL').fill(url);
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await expect(form.getByText('Choose at least one event.')).toBeVisible();

    await form.getByLabel('URL').fill(url);
    await form.getByRole('checkbox', { name: /^decided/ }).check();
    await form.getByRole('checkbox', { name: /^expired/ }).check();
    await form.getByLabel('Format').selectOption('slack');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await expect(form.getByRole('status')).toContainText(`Created the webhook for ${url}.`);
    const secret = await form.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.webhook.findFirstOrThrow({ where: { url } });
    expect(stored).toMatchObject({ events: ['decided', 'expired'], format: 'slack', active: true, secret });

    const item = page.locator(`[data-testid="webhook"][data-webhook-url="${url}"]`);
    await expect(item.getByTestId('webhook-events')).toHaveText('decided, expired');
    await expect(item.getByTestId('webhook-active')).toHaveText('active');

    // Shown once: a reload, or the webhook's own page, never shows it again.
    await page.reload();
    await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
    await expect(item).toBeVisible();
    await item.getByRole('link', { name: url }).click();
    await expect(page).toHaveURL(`/admin/webhooks/${stored.id}`);
    expect(await page.content()).not.toContain(secret);

    // Edit: requested instead of expired, JSON.
    const edit = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save webhook' }) });
    await expect(edit.getByRole('checkbox', { name: /^decided/ })).toBeChecked();
    await edit.getByRole('checkbox', { name: /^expired/ }).uncheck();
    await edit.getByRole('checkbox', { name: /^requested/ }).check();
    await edit.getByLabel('Format').selectOption('json');
    await edit.getByRole('button', { name: 'Save webhook' }).click();
    await expect(edit.getByRole('status')).toHaveText('Saved. Events from now on follow it.');
    await expect
      .poll(async () => (await db.webhook.findUniqueOrThrow({ where: { id: stored.id } })).events)
      .toEqual(['requested', 'decided']);
    const audit = await db.auditEvent.findMany({ where: { details: { path: ['webhookId'], equals: stored.id } }, orderBy: { at: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['WEBHOOK_CREATED', 'WEBHOOK_UPDATED']);
    expect(JSON.stringify(audit)).not.toContain(secret);

    // A delivery that failed at the cap, in the log; "send again" queues it.
    const delivery = await db.outboxMessage.create({
      data: {
        kind: 'WEBHOOK',
        dedupeKey: `webhook:${stored.id}:e2e-${randomBytes(5).toString('hex')}`,
        payload: {
          type: 'decided',
          eventId: 'e2e',
          at: new Date().toISOString(),
          request: { id: 'e2e', title: 'E2E order', status: 'APPROVED', amount: null, currency: null, url: 'http://127.0.0.1/inbox/e2e' },
          decidedBy: ADMIN.email,
        },
        webhookId: stored.id,
        status: 'FAILED',
        attempts: 12,
        lastStatusCode: 500,
        lastError: 'HTTP 500: receiver says no',
      },
    });
    await page.reload();
    const row = page.locator(`[data-testid="delivery"][data-delivery="${delivery.id}"]`);
    await expect(row.getByTestId('delivery-status')).toHaveText('FAILED');
    await expect(row.getByTestId('delivery-code')).toHaveText('500');
    await expect(row.getByTestId('delivery-attempts')).toHaveText('12');
    await expect(row).toContainText('HTTP 500: receiver says no');
    await row.getByRole('button', { name: 'Send again' }).click();
    // Back to PENDING: the worker tries it again (this host is unreachable here, so it stays PENDING, retried with backoff).
    await expect(row.getByTestId('delivery-status')).toHaveText('PENDING');
    await expect(row.getByRole('button', { name: 'Send again' })).toHaveCount(0);
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe('PENDING');
    const resent = await db.auditEvent.findFirst({
      where: { action: 'WEBHOOK_REDELIVERED', details: { path: ['deliveryId'], equals: delivery.id } },
    });
    expect(resent?.actor).toBe(ADMIN.email);

    // Delete: back to the list, without it.
    await page.getByText('Delete webhook…').click();
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await expect(page).toHaveURL('/admin/webhooks?deleted=1');
    await expect(page.locator(`[data-testid="webhook"][data-webhook-url="${url}"]`)).toHaveCount(0);
  });
});

test.describe('as a reviewer', () => {
  test.use({ storageState: REVIEWER.storageState });

  test('cannot open the webhook pages, and has no link to them', async ({ page }) => {
    await page.goto('/admin/webhooks');
    await expect(page.getByRole('alert').filter({ hasText: 'Webhooks' })).toHaveText(
      'Webhooks are managed by admins. Ask an admin for access.',
    );
    await expect(page.getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Create webhook' })).toHaveCount(0);
  });
});
