// The address sign-in attempts are counted against: the one the outermost trusted proxy saw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientAddress } from '../../lib/auth/client-address';

describe('clientAddress', () => {
  test('with no proxy in front, the address Next.js wrote from the socket', () => {
    assert.equal(clientAddress('127.0.0.1', 1), '127.0.0.1');
  });

  test("behind one proxy, the proxy's entry, not what the client put before it", () => {
    assert.equal(clientAddress('6.6.6.6, 203.0.113.7', 1), '203.0.113.7');
  });

  test('behind two proxies, the entry the outer one appended', () => {
    assert.equal(clientAddress('6.6.6.6, 203.0.113.7, 10.0.0.2', 2), '203.0.113.7');
  });

  test('fewer entries than proxies: the leftmost; none at all: one shared bucket', () => {
    assert.equal(clientAddress('203.0.113.7', 3), '203.0.113.7');
    assert.equal(clientAddress(null, 1), 'unknown');
    assert.equal(clientAddress(' , ', 1), 'unknown');
  });
});
