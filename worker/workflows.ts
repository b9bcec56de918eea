// Workflow code: deterministic. It imports activity *types* only, and no Node
// or database module (eslint enforces both).
import { ActivityFailure, ApplicationFailure, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { APPROVAL_ACTIVITY_ID, APPROVAL_DENIED, approvalResultSchema, INVALID_APPROVAL_REQUEST, type ApprovalDeniedDetails, type ApprovalOutcome, type ApprovalRequest } from '../lib/approval-contract';
import { orderToApprovalRequest, type Order, type OrderResult } from '../lib/orders';
import type { Activities } from './activities';

const { getApprovalPolicy } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s' });

const { fulfillOrder, recordApprovalOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

function deniedBy(failure: ApplicationFailure): ApprovalDeniedDetails {
  const details: unknown = failure.details?.[0];
  if (details && typeof details === 'object' && 'reviewer' in details && typeof details.reviewer === 'string') {
    return { reviewer: details.reviewer };
  }
  return { reviewer: 'unknown' };
}

/**
 * A decision to reject: ApprovalDenied, or any other non-retryable failure sent
 * from outside (`temporal activity fail` sends one with no type). The activity
 * itself fails non-retryably only for an invalid request, which is a bug in the
 * calling workflow, not a decision.
 */
function isRejection(cause: unknown): cause is ApplicationFailure {
  if (!(cause instanceof ApplicationFailure)) return false;
  if (cause.type === APPROVAL_DENIED) return true;
  return cause.nonRetryable === true && cause.type !== INVALID_APPROVAL_REQUEST;
}

/** Waits for a person to approve or reject the approval request; returns the outcome. */
async function awaitApproval(request: ApprovalRequest): Promise<ApprovalOutcome> {
  // The window is the worker's setting, read once through a local activity so
  // it is recorded in history and replays the same.
  const { windowMs } = await getApprovalPolicy();
  const { requestApproval } = proxyActivities<Activities>({
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: windowMs,
    // No heartbeat timeout: the activity is completed from outside.
    retry: { initialInterval: '1s', maximumInterval: '1 minute', nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  try {
    // Whoever completes the activity sends the result: check it, and never
    // fulfil on anything but a well-formed approval.
    const parsed = approvalResultSchema.safeParse(await requestApproval(request));
    if (!parsed.success) {
      return { status: 'REJECTED', decidedBy: 'unknown', reason: 'The approval was completed with an invalid result' };
    }
    const { reviewer, comment } = parsed.data;
    return { status: 'APPROVED', decidedBy: reviewer, ...(comment ? { comment } : {}) };
  } catch (error) {
    if (error instanceof ActivityFailure && isRejection(error.cause)) {
      return { status: 'REJECTED', decidedBy: deniedBy(error.cause).reviewer, reason: error.cause.message };
    }
    throw error;
  }
}

export async function orderWorkflow(order: Order): Promise<OrderResult> {
  const request = orderToApprovalRequest(order);
  const outcome = await awaitApproval(request);
  await recordApprovalOutcome(APPROVAL_ACTIVITY_ID, outcome, request);
  if (outcome.status === 'REJECTED') {
    log.info('Order rejected', { orderId: order.id, decidedBy: outcome.decidedBy });
    return { status: 'REJECTED', decidedBy: outcome.decidedBy, reason: outcome.reason };
  }
  await fulfillOrder(order);
  return { status: 'FULFILLED', decidedBy: outcome.decidedBy, ...(outcome.comment ? { comment: outcome.comment } : {}) };
}
