// API keys as a request meets them (lib/api/keys.ts, authenticateApiKey): one
// statement finds the key, counts the request against its limit and writes
// last-used. A request with a wrong secret, or a key that is not valid now,
// is refused and costs the key nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../lib/api/errors';
import { authenticateApiKey, createApiKey } from '../../lib/api/keys';
import type { ApiRateLimit } from '../../lib/api/rate-limit';
import type { Db } from '../../lib/db';
import { newReviewer, openDb } from './helpers';

const ADMIN = { email: 'api-keys-admin@example.com', role: 'ADMIN' as const };
const LIMIT: ApiRateLimit = { points: 3, windowSeconds: 60 };

/** `db`, with every query it is asked to run listed by method (a model's, or a raw one). */
function counting(db: Db): { db: Db; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string') return value;
      if (typeof value === 'function')
        return (...args: unknown[]) => {
          calls.push(property);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      if (value && typeof value === 'object' && !property.startsWith('_'))
        return new Proxy(value, {
          get(model, method) {
            const fn: unknown = Reflect.get(model, method);
            if (typeof fn !== 'function') return fn;
            return (...args: unknown[]) => {
              calls.push(`${property}.${String(method)}`);
              return (fn as (...a: unknown[]) => unknown).apply(model, args);
            };
          },
        });
      return value;
    },
  });
  return { db: proxy, calls };
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `an ApiError, not ${String(error)}`);
    return error;
  }
  assert.fail('the key was accepted');
}

describe('API keys', { timeout: 60_000 }, () => {
  let db: Db;
  before(async () => {
    db = await openDb();
  });
  after(async () => {
    await db.$disconnect();
  });

  const newKey = async (label: string) => {
    const userEmail = await newReviewer(db, label);
    return createApiKey(db, ADMIN, { name: label, userEmail, scopes: ['read', 'decide'] });
  };
  const countOf = async (keyId: string) =>
    (await db.$queryRaw<{ points: number }[]>`SELECT points FROM sign_in_limits WHERE key = ${`api:${keyId}`}`)[0]?.points ?? 0;

  test('a valid key is found, counted and marked used in one statement', async () => {
    const key = await newKey('one-statement');
    const { db: watched, calls } = counting(db);
    const principal = await authenticateApiKey(watched, `Bearer ${key.key}`, LIMIT);
    assert.equal(principal.keyId, key.id);
    assert.equal(principal.email, key.userEmail);
    assert.deepEqual(principal.scopes, ['read', 'decide']);
    assert.deepEqual(calls, ['$queryRaw'], 'one round trip');
    assert.equal(await countOf(key.id), 1);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: { lastUsedAt: true } });
    assert.ok(row.lastUsedAt, 'last used is written');
  });

  test('a wrong secret, a revoked or expired key, or a deactivated user is refused, and not counted', async () => {
    const key = await newKey('refused');
    const wrong = `${key.key.slice(0, -1)}${key.key.endsWith('A') ? 'B' : 'A'}`;
    assert.equal((await refusal(authenticateApiKey(db, `Bearer ${wrong}`, LIMIT))).code, 'invalid_key');
    assert.equal((await refusal(authenticateApiKey(db, `Bearer cs_0123456789_${'x'.repeat(43)}`, LIMIT))).code, 'invalid_key');
    const later = new Date(Date.now() + 3_600_000);
    await db.apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    assert.equal((await refusal(authenticateApiKey(db, `Bearer ${key.key}`, LIMIT, later))).code, 'expired_key');
    await db.user.update({ where: { email: key.userEmail }, data: { active: false } });
    assert.equal((await refusal(authenticateApiKey(db, `Bearer ${key.key}`, LIMIT))).code, 'inactive_user');
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    assert.equal((await refusal(authenticateApiKey(db, `Bearer ${key.key}`, LIMIT))).code, 'revoked_key');
    assert.equal(await countOf(key.id), 0, 'none of them counted against the key');
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: { lastUsedAt: true } });
    assert.equal(row.lastUsedAt, null, 'nor marked it used');
  });

  test('over the limit: 429 with Retry-After, counted across callers, and a new window starts afresh', async () => {
    const key = await newKey('limited');
    const now = new Date();
    // Parallel requests, as from several web processes: each is counted once.
    await Promise.all(Array.from({ length: LIMIT.points }, () => authenticateApiKey(db, `Bearer ${key.key}`, LIMIT, now)));
    const limited = await refusal(authenticateApiKey(db, `Bearer ${key.key}`, LIMIT, new Date(now.getTime() + 10_000)));
    assert.equal(limited.code, 'rate_limited');
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfter, 50, 'the seconds left of the window');
    const nextWindow = new Date(now.getTime() + LIMIT.windowSeconds * 1000 + 1);
    assert.equal((await authenticateApiKey(db, `Bearer ${key.key}`, LIMIT, nextWindow)).keyId, key.id);
    assert.equal(await countOf(key.id), 1, 'the new window counts from one');
  });
});
