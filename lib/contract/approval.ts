// The approval contract: what a workflow sends to the requestApproval activity,
// and how any client (Countersign, the temporal CLI, another SDK) decides it.
// Shared by the worker, the workflow (bundled into it: keep it pure) and the web app.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { AMOUNT_MAX, COMMENT_MAX, CURRENCY_MESSAGE, CURRENCY_PATTERN } from './limits';

/** Activity id of the approval in orderWorkflow; other workflows may pick their own. */
export const APPROVAL_ACTIVITY_ID = 'approval';
/** Activity type name of the approval activity, whatever its id. */
export const APPROVAL_ACTIVITY_TYPE = 'requestApproval';
/** Windows a request gets before it expires, unless APPROVAL_WINDOWS says otherwise. */
export const DEFAULT_APPROVAL_WINDOWS = 2;
/** Marks a decision sent by Countersign itself (result.via / details.via): recorded as path DASHBOARD. */
export const VIA_COUNTERSIGN = 'countersign';
/** ApplicationFailure type of a rejection. Non-retryable; message = the reason. */
export const APPROVAL_DENIED = 'ApprovalDenied';
/** ApplicationFailure type for a request that fails validation. Non-retryable. */
export const INVALID_APPROVAL_REQUEST = 'InvalidApprovalRequest';

// Other SDKs may send null for an absent field (Go without omitempty).
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? undefined, schema.optional());

export const approvalRequestSchema = z.object({
  title: z.string().trim().min(1, 'title is required').max(200),
  summary: optional(z.string().max(2000)),
  requester: optional(z.string().max(200)),
  // Stored as NUMERIC(18,2): anything larger would fail the write and retry forever.
  amount: optional(z.number().finite().nonnegative().max(AMOUNT_MAX, 'amount must be at most 1e15')),
  currency: optional(z.string().regex(CURRENCY_PATTERN, CURRENCY_MESSAGE)),
  fields: optional(z.record(z.string().min(1).max(100), z.union([z.string().max(1000), z.number().finite()]))),
});
export type ApprovalRequest = z.output<typeof approvalRequestSchema>;

/** The ids that reach a waiting approval activity without its task token (Temporal's "complete by id"). */
export interface ApprovalKey {
  workflowId: string;
  runId: string;
  activityId: string;
}

/** What completes the activity when approved. */
export const approvalResultSchema = z.object({
  approved: z.literal(true),
  reviewer: z.string().min(1).max(200),
  comment: optional(z.string().max(COMMENT_MAX)),
  via: optional(z.string().max(100)),
});
export type ApprovalResult = { approved: true; reviewer: string; comment?: string; via?: string };

/** Details[0] of an ApprovalDenied failure. */
export interface ApprovalDeniedDetails {
  reviewer: string;
  via?: string;
}

/** How an approval ended, as the workflow (or the reconciler, reading history) saw it. */
export type ApprovalOutcome =
  | { status: 'APPROVED'; decidedBy: string; comment?: string; via?: string }
  | { status: 'REJECTED'; decidedBy: string; reason: string; via?: string }
  | { status: 'EXPIRED' }
  | { status: 'CANCELLED' | 'TERMINATED'; reason?: string; by?: string };

/** The outcome of a completed approval activity: never approved on anything but a well-formed approval. */
export function outcomeOfResult(result: unknown): ApprovalOutcome {
  const parsed = approvalResultSchema.safeParse(result);
  if (!parsed.success) return { status: 'REJECTED', decidedBy: 'unknown', reason: 'The approval was completed with an invalid result' };
  const { reviewer, comment, via } = parsed.data;
  return { status: 'APPROVED', decidedBy: reviewer, ...(comment ? { comment } : {}), ...(via ? { via } : {}) };
}

/**
 * A decision to reject: ApprovalDenied, or any other non-retryable failure sent
 * from outside (`temporal activity fail` sends one with no type). The activity
 * itself fails non-retryably only for an invalid request, which is a bug in the
 * calling workflow, not a decision.
 */
export function isRejection(failure: unknown): failure is ApplicationFailure {
  if (!(failure instanceof ApplicationFailure)) return false;
  if (failure.type === APPROVAL_DENIED) return true;
  return failure.nonRetryable === true && failure.type !== INVALID_APPROVAL_REQUEST;
}

/** The outcome of a rejection (see isRejection): who rejected, and why. */
export function outcomeOfRejection(failure: ApplicationFailure): ApprovalOutcome {
  const details: unknown = failure.details?.[0];
  const field = (name: string) =>
    details && typeof details === 'object' && name in details && typeof (details as Record<string, unknown>)[name] === 'string'
      ? ((details as Record<string, unknown>)[name] as string)
      : undefined;
  const via = field('via');
  return { status: 'REJECTED', decidedBy: field('reviewer') ?? 'unknown', reason: failure.message, ...(via ? { via } : {}) };
}
