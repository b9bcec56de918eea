// Workflows of the integration tests' own, standing in for third-party
// workflows that use Countersign's approval activity but, unlike
// orderWorkflow, never record the outcome themselves.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { APPROVAL_ACTIVITY_ID, APPROVAL_DENIED, type ApprovalOutcome, type ApprovalRequest } from '../../../lib/contract/approval';
import type { Activities } from '../../../worker/activities';

/** Withdraws the approval (cancels its activity); the workflow keeps running. */
export const withdrawApproval = defineSignal('withdrawApproval');
/** Lets a waiting workflow finish. */
export const finish = defineSignal('finish');

export interface BareApprovalOptions {
  windowMs?: number;
  /** Pause before a re-issued attempt starts. */
  retryIntervalMs?: number;
}

/** Asks for approval and returns what came back, without telling the database; then waits for `finish`. */
export async function bareApprovalWorkflow(request: ApprovalRequest, options: BareApprovalOptions = {}): Promise<string> {
  const { requestApproval } = proxyActivities<Activities>({
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: options.windowMs ?? 60_000,
    retry: { initialInterval: options.retryIntervalMs ?? 1_000, nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  let finished = false;
  setHandler(finish, () => void (finished = true));
  const scope = new CancellationScope();
  setHandler(withdrawApproval, () => scope.cancel());
  let outcome: string;
  try {
    await scope.run(() => requestApproval(request));
    outcome = 'decided';
  } catch (error) {
    outcome = isCancellation(error) ? 'withdrawn' : 'failed';
  }
  await condition(() => finished);
  return outcome;
}

/** How an activity failed, as a workflow saw it (returned, so a test can read it from the result). */
export interface FailureSeen {
  failed: true;
  type: string | null;
  message: string;
  nonRetryable: boolean;
}

function failureSeen(error: unknown): FailureSeen {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return { failed: true, type: error.cause.type ?? null, message: error.cause.message, nonRetryable: error.cause.nonRetryable === true };
  }
  throw error;
}

/** Asks for approval once, with whatever `request` holds; returns how the activity failed (or that it was decided). */
export async function requestOnceWorkflow(request: unknown): Promise<FailureSeen | 'decided'> {
  const { requestApproval } = proxyActivities<Activities>({
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '100ms', maximumAttempts: 2, nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  try {
    await requestApproval(request);
    return 'decided';
  } catch (error) {
    return failureSeen(error);
  }
}

// A retryable failure is tried once more, not forever: the test reads how it failed.
const { recordApprovalOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '100ms', maximumAttempts: 2 },
});

/** Calls recordApprovalOutcome with whatever it is given, as any workflow on the task queue may. */
export async function recordOutcomeWorkflow(activityId: unknown, outcome: unknown, request: unknown): Promise<FailureSeen | boolean> {
  try {
    return await recordApprovalOutcome(activityId as string, outcome as ApprovalOutcome, request as ApprovalRequest);
  } catch (error) {
    return failureSeen(error);
  }
}

/** Asks for approval; once decided, records `claimed` as the outcome instead of what was decided. */
export async function misrecordingWorkflow(request: ApprovalRequest, claimed: ApprovalOutcome): Promise<FailureSeen | boolean> {
  const { requestApproval } = proxyActivities<Activities>({
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: '1 minute',
    retry: { nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  try {
    await requestApproval(request);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
  return recordOutcomeWorkflow(APPROVAL_ACTIVITY_ID, claimed, request);
}
