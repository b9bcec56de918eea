// Workflow code: deterministic. It imports activity *types* only, and no Node
// or database module (eslint enforces both).
import { RetryState } from '@temporalio/common';
import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import {
  APPROVAL_ACTIVITY_ID,
  APPROVAL_DENIED,
  isRejection,
  outcomeOfRejection,
  outcomeOfResult,
  type ApprovalOutcome,
  type ApprovalRequest,
} from '../lib/contract/approval';
import { isApprovalExpired } from '../lib/contract/approval-expired';
import { orderToApprovalRequest, type Order, type OrderResult, type OrderWorkflow } from '../lib/contract/orders';
import { agentToolRequest, approvedArgs, type AgentToolCall, type AgentToolResult, type AgentToolWorkflow } from '../lib/contract/agent';
import type { Activities } from './activities';

const { getApprovalPolicy } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s' });

const { fulfillOrder, recordApprovalOutcome, sendEmailTool } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Waits for a person to approve or reject the request; returns the outcome.
 * Each window is one attempt of the approval activity (StartToClose = the
 * window): when it passes, Temporal retries it with a new task token, and
 * after the last window the approval has EXPIRED.
 */
async function awaitApproval(request: ApprovalRequest): Promise<ApprovalOutcome> {
  // The policy is the worker's setting, read once through a local activity so
  // it is recorded in history and replays the same.
  const { windowMs, windows } = await getApprovalPolicy();
  const { requestApproval } = proxyActivities<Activities>({
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: windowMs,
    // No heartbeat timeout: the activity is completed from outside, and a
    // claim's heartbeat must never time it out.
    retry: { initialInterval: '1s', maximumInterval: '1 minute', maximumAttempts: windows, nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  try {
    // Whoever completes the activity sends the result: check it.
    return outcomeOfResult(await requestApproval(request));
  } catch (error) {
    // Before isRejection, which would read any other non-retryable failure as a
    // rejection: an approval scheduled with no attempt limit (a run started
    // before the window limit) is ended by its own activity once its windows
    // have passed (lib/contract/approval-expired.ts). No patch is needed: read
    // as a rejection or as EXPIRED, the workflow issues the same commands next
    // (record the outcome, then return).
    if (error instanceof ActivityFailure && isApprovalExpired(error.cause)) return { status: 'EXPIRED' };
    if (error instanceof ActivityFailure && isRejection(error.cause)) return outcomeOfRejection(error.cause);
    // The last window ran out: by its timeout, or by a retryable failure sent
    // from outside (which would otherwise have re-issued it).
    if (
      error instanceof ActivityFailure &&
      (error.cause instanceof TimeoutFailure || error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED)
    ) {
      return { status: 'EXPIRED' };
    }
    throw error;
  }
}

/** Waits for the decision and records it, also when the workflow is cancelled while it waits. */
async function decide(request: ApprovalRequest): Promise<ApprovalOutcome> {
  let outcome: ApprovalOutcome;
  try {
    outcome = await awaitApproval(request);
  } catch (error) {
    if (isCancellation(error)) {
      // Cancelled while waiting: the inbox must say so before the workflow ends.
      await CancellationScope.nonCancellable(() =>
        recordApprovalOutcome(APPROVAL_ACTIVITY_ID, { status: 'CANCELLED', reason: 'The workflow was cancelled' }, request),
      );
    }
    throw error;
  }
  await recordApprovalOutcome(APPROVAL_ACTIVITY_ID, outcome, request);
  return outcome;
}

export const orderWorkflow: OrderWorkflow = async function orderWorkflow(order: Order): Promise<OrderResult> {
  const outcome = await decide(orderToApprovalRequest(order));
  switch (outcome.status) {
    case 'APPROVED':
      await fulfillOrder(order);
      return {
        status: 'FULFILLED',
        decidedBy: outcome.decidedBy,
        ...(outcome.comment ? { comment: outcome.comment } : {}),
        ...(outcome.approvers && outcome.approvers.length > 1 ? { approvers: outcome.approvers } : {}),
      };
    case 'REJECTED':
      log.info('Order rejected', { orderId: order.id, decidedBy: outcome.decidedBy });
      return { status: 'REJECTED', decidedBy: outcome.decidedBy, reason: outcome.reason };
    default:
      log.info('Order not approved in time', { orderId: order.id, status: outcome.status });
      return { status: 'EXPIRED' };
  }
};

/** Any request, as given: asks, records the outcome and returns it. For requests that are not orders (and the demo). */
export async function approvalWorkflow(request: ApprovalRequest): Promise<ApprovalOutcome> {
  return decide(request);
}

/** The AI agent example: a person approves (and may edit) a tool call before the agent runs it. */
export const agentToolWorkflow: AgentToolWorkflow = async function agentToolWorkflow(call: AgentToolCall): Promise<AgentToolResult> {
  const outcome = await decide(agentToolRequest(call));
  switch (outcome.status) {
    case 'APPROVED': {
      const approved = approvedArgs(call.args, outcome.values);
      if (!approved.ok) return { status: 'NOT_RUN', approvedBy: outcome.decidedBy, problem: approved.problem };
      const { messageId } = await sendEmailTool(approved.args);
      return {
        status: 'EXECUTED',
        tool: call.tool,
        args: approved.args,
        approvedBy: outcome.decidedBy,
        approvers: outcome.approvers ?? [],
        messageId,
      };
    }
    case 'REJECTED':
      return { status: 'REFUSED', decidedBy: outcome.decidedBy, reason: outcome.reason };
    default:
      return { status: 'EXPIRED' };
  }
};
