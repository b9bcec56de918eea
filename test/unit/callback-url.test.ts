import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeCallbackPath } from '../../lib/auth/callback-url';

test('keeps a path on this site, with its query', () => {
  assert.equal(safeCallbackPath('/inbox/1234?x=1'), '/inbox/1234?x=1');
});

test('falls back to the inbox when there is no callback, or it points at sign-in', () => {
  assert.equal(safeCallbackPath(undefined), '/inbox');
  assert.equal(safeCallbackPath(''), '/inbox');
  assert.equal(safeCallbackPath('/signin?callbackUrl=%2Finbox'), '/inbox');
});

test('never leaves the site: absolute and protocol-relative URLs keep only their path', () => {
  assert.equal(safeCallbackPath('https://evil.example/steal'), '/steal');
  assert.equal(safeCallbackPath('//evil.example/steal'), '/steal');
  assert.equal(safeCallbackPath(['/admin', 'https://evil.example']), '/admin');
});
