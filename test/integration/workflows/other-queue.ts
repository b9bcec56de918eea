// A third-party workflow on its own task queue, as any team or SDK may write
// one: it asks for approval through Countersign's activity on Countersign's
// task queue, returns what came back, and never records the outcome. Used by
// the reconciler's tests and by `npm run bench`'s reconciler measure.
import { proxyActivities } from '@temporalio/workflow';
import { APPROVAL_ACTIVITY_ID, APPROVAL_DENIED, type ApprovalRequest } from '../../../lib/contract/approval';
import type { Activities } from '../../../worker/activities';

/** Asks for approval on `approvalTaskQueue` (Countersign's), then ends: 'decided', or 'not approved'. */
export async function otherQueueApprovalWorkflow(request: ApprovalRequest, approvalTaskQueue: string): Promise<string> {
  const { requestApproval } = proxyActivities<Activities>({
    taskQueue: approvalTaskQueue,
    activityId: APPROVAL_ACTIVITY_ID,
    startToCloseTimeout: '1 hour',
    retry: { maximumAttempts: 1, nonRetryableErrorTypes: [APPROVAL_DENIED] },
  });
  try {
    await requestApproval(request);
    return 'decided';
  } catch {
    return 'not approved';
  }
}
