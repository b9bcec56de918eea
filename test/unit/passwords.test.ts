// Password hashes: argon2id off the event loop; the earlier bcryptjs hashes still verify and are
// flagged for replacement.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, verifyPassword } from '../../lib/auth/passwords';
import { BCRYPTJS_USER } from '../fixtures/legacy-password';

const { passwordHash: BCRYPTJS_HASH, password: BCRYPTJS_PASSWORD } = BCRYPTJS_USER;

describe('password hashes', () => {
  test('a new hash is argon2id, holds no part of the password, and verifies only that password', async () => {
    const stored = await hashPassword('correct horse battery');
    assert.match(stored, /^\$argon2id\$/);
    assert.ok(!stored.includes('correct horse'));
    assert.deepEqual(await verifyPassword(stored, 'correct horse battery'), { ok: true, outdated: false });
    assert.deepEqual(await verifyPassword(stored, 'correct horse battery!'), { ok: false, outdated: false });
  });

  test('a bcryptjs hash still verifies, and is flagged to be replaced', async () => {
    assert.deepEqual(await verifyPassword(BCRYPTJS_HASH, BCRYPTJS_PASSWORD), { ok: true, outdated: true });
    assert.deepEqual(await verifyPassword(BCRYPTJS_HASH.replace(/^\$2b\$/, '$2a$'), BCRYPTJS_PASSWORD), { ok: true, outdated: true });
    assert.deepEqual(await verifyPassword(BCRYPTJS_HASH, `${BCRYPTJS_PASSWORD}x`), { ok: false, outdated: false });
  });

  test('no stored hash (an unknown email) and a malformed one match nothing', async () => {
    assert.deepEqual(await verifyPassword(null, 'countersign-no-such-user'), { ok: false, outdated: false });
    assert.deepEqual(await verifyPassword('not a hash', 'not a hash'), { ok: false, outdated: false });
  });

  test('verifying leaves the event loop free: a callback queued after 20 verifications start runs before any finishes', async () => {
    const stored = await hashPassword('correct horse battery');
    let finished = 0;
    const verifications = Array.from({ length: 20 }, () => verifyPassword(stored, 'correct horse battery').then(() => (finished += 1)));
    const finishedWhenTheLoopTurned = await new Promise<number>((resolve) => setImmediate(() => resolve(finished)));
    await Promise.all(verifications);
    assert.equal(finishedWhenTheLoopTurned, 0, 'the loop waited for verifications: they ran on it');
    assert.equal(finished, 20);
  });
});
