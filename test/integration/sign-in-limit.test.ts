// lib/auth/sign-in-limit.ts against the real PostgreSQL (its sign_in_limits
// table, from the migrations): the blocks double, up to their cap, and a
// success gives the account a fresh start. The clock is the test's: the
// limiter compares expiries with Date.now(), so minutes pass at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import { Pool } from 'pg';
import type { SignInAttempt, SignInLimiter } from '../../lib/auth/sign-in-limit';
import { SIGN_IN_LIMITS } from '../../lib/auth/sign-in-rules';
import { env } from './helpers';

// The module is marked `server-only`: outside Next's react-server build that package throws on
// import. Here it is a plain Node module, so the marker is stubbed.
const requireHere = createRequire(__filename);
const serverOnly = requireHere.resolve('server-only');
requireHere.cache[serverOnly] = { id: serverOnly, filename: serverOnly, loaded: true, exports: {} } as NodeJS.Module;

const { account: perAccount, address: perAddress } = SIGN_IN_LIMITS;

let pool: Pool;
let limiter: SignInLimiter;

const newEmail = () => `limit-${randomBytes(5).toString('hex')}@example.com`;
const newAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

/** Fails `times` attempts (never succeeding) and returns the answer to the next one. */
async function failThenTry(who: () => { email: string; address: string }, times: number): Promise<SignInAttempt> {
  for (let i = 0; i < times; i += 1) assert.equal((await limiter.attempt(who())).allowed, true, `attempt ${i + 1} is allowed`);
  return limiter.attempt(who());
}

const retryAfter = (answer: SignInAttempt) => (answer.allowed ? 0 : answer.retryAfterSeconds);

describe('sign-in limits in PostgreSQL', () => {
  before(async () => {
    pool = new Pool({ connectionString: env.databaseUrl, max: 4 });
    const { createSignInLimiter } = await import('../../lib/auth/sign-in-limit');
    limiter = createSignInLimiter(pool);
  });
  after(async () => {
    await pool?.end();
  });
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.now() }));
  afterEach(() => mock.timers.reset());

  test("an account's blocks double, from any address, up to the cap", async () => {
    const email = newEmail();
    // A new address for every guess: the account's count holds whatever the address.
    const guesser = () => ({ email, address: newAddress() });
    const expected = Array.from({ length: 8 }, (_, n) => Math.min(perAccount.firstBlockSeconds * 2 ** n, perAccount.maxBlockSeconds));
    assert.deepEqual(expected.slice(-2), [perAccount.maxBlockSeconds, perAccount.maxBlockSeconds], 'the rounds reach the cap');
    for (const [round, seconds] of expected.entries()) {
      const refused = await failThenTry(guesser, perAccount.failures);
      assert.equal(retryAfter(refused), seconds, `block ${round + 1}`);
      mock.timers.tick((seconds - 1) * 1000);
      assert.ok(retryAfter(await limiter.attempt(guesser())) > 0, 'still blocked a second before the end');
      mock.timers.tick(1000);
    }
  });

  test("an address's blocks double too, whichever accounts it tries", async () => {
    const address = newAddress();
    const sprayer = () => ({ email: newEmail(), address });
    const first = await failThenTry(sprayer, perAddress.failures);
    assert.equal(retryAfter(first), perAddress.firstBlockSeconds);
    mock.timers.tick(perAddress.firstBlockSeconds * 1000);
    const second = await failThenTry(sprayer, perAddress.failures);
    assert.equal(retryAfter(second), perAddress.firstBlockSeconds * 2);
  });

  test('a success starts the account afresh: its next block is the first again', async () => {
    const email = newEmail();
    const person = () => ({ email, address: newAddress() });
    assert.equal(retryAfter(await failThenTry(person, perAccount.failures)), perAccount.firstBlockSeconds);
    mock.timers.tick(perAccount.firstBlockSeconds * 1000);

    const right = await failThenTry(person, perAccount.failures - 1);
    assert.ok(right.allowed);
    await right.succeeded();

    assert.equal(retryAfter(await failThenTry(person, perAccount.failures)), perAccount.firstBlockSeconds, 'not the doubled block');
  });

  test('a success does not count against its address', async () => {
    const address = newAddress();
    for (let i = 0; i < perAddress.failures + 5; i += 1) {
      const answer = await limiter.attempt({ email: newEmail(), address });
      assert.ok(answer.allowed, `sign-in ${i + 1}`);
      await answer.succeeded();
    }
  });
});
