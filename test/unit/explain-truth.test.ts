// What a reviewer is told when Temporal answers NotFound: Temporal's own
// state, in words, never a gRPC error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTruth } from '../../lib/approvals/commands/explain-gone';

const at = new Date('2026-11-28T09:08:07Z');

describe('explainTruth', () => {
  test('a decision made elsewhere: already decided by whom, and when', () => {
    const error = explainTruth({ state: 'CLOSED', outcome: { status: 'REJECTED', decidedBy: 'cli-person', reason: 'no' }, at });
    assert.equal(error.code, 'ALREADY_DECIDED');
    assert.equal(error.message, 'Already decided by cli-person at 2026-11-28 09:08:07 UTC.');
  });

  test('expired, cancelled and terminated each say so', () => {
    assert.match(
      explainTruth({ state: 'CLOSED', outcome: { status: 'EXPIRED' }, at }).message,
      /^This request expired at 2026-11-28 09:08:07 UTC/,
    );
    assert.match(
      explainTruth({ state: 'CLOSED', outcome: { status: 'CANCELLED', by: 'ops-cli' }, at }).message,
      /^This request was cancelled at .+ by ops-cli/,
    );
    assert.match(explainTruth({ state: 'CLOSED', outcome: { status: 'TERMINATED' }, at }).message, /^Its workflow was terminated at /);
  });

  test('still pending (a newer attempt): re-issued, try again', () => {
    const error = explainTruth({
      state: 'PENDING',
      attempt: 3,
      activityState: 'SCHEDULED',
      startedAt: null,
      deadline: null,
      requestedAt: at,
      request: {},
      heartbeatDetails: undefined,
      workflowType: 'orderWorkflow',
    });
    assert.equal(error.code, 'REISSUED');
    assert.match(error.message, /re-issued \(window 3\)/);
  });
});
