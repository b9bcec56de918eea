// Coded domain errors: one HTTP status and one actionable message each.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApprovalError, alreadyDecided, type ApprovalErrorCode } from '../../lib/approvals/errors';
import { AccessError, notAllowed, signedOut } from '../../lib/auth/access';

describe('ApprovalError', () => {
  test('maps each code to its HTTP status', () => {
    const expected: Record<ApprovalErrorCode, number> = {
      FORBIDDEN: 403,
      NOT_ELIGIBLE: 403,
      INVALID_VALUES: 422,
      NOT_FOUND: 404,
      ALREADY_DECIDED: 409,
      NO_LONGER_PENDING: 409,
      REISSUED: 409,
      PAUSED: 409,
      CLAIMED: 409,
      DUPLICATE: 409,
      BUSY: 429,
      TEMPORAL_UNAVAILABLE: 503,
      OVERLOADED: 503,
    };
    for (const [code, status] of Object.entries(expected) as [ApprovalErrorCode, number][]) {
      assert.equal(new ApprovalError(code, 'x').httpStatus, status, code);
    }
  });

  test('is an Error that keeps its code, name and message', () => {
    const error = new ApprovalError('NOT_FOUND', 'No such approval request.');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ApprovalError');
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, 'No such approval request.');
  });
});

describe('AccessError', () => {
  test('signed out is 401, not allowed is 403, each with its message', () => {
    assert.equal(signedOut().httpStatus, 401);
    assert.equal(signedOut().code, 'UNAUTHENTICATED');
    assert.equal(signedOut().message, 'Your session has ended. Sign in again.');
    assert.equal(notAllowed().httpStatus, 403);
    assert.equal(notAllowed().code, 'FORBIDDEN');
    assert.ok(notAllowed() instanceof AccessError);
  });
});

describe('alreadyDecided', () => {
  test('names who decided and when, in UTC to the second', () => {
    const error = alreadyDecided('ana@example.com', new Date('2026-11-28T10:20:30.456Z'));
    assert.equal(error.code, 'ALREADY_DECIDED');
    assert.equal(error.httpStatus, 409);
    assert.equal(error.message, 'Already decided by ana@example.com at 2026-11-28 10:20:30 UTC.');
  });

  test('says "someone else" when the decider is not known', () => {
    assert.equal(alreadyDecided(null, null).message, 'Already decided by someone else.');
  });
});
