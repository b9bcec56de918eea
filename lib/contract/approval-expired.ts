// How an approval with no attempt limit still ends. orderWorkflow runs started
// before the window limit scheduled the approval activity without
// maximumAttempts, and a retry policy is fixed when the activity is scheduled:
// Temporal re-issues such an approval for ever. Past its windows the activity
// itself ends it with this failure, and the workflow reads it as EXPIRED.
// Pure: imported by the workflow bundle.
import { ApplicationFailure } from '@temporalio/common';

/** ApplicationFailure type the approval activity fails with once an unlimited approval's windows have passed. Non-retryable. */
export const APPROVAL_EXPIRED = 'ApprovalExpired';

/** The failure that ends an approval with no attempt limit after `windows` windows. */
export function approvalExpired(windows: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `No decision within the ${windows} approval window${windows === 1 ? '' : 's'}: the request expired.`,
    APPROVAL_EXPIRED,
  );
}

/** Is this the failure of an approval its own activity ended as expired? */
export function isApprovalExpired(failure: unknown): failure is ApplicationFailure {
  return failure instanceof ApplicationFailure && failure.type === APPROVAL_EXPIRED;
}
