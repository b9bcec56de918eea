// Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the
// endpoint's secret, sent as `Countersign-Signature: v1=<hex>`. Pure, so a
// receiver (or a test) can use the same check Countersign documents.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new endpoint secret: 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The `Countersign-Signature` header's value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Whether `header` signs `body` at `timestamp` with `secret`, and the
 * timestamp is within `toleranceSeconds` of now (a replayed old delivery is
 * refused). The comparison takes the same time whatever the header holds.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  body: string,
  header: string | null | undefined,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const sent = Number(timestamp);
  if (!header || !Number.isInteger(sent) || Math.abs(nowSeconds - sent) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, sent, body));
  // A header may carry several signatures (a secret being rotated): any one that matches is enough.
  return header
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
