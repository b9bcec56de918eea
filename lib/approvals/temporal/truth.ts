// What Temporal knows about one approval: still pending (which attempt, since
// when), or how it ended. Read from the workflow's description and history,
// so it holds whoever decided, and whether or not anyone told the database.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToDate, optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { isRejection, outcomeOfRejection, outcomeOfResult, type ApprovalKey, type ApprovalOutcome } from '../../contract/approval';
import { isApprovalExpired } from '../../contract/approval-expired';
import { countTemporalError } from '../../metrics/registry';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { PendingActivityState } = temporal.api.enums.v1;

export type ApprovalTruth =
  | {
      state: 'PENDING';
      attempt: number;
      /** STARTED: an attempt waits for its decision; SCHEDULED: between attempts; PAUSED: paused by an operator. */
      activityState: 'SCHEDULED' | 'STARTED' | 'CANCEL_REQUESTED' | 'PAUSED';
      startedAt: Date | null;
      /** When the current attempt's window ends. */
      deadline: Date | null;
      requestedAt: Date;
      /** The request as the workflow sent it (the activity's input). */
      request: unknown;
      workflowType: string;
      heartbeatDetails: unknown;
    }
  | { state: 'CLOSED'; outcome: ApprovalOutcome; at: Date }
  /** Not scheduled (yet), or not an activity this can read. */
  | { state: 'UNKNOWN'; why: string };

/** Workflow statuses that are final; anything else (running, paused) still waits. */
const CLOSED_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW']);

const sameId = (a: unknown, b: unknown) => a !== null && a !== undefined && String(a) === String(b);
const eventTime = (event: HistoryEvent) => optionalTsToDate(event.eventTime) ?? new Date();

const WITHDRAWN: ApprovalOutcome = { status: 'CANCELLED', reason: 'The workflow cancelled the approval' };

async function closedActivity(
  client: Client,
  events: HistoryEvent[],
  scheduledId: unknown,
): Promise<{ outcome: ApprovalOutcome; at: Date } | undefined> {
  const converter = client.options.loadedDataConverter;
  let cancelRequested = false;
  for (const event of events) {
    if (sameId(event.activityTaskCancelRequestedEventAttributes?.scheduledEventId, scheduledId)) cancelRequested = true;
    const closing =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    // A decision that arrived after the workflow withdrew the approval (the
    // default TRY_CANCEL has moved on already) never reached the workflow.
    if (cancelRequested && closing && sameId(closing.scheduledEventId, scheduledId)) return { outcome: WITHDRAWN, at: eventTime(event) };
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && sameId(completed.scheduledEventId, scheduledId)) {
      const result = await decodeFromPayloadsAtIndex(converter, 0, completed.result?.payloads);
      return { outcome: outcomeOfResult(result), at: eventTime(event) };
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed && sameId(failed.scheduledEventId, scheduledId)) {
      const error = await decodeOptionalFailureToOptionalError(converter, failed.failure);
      // Before isRejection, which reads any non-retryable failure as one (as the workflow does).
      if (isApprovalExpired(error)) return { outcome: { status: 'EXPIRED' }, at: eventTime(event) };
      if (isRejection(error)) return { outcome: outcomeOfRejection(error), at: eventTime(event) };
      const message = error instanceof ApplicationFailure || error instanceof Error ? error.message : 'unknown failure';
      return { outcome: { status: 'CANCELLED', reason: `The approval activity failed: ${message}` }, at: eventTime(event) };
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut && sameId(timedOut.scheduledEventId, scheduledId)) return { outcome: { status: 'EXPIRED' }, at: eventTime(event) };
    const cancelled = event.activityTaskCanceledEventAttributes;
    if (cancelled && sameId(cancelled.scheduledEventId, scheduledId)) return { outcome: WITHDRAWN, at: eventTime(event) };
  }
  return undefined;
}

/** How a workflow that ended with the approval still open left it. */
function closedWorkflow(status: string, events: HistoryEvent[], closedAt: Date): { outcome: ApprovalOutcome; at: Date } {
  if (status === 'TERMINATED') {
    const terminated = events.find((e) => e.workflowExecutionTerminatedEventAttributes)?.workflowExecutionTerminatedEventAttributes;
    return {
      outcome: {
        status: 'TERMINATED',
        reason: terminated?.reason || 'The workflow was terminated',
        ...(terminated?.identity ? { by: terminated.identity } : {}),
      },
      at: closedAt,
    };
  }
  if (status === 'CANCELLED') {
    const requested = events.find(
      (e) => e.workflowExecutionCancelRequestedEventAttributes,
    )?.workflowExecutionCancelRequestedEventAttributes;
    return {
      outcome: {
        status: 'CANCELLED',
        reason: requested?.cause || 'The workflow was cancelled',
        ...(requested?.identity ? { by: requested.identity } : {}),
      },
      at: closedAt,
    };
  }
  if (status === 'TIMED_OUT') return { outcome: { status: 'EXPIRED' }, at: closedAt };
  return { outcome: { status: 'CANCELLED', reason: `The workflow ended (${status.toLowerCase()}) without a decision` }, at: closedAt };
}

function pendingState(
  state: temporal.api.enums.v1.PendingActivityState | null | undefined,
): 'SCHEDULED' | 'STARTED' | 'CANCEL_REQUESTED' | 'PAUSED' {
  switch (state) {
    case PendingActivityState.PENDING_ACTIVITY_STATE_STARTED:
      return 'STARTED';
    case PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED:
      return 'CANCEL_REQUESTED';
    case PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED:
    case PendingActivityState.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED:
      return 'PAUSED';
    default:
      return 'SCHEDULED';
  }
}

/** Reading one approval's truth (a describe and a history) answers within this. */
export const TRUTH_DEADLINE_MS = 10_000;

/** Temporal calls made, by kind: what the reconciler reports per sweep. */
export interface TemporalCalls {
  /** Visibility list pages (ListWorkflowExecutions). */
  lists: number;
  describes: number;
  /** History reads (GetWorkflowExecutionHistory, all pages of one history count as one). */
  histories: number;
}

export const noCalls = (): TemporalCalls => ({ lists: 0, describes: 0, histories: 0 });

/**
 * Reads one approval's state from Temporal. Throws only when Temporal cannot be asked (or not in time).
 * @param calls counts the describe and history read made, when given
 */
export async function readApprovalTruth(
  client: Client,
  key: ApprovalKey,
  described?: WorkflowExecutionDescription,
  calls: TemporalCalls = noCalls(),
): Promise<ApprovalTruth> {
  try {
    return await client.connection.withDeadline(Date.now() + TRUTH_DEADLINE_MS, () => readTruth(client, key, described, calls));
  } catch (error) {
    countTemporalError('read_truth', error);
    throw error;
  }
}

/** @param described the run's description, when the caller has just read it */
async function readTruth(
  client: Client,
  key: ApprovalKey,
  described: WorkflowExecutionDescription | undefined,
  calls: TemporalCalls,
): Promise<ApprovalTruth> {
  const handle = client.workflow.getHandle(key.workflowId, key.runId);
  let description: WorkflowExecutionDescription;
  try {
    if (!described) calls.describes += 1;
    description = described ?? (await handle.describe());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      return { state: 'CLOSED', outcome: { status: 'CANCELLED', reason: 'The workflow no longer exists in Temporal' }, at: new Date() };
    }
    throw error;
  }
  calls.histories += 1;
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduledEvent = events.findLast((e) => e.activityTaskScheduledEventAttributes?.activityId === key.activityId);
  const scheduled = scheduledEvent?.activityTaskScheduledEventAttributes;
  const status = description.status.name;

  if (scheduledEvent && scheduled) {
    const closed = await closedActivity(client, events, scheduledEvent.eventId);
    if (closed) return { state: 'CLOSED', ...closed };
  }
  if (CLOSED_STATUSES.has(status)) {
    if (!scheduled) return { state: 'UNKNOWN', why: `the workflow is ${status.toLowerCase()} and never asked for this approval` };
    return { state: 'CLOSED', ...closedWorkflow(status, events, description.closeTime ?? new Date()) };
  }
  const pending = description.raw.pendingActivities?.find((a) => a.activityId === key.activityId);
  if (!scheduledEvent || !scheduled || !pending) return { state: 'UNKNOWN', why: 'the approval is not scheduled' };

  const startedAt = optionalTsToDate(pending.lastStartedTime) ?? null;
  const windowMs = optionalTsToMs(scheduled.startToCloseTimeout);
  const converter = client.options.loadedDataConverter;
  return {
    state: 'PENDING',
    attempt: pending.attempt ?? 1,
    activityState: pendingState(pending.state),
    startedAt,
    deadline: startedAt && windowMs ? new Date(startedAt.getTime() + windowMs) : null,
    requestedAt: eventTime(scheduledEvent),
    request: await decodeFromPayloadsAtIndex(converter, 0, scheduled.input?.payloads),
    workflowType: description.type,
    heartbeatDetails: pending.heartbeatDetails?.payloads?.length
      ? await decodeFromPayloadsAtIndex(converter, 0, pending.heartbeatDetails.payloads)
      : undefined,
  };
}
