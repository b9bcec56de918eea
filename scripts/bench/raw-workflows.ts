// The raw baseline's workflow for the intake measure (scripts/bench/intake.ts):
// the least a workflow waiting on a human does, one activity that stores its
// task token and completes asynchronously. Bundled by the bench's own worker.
// Workflow code: it imports @temporalio/workflow only (and types).
import { proxyActivities } from '@temporalio/workflow';

export interface RawIntakeActivities {
  /** Stores the task token, then throws CompleteAsyncError: the approval activity's minimum. */
  storeToken(): Promise<void>;
}

const { storeToken } = proxyActivities<RawIntakeActivities>({
  // As long as a request would wait; nobody completes these, the run ends with the services.
  startToCloseTimeout: '1 hour',
  retry: { maximumAttempts: 1 },
});

export async function rawIntakeWorkflow(): Promise<void> {
  await storeToken();
}
