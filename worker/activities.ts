// Activities, built by a factory so the database and settings are injected
// (the worker passes the real ones; tests pass their own).
import { setTimeout as delay } from 'node:timers/promises';
import { CompleteAsyncError, Context, log, type Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  approvalActivityIdSchema,
  approvalOutcomeSchema,
  approvalRequestSchema,
  INVALID_APPROVAL_REQUEST,
  invalidInput,
  type ApprovalOutcome,
  type ApprovalRequest,
} from '../lib/contract/approval';
import { recordApprovalOutcome as recordOutcomeInDb } from '../lib/approvals/records/outcome';
import { recordApprovalRequest } from '../lib/approvals/records/request';
import { InvalidRoutingError } from '../lib/approvals/policy/routing';
import { progressHeartbeat } from '../lib/approvals/policy/progress';
import type { Db } from '../lib/db';
import { approvalExpired } from '../lib/contract/approval-expired';
import { ORDER_WORKFLOW_TYPE, type Order } from '../lib/contract/orders';
import { sendEmailArgsSchema, type SendEmailArgs } from '../lib/contract/agent';

export interface ActivityDeps {
  db: Db;
  approvalWindowMs: number;
  /** Windows before the request expires (attempts of the approval activity). */
  approvalWindows: number;
}

/** Pauses between tries to store a request; after the last, the reconciler takes over. */
const STORE_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000];

/** The workflow this activity runs for; Countersign's activities only run inside one. */
function currentWorkflow(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw ApplicationFailure.nonRetryable('Countersign activities must be called from a workflow', INVALID_APPROVAL_REQUEST);
  return execution;
}

/**
 * Is this attempt past the windows of an approval that has no attempt limit?
 * orderWorkflow runs started before the window limit (before commit 30370bd)
 * scheduled the approval without maximumAttempts; Temporal fixes the retry
 * policy at scheduling, so it re-issues theirs for ever. They get the windows
 * every request gets now, and the attempt after the last ends them. Other
 * workflows chose their own retry policy, and are left to it.
 */
function pastUnlimitedWindows(info: Info, windows: number): boolean {
  return info.workflowType === ORDER_WORKFLOW_TYPE && !info.retryPolicy?.maximumAttempts && info.attempt > windows;
}

export function createActivities({ db, approvalWindowMs, approvalWindows }: ActivityDeps) {
  return {
    async getApprovalPolicy(): Promise<{ windowMs: number; windows: number }> {
      return { windowMs: approvalWindowMs, windows: approvalWindows };
    },

    /**
     * Stores the request and this attempt's task token, then leaves the
     * activity open: a person completes it later, by token or by id.
     * Any workflow on the countersign task queue can call it.
     */
    async requestApproval(input: unknown): Promise<unknown> {
      const parsed = approvalRequestSchema.safeParse(input);
      if (!parsed.success) throw invalidInput('approval request', parsed.error);
      const { info } = Context.current();
      const { workflowId, runId } = currentWorkflow();
      if (pastUnlimitedWindows(info, approvalWindows)) {
        // The inbox says EXPIRED at once; the workflow returns EXPIRED on this
        // failure and records it too, so a failed write here is caught up.
        try {
          await recordOutcomeInDb(db, { workflowId, runId, activityId: info.activityId }, { status: 'EXPIRED' }, parsed.data);
        } catch (error) {
          log.warn('Could not record the expired request; the workflow records it', {
            attempt: info.attempt,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        log.info('Approval with no attempt limit expired after its windows', { attempt: info.attempt, windows: approvalWindows });
        throw approvalExpired(approvalWindows);
      }
      const attempt = {
        workflowId,
        runId,
        activityId: info.activityId,
        attempt: info.attempt,
        taskToken: info.taskToken,
        requestedAt: new Date(info.scheduledTimestampMs),
        deadline: new Date(Date.now() + info.startToCloseTimeoutMs),
        workflowType: info.workflowType ?? null,
      };
      // A database failure is retried here, within this attempt: failing the
      // attempt would spend one of the request's windows. If the database
      // stays down, the activity still waits, and the reconciler writes the row
      // from the workflow's history once it can (ARCHITECTURE.md, "Faults").
      for (let tries = 0; ; tries++) {
        try {
          const recorded = await recordApprovalRequest(db, attempt, parsed.data);
          log.info('Approval requested', { approvalId: recorded.id, attempt: info.attempt, outcome: recorded.outcome });
          // A re-issued window starts with no heartbeat details: show the approvals it carries over.
          if (recorded.approvals > 0) Context.current().heartbeat(await progressHeartbeat(db, recorded.id));
          break;
        } catch (error) {
          if (error instanceof InvalidRoutingError) {
            throw ApplicationFailure.nonRetryable(`Invalid approval request: ${error.message}`, INVALID_APPROVAL_REQUEST);
          }
          const pause = STORE_RETRY_DELAYS_MS[tries];
          const message = error instanceof Error ? error.message : String(error);
          if (pause === undefined) {
            log.error('Could not store the approval request; the reconciler will write it from history', {
              attempt: info.attempt,
              error: message,
            });
            break;
          }
          log.warn('Storing the approval request failed; retrying', { attempt: info.attempt, error: message });
          await delay(pause);
        }
      }
      throw new CompleteAsyncError();
    },

    /**
     * Records the outcome the workflow saw, whoever decided it. Idempotent.
     * Any workflow on the task queue may call it, with anything: input that
     * breaks the contract fails at once, non-retryably, and changes nothing.
     */
    async recordApprovalOutcome(activityId: string, outcome: ApprovalOutcome, request: ApprovalRequest): Promise<boolean> {
      const id = approvalActivityIdSchema.safeParse(activityId);
      if (!id.success) throw invalidInput('approval outcome', id.error);
      const parsedOutcome = approvalOutcomeSchema.safeParse(outcome);
      if (!parsedOutcome.success) throw invalidInput('approval outcome', parsedOutcome.error);
      const parsedRequest = approvalRequestSchema.safeParse(request);
      if (!parsedRequest.success) throw invalidInput('approval request', parsedRequest.error);
      const { workflowId, runId } = currentWorkflow();
      return recordOutcomeInDb(db, { workflowId, runId, activityId: id.data }, parsedOutcome.data, parsedRequest.data);
    },

    /** The agent example's tool: a real deployment sends the mail here. Runs only with approved arguments. */
    async sendEmailTool(args: SendEmailArgs): Promise<{ messageId: string }> {
      const checked = sendEmailArgsSchema.safeParse(args);
      if (!checked.success) throw invalidInput('send_email arguments', checked.error);
      log.info('Agent tool send_email ran', { to: checked.data.to, subject: checked.data.subject });
      return { messageId: `demo-${currentWorkflow().workflowId}` };
    },

    async fulfillOrder(order: Order): Promise<{ fulfilledAt: string }> {
      // The demo's stand-in for shipping: a real deployment calls its order system here.
      log.info('Order fulfilled', { orderId: order.id, amount: order.amount, currency: order.currency });
      return { fulfilledAt: new Date().toISOString() };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
