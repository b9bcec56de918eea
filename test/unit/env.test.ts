// Environment validation: a bad value stops start-up with a message naming the variable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv } from '../../lib/env';

describe('APPROVAL_WINDOW', () => {
  test('reads a duration such as 90s as milliseconds', () => {
    assert.equal(parseEnv('approvals', { APPROVAL_WINDOW: '90s' }).APPROVAL_WINDOW, 90_000);
    assert.equal(parseEnv('approvals', { APPROVAL_WINDOW: '15m' }).APPROVAL_WINDOW, 15 * 60_000);
  });

  test('defaults to 24 hours', () => {
    assert.equal(parseEnv('approvals', {}).APPROVAL_WINDOW, 24 * 3_600_000);
  });

  test('rejects garbage with an error that names the variable and the value', () => {
    assert.throws(
      () => parseEnv('approvals', { APPROVAL_WINDOW: 'garbage' }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /Invalid environment/);
        assert.match(error.message, /APPROVAL_WINDOW: "garbage" is not a duration/);
        return true;
      },
    );
  });

  test('rejects a zero or negative window', () => {
    assert.throws(() => parseEnv('approvals', { APPROVAL_WINDOW: '0s' }), /APPROVAL_WINDOW/);
    assert.throws(() => parseEnv('approvals', { APPROVAL_WINDOW: '-5m' }), /APPROVAL_WINDOW/);
  });
});

describe('TEMPORAL_UI_URL', () => {
  test('must be a URL, and the error names it', () => {
    assert.throws(() => parseEnv('temporal', { TEMPORAL_UI_URL: 'not a url' }), /TEMPORAL_UI_URL/);
  });
});

describe('production settings', () => {
  test('DATABASE_URL defaults to the embedded dev database, except in production, where it is required', () => {
    assert.match(parseEnv('database', {}).DATABASE_URL, /^postgresql:\/\/countersign:/);
    assert.throws(() => parseEnv('database', { NODE_ENV: 'production' }), /DATABASE_URL: is required in production/);
    assert.equal(
      parseEnv('database', { NODE_ENV: 'production', DATABASE_URL: 'postgresql://u:p@db:5432/x' }).DATABASE_URL,
      'postgresql://u:p@db:5432/x',
    );
  });

  test('production needs a long NEXTAUTH_SECRET and a NEXTAUTH_URL', () => {
    assert.doesNotThrow(() => parseEnv('auth', {}));
    assert.throws(
      () => parseEnv('auth', { NODE_ENV: 'production' }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /NEXTAUTH_SECRET: is required in production/);
        assert.match(error.message, /NEXTAUTH_URL: is required in production/);
        return true;
      },
    );
    assert.throws(
      () => parseEnv('auth', { NODE_ENV: 'production', NEXTAUTH_SECRET: 'short', NEXTAUTH_URL: 'https://x.example' }),
      /at least 32 characters/,
    );
  });
});

describe('NEXTAUTH_URL in production: https, so the sign-in cookies are Secure', () => {
  const production = (NEXTAUTH_URL: string) => ({ NODE_ENV: 'production', NEXTAUTH_SECRET: 'x'.repeat(32), NEXTAUTH_URL });

  test('an http URL on another host is refused, and the error names NEXTAUTH_URL and https', () => {
    assert.throws(() => parseEnv('auth', production('http://example.com')), /NEXTAUTH_URL: must be an https:\/\/ URL in production/);
    assert.throws(() => parseEnv('auth', production('http://10.0.0.5:3000')), /NEXTAUTH_URL/);
    assert.throws(() => parseEnv('auth', production('http://127.0.0.1.example.com')), /NEXTAUTH_URL/);
  });

  test('an https URL is accepted', () => {
    assert.equal(parseEnv('auth', production('https://countersign.example.com')).NEXTAUTH_URL, 'https://countersign.example.com');
  });

  test('http on a loopback host is accepted, for testing a production build on one machine', () => {
    for (const url of ['http://127.0.0.1:3100', 'http://localhost:3000', 'http://[::1]:3000']) {
      assert.equal(parseEnv('auth', production(url)).NEXTAUTH_URL, url);
    }
  });

  test('outside production any URL will do', () => {
    assert.equal(parseEnv('auth', { NEXTAUTH_URL: 'http://example.com' }).NEXTAUTH_URL, 'http://example.com');
  });
});

describe('TRUSTED_PROXIES', () => {
  test('one proxy unless told; a whole number from 1 to 10', () => {
    assert.equal(parseEnv('auth', {}).TRUSTED_PROXIES, 1);
    assert.equal(parseEnv('auth', { TRUSTED_PROXIES: '2' }).TRUSTED_PROXIES, 2);
    for (const bad of ['0', '1.5', 'all', '11']) assert.throws(() => parseEnv('auth', { TRUSTED_PROXIES: bad }), /TRUSTED_PROXIES/, bad);
  });
});

describe('APPROVAL_WINDOWS and the reconciler', () => {
  test('two windows unless told; a whole number from 1 to 100', () => {
    assert.equal(parseEnv('approvals', {}).APPROVAL_WINDOWS, 2);
    assert.equal(parseEnv('approvals', { APPROVAL_WINDOWS: '5' }).APPROVAL_WINDOWS, 5);
    for (const bad of ['0', '1.5', 'many', '101']) {
      assert.throws(() => parseEnv('approvals', { APPROVAL_WINDOWS: bad }), /APPROVAL_WINDOWS/, bad);
    }
  });

  test('the reconciler sweeps every 15 s and waits 30 s for a missing row, unless told', () => {
    assert.deepEqual(parseEnv('reconciler', {}), { RECONCILE_INTERVAL: 15_000, RECONCILE_GRACE: 30_000 });
    assert.deepEqual(parseEnv('reconciler', { RECONCILE_INTERVAL: '1s', RECONCILE_GRACE: '2m' }), {
      RECONCILE_INTERVAL: 1_000,
      RECONCILE_GRACE: 120_000,
    });
    assert.throws(() => parseEnv('reconciler', { RECONCILE_INTERVAL: 'often' }), /RECONCILE_INTERVAL/);
  });
});
