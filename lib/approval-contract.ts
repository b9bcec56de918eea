// The approval contract: what a workflow sends to the requestApproval activity,
// and how any client (Countersign, the temporal CLI, another SDK) decides it.
// Shared by the worker, the workflow (bundled into it: keep it pure) and the web app.
import { z } from 'zod';

/** Activity id of the approval in orderWorkflow; other workflows may pick their own. */
export const APPROVAL_ACTIVITY_ID = 'approval';
/** ApplicationFailure type of a rejection. Non-retryable; message = the reason. */
export const APPROVAL_DENIED = 'ApprovalDenied';
/** ApplicationFailure type for a request that fails validation. Non-retryable. */
export const INVALID_APPROVAL_REQUEST = 'InvalidApprovalRequest';

export const COMMENT_MAX = 2000;
export const AMOUNT_MAX = 1e15;
export const REASON_MAX = 2000;

// Other SDKs may send null for an absent field (Go without omitempty).
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? undefined, schema.optional());

export const approvalRequestSchema = z.object({
  title: z.string().trim().min(1, 'title is required').max(200),
  summary: optional(z.string().max(2000)),
  requester: optional(z.string().max(200)),
  // Stored as NUMERIC(18,2): anything larger would fail the write and retry forever.
  amount: optional(z.number().finite().nonnegative().max(AMOUNT_MAX, 'amount must be at most 1e15')),
  currency: optional(z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as USD')),
  fields: optional(z.record(z.string().min(1).max(100), z.union([z.string().max(1000), z.number().finite()]))),
});
export type ApprovalRequest = z.output<typeof approvalRequestSchema>;

/** What completes the activity when approved. */
export const approvalResultSchema = z.object({
  approved: z.literal(true),
  reviewer: z.string().min(1).max(200),
  comment: optional(z.string().max(COMMENT_MAX)),
});
export type ApprovalResult = { approved: true; reviewer: string; comment?: string };

/** Details[0] of an ApprovalDenied failure. */
export interface ApprovalDeniedDetails {
  reviewer: string;
}

/** What the workflow records once it knows the outcome, so the database follows Temporal. */
export type ApprovalOutcome =
  | { status: 'APPROVED'; decidedBy: string; comment?: string }
  | { status: 'REJECTED'; decidedBy: string; reason: string };
