// The task token is a bearer credential for the workflow: it must never reach a browser.
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

function encodings(token: Buffer): string[] {
  return [
    token.toString('base64'),
    token.toString('base64url'),
    token.toString('hex'),
    Array.from(token).join(','),
    encodeURIComponent(token.toString('base64')),
  ];
}

test('inbox and detail pages, HTML and RSC payloads, hold no task token', async ({ page, pendingOrder, db }) => {
  const order = await pendingOrder();
  const { taskToken } = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { taskToken: true } });
  expect(taskToken?.length).toBeGreaterThan(16);
  const forms = encodings(Buffer.from(taskToken ?? []));

  const bodies: string[] = [];
  for (const path of ['/inbox', `/inbox/${order.approvalId}`]) {
    const html = await page.request.get(path);
    expect(html.status()).toBe(200);
    const rsc = await page.request.get(path, { headers: { RSC: '1' } });
    expect(rsc.status()).toBe(200);
    bodies.push(await html.text(), await rsc.text());
  }
  // The pages are real: they show this request.
  expect(bodies.every((b) => b.includes(order.customer))).toBe(true);
  for (const body of bodies) for (const form of forms) expect(body).not.toContain(form);

  // And what the browser itself loaded (HTML, RSC, scripts) after a full visit.
  const seen: string[] = [];
  page.on('response', (response) => {
    seen.push(response.url());
  });
  await page.goto(`/inbox/${order.approvalId}`);
  const content = await page.content();
  for (const form of forms) expect(content).not.toContain(form);
  for (const url of seen) for (const form of forms) expect(url).not.toContain(form);
});
