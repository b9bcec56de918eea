// Workflows of the integration tests' own, standing in for third-party
// workflows that use Countersign's approval activity but, unlike
// orderWorkflow, never record the outcome themselves.
import { CancellationScope, condition, defineSignal, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import { APPROVAL_ACTIVITY_ID, APPROVAL_DENIED, type ApprovalRequest } from '../../../lib/contract/approval';
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
