// next.config.js's headers for every response: never framed, and HSTS in production only.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { afterEach, describe, test } from 'node:test';

interface HeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}
const nextConfig = createRequire(__filename)('../../next.config.js') as { headers(): Promise<HeaderRule[]> };
// Next's types make NODE_ENV read-only; next.config.js reads it when asked for the headers.
const env = process.env as Record<string, string | undefined>;
const nodeEnv = env.NODE_ENV;

function setNodeEnv(value: string | undefined): void {
  if (value === undefined) delete env.NODE_ENV;
  else env.NODE_ENV = value;
}

async function headersUnder(nodeEnvForTest: string): Promise<Record<string, string>> {
  setNodeEnv(nodeEnvForTest);
  const rules = await nextConfig.headers();
  const all = rules.find((rule) => rule.source === '/:path*');
  assert.ok(all, 'one rule covers every path');
  return Object.fromEntries(all.headers.map(({ key, value }) => [key.toLowerCase(), value]));
}

describe('headers on every response', () => {
  afterEach(() => setNodeEnv(nodeEnv));

  test('production: HSTS for a year, and no framing for old browsers either', async () => {
    const headers = await headersUnder('production');
    assert.equal(headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(headers['x-frame-options'], 'DENY');
  });

  test('development: no HSTS (a browser would remember https for localhost)', async () => {
    const headers = await headersUnder('development');
    assert.equal(headers['strict-transport-security'], undefined);
    assert.equal(headers['x-frame-options'], 'DENY');
  });
});
