// Every call Countersign makes to a waiting approval activity (complete, fail,
// heartbeat): by the row's task token, else by workflow id + run id + activity
// id, always under a deadline.
import { ActivityCompletionError, ActivityNotFoundError, type Client } from '@temporalio/client';
import type { ApprovalKey } from '../../contract/approval';
import { countTemporalError } from '../../metrics/registry';

/**
 * Every call to the activity answers within this, fallback by id included,
 * even for a dead or garbled token. A decision's heartbeat and completion
 * share one: it bounds how long a slow Temporal holds the row lock.
 */
export const COMPLETION_DEADLINE_MS = 5_000;

/** The deadline of a call, or of calls made together, that start now. */
export const completionDeadline = (): number => Date.now() + COMPLETION_DEADLINE_MS;

/** The columns a locked row gives for reaching its activity. */
export interface ActivityRow {
  task_token: Uint8Array | null;
  workflow_id: string;
  run_id: string;
  activity_id: string;
}

export type ActivityTarget = Uint8Array | ApprovalKey;

/** Temporal no longer has this attempt, by token or by id: decided elsewhere, re-issued, or ended. */
export class ActivityGoneError extends Error {
  constructor() {
    super('The approval activity is no longer waiting');
    this.name = 'ActivityGoneError';
  }
}

export const keyOf = (row: ActivityRow): ApprovalKey => ({ workflowId: row.workflow_id, runId: row.run_id, activityId: row.activity_id });

/**
 * Runs `call` against the activity: by token first; when the token's attempt
 * is over (NotFound) or the server cannot read it, by id. Throws
 * ActivityGoneError when neither reaches a waiting activity; any other error
 * (an unreachable server, the deadline) is passed on. Both tries share
 * `deadline` (epoch ms): a server that stops answering costs 5 s, not 10.
 */
export async function callActivity(
  client: Client,
  row: ActivityRow,
  call: (target: ActivityTarget) => Promise<unknown>,
  deadline: number = completionDeadline(),
): Promise<void> {
  try {
    await callByTokenThenId(client, row, call, deadline);
  } catch (error) {
    // Gone is Temporal's answer; anything else is a call that failed (lib/metrics counts them).
    if (!(error instanceof ActivityGoneError)) countTemporalError('activity_call', error);
    throw error;
  }
}

async function callByTokenThenId(
  client: Client,
  row: ActivityRow,
  call: (target: ActivityTarget) => Promise<unknown>,
  deadline: number,
): Promise<void> {
  const withDeadline = (target: ActivityTarget) => client.connection.withDeadline(deadline, () => call(target));
  if (row.task_token && row.task_token.length > 0) {
    try {
      await withDeadline(row.task_token);
      return;
    } catch (error) {
      if (!(error instanceof ActivityNotFoundError || error instanceof ActivityCompletionError)) throw error;
    }
  }
  try {
    await withDeadline(keyOf(row));
  } catch (error) {
    if (error instanceof ActivityNotFoundError) throw new ActivityGoneError();
    throw error;
  }
}
