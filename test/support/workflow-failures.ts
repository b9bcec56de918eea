// Assertions on how a workflow failed, shared by the workflow and integration suites.
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import { APPROVAL_ACTIVITY_ID, INVALID_APPROVAL_REQUEST } from '../../lib/contract/approval';

/**
 * Awaits the workflow's result and asserts the chain of a refused request:
 * WorkflowFailedError → ActivityFailure (the approval, not retried) →
 * ApplicationFailure of type InvalidApprovalRequest. Returns that failure.
 */
export async function expectInvalidRequestFailure(handle: { result(): Promise<unknown> }): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => assert.fail('the workflow should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(error)}`);
  assert.ok(error.cause instanceof ActivityFailure);
  assert.equal(error.cause.activityId, APPROVAL_ACTIVITY_ID);
  assert.equal(error.cause.retryState, RetryState.NON_RETRYABLE_FAILURE);
  assert.ok(error.cause.cause instanceof ApplicationFailure);
  assert.equal(error.cause.cause.type, INVALID_APPROVAL_REQUEST);
  return error.cause.cause;
}
