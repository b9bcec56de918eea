// The approval contract: what a workflow sends to the requestApproval activity,
// and how any client (Countersign, the temporal CLI, another SDK) decides it.
// Shared by the worker, the workflow (bundled into it: keep it pure) and the web app.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  AMOUNT_MAX,
  COMMENT_MAX,
  CURRENCY_MESSAGE,
  CURRENCY_PATTERN,
  FIELDS_MAX,
  forbiddenCharacterIn,
  forbiddenCharacterMessage,
  REASON_MAX,
  spellOutForbidden,
} from './limits';
import { decisionSchemaSchema, type DecisionValues } from './decision';

/** Activity id of the approval in orderWorkflow; other workflows may pick their own. */
export const APPROVAL_ACTIVITY_ID = 'approval';
/** Activity type name of the approval activity, whatever its id. */
export const APPROVAL_ACTIVITY_TYPE = 'requestApproval';
/** Windows a request gets before it expires, unless APPROVAL_WINDOWS says otherwise. */
export const DEFAULT_APPROVAL_WINDOWS = 2;
/**
 * What Countersign sends as result.via / details.via. Informational only: any
 * Temporal caller can send it too, so it never decides the decision path. A
 * decision is DASHBOARD only when Countersign's own transaction wrote it.
 */
export const VIA_COUNTERSIGN = 'countersign';
/** ApplicationFailure type of a rejection. Non-retryable; message = the reason. */
export const APPROVAL_DENIED = 'ApprovalDenied';
/** ApplicationFailure type for a request that fails validation. Non-retryable. */
export const INVALID_APPROVAL_REQUEST = 'InvalidApprovalRequest';

// Other SDKs may send null for an absent field (Go without omitempty).
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? undefined, schema.optional());

/** A string with no NUL or bidirectional control character; the message names the field. */
export const plainText = (field: string) =>
  z.string().superRefine((value, ctx) => {
    const found = forbiddenCharacterIn(value);
    if (found) ctx.addIssue({ code: 'custom', message: forbiddenCharacterMessage(field, found) });
  });

/** A reviewer's name or email, as a decider names it. */
const REVIEWER_MAX = 200;

/** Field names and text values, in characters. */
const FIELD_NAME_MAX = 100;
const FIELD_VALUE_MAX = 1000;

const fieldsSchema = z.record(z.string(), z.union([z.string(), z.number().finite()])).superRefine((fields, ctx) => {
  const names = Object.keys(fields);
  if (names.length > FIELDS_MAX) {
    ctx.addIssue({ code: 'custom', message: `fields may hold at most ${FIELDS_MAX} entries, not ${names.length}` });
  }
  for (const name of names) {
    const inName = forbiddenCharacterIn(name);
    if (inName) ctx.addIssue({ code: 'custom', message: forbiddenCharacterMessage(`the field name "${spellOutForbidden(name)}"`, inName) });
    else if (name.length < 1 || name.length > FIELD_NAME_MAX) {
      ctx.addIssue({ code: 'custom', message: `a field name must be 1 to ${FIELD_NAME_MAX} characters` });
    }
    const value = fields[name];
    if (typeof value !== 'string') continue;
    const inValue = forbiddenCharacterIn(value);
    if (inValue) ctx.addIssue({ code: 'custom', path: [name], message: forbiddenCharacterMessage('the value', inValue) });
    else if (value.length > FIELD_VALUE_MAX) {
      ctx.addIssue({ code: 'custom', path: [name], message: `the value must be at most ${FIELD_VALUE_MAX} characters` });
    }
  }
});

/** The request contract this Countersign understands; a request without `version` is version 1. */
export const APPROVAL_CONTRACT_VERSION = 2;
/** Group and policy names: lower-case slugs, as admins create them. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const NAME_MESSAGE = 'must be a lower-case name of letters, digits and dashes, such as finance';
/** People and groups one routing list may name; the quorum's ceiling. */
export const ROUTING_LIST_MAX = 50;
export const QUORUM_MAX = 20;
const LINKS_MAX = 10;

const routingName = z.string().regex(NAME_PATTERN, NAME_MESSAGE);
const routingEmail = z.string().trim().toLowerCase().email('must be an email address').max(REVIEWER_MAX);

/** Who may decide: people in any of the groups, or named by email. Both empty or absent: any reviewer. */
const routingSchema = z
  .object({
    groups: optional(z.array(routingName).max(ROUTING_LIST_MAX)),
    users: optional(z.array(routingEmail).max(ROUTING_LIST_MAX)),
  })
  .strict();

const linkSchema = z
  .object({
    label: plainText('label').trim().min(1, 'label is required').max(100),
    // Only web links: a javascript: or data: URL on a reviewer's page would be a script.
    url: z
      .string()
      .max(2000)
      .url('must be a URL')
      .refine((url) => /^https?:\/\//i.test(url), 'must start with http:// or https://'),
  })
  .strict();

/** Fields of version 2: routing, quorum, policy, escalation, links and the typed decision. */
const VERSION_2_FIELDS = ['approvers', 'quorum', 'policy', 'escalateTo', 'links', 'decision'] as const;

export const approvalRequestSchema = z
  .object({
    /** 1 (or absent): any reviewer, one approval. 2: the routing fields below. */
    version: optional(
      z.union([z.literal(1), z.literal(APPROVAL_CONTRACT_VERSION)], { error: `version must be 1 or ${APPROVAL_CONTRACT_VERSION}` }),
    ),
    title: plainText('title').trim().min(1, 'title is required').max(200),
    summary: optional(plainText('summary').max(2000)),
    requester: optional(plainText('requester').max(200)),
    // Stored as NUMERIC(18,2): anything larger would fail the write and retry forever.
    amount: optional(z.number().finite().nonnegative().max(AMOUNT_MAX, 'amount must be at most 1e15')),
    currency: optional(plainText('currency').regex(CURRENCY_PATTERN, CURRENCY_MESSAGE)),
    fields: optional(fieldsSchema),
    approvers: optional(routingSchema),
    quorum: optional(
      z.number().int('must be a whole number').min(1, 'must be at least 1').max(QUORUM_MAX, `must be at most ${QUORUM_MAX}`),
    ),
    policy: optional(routingName),
    escalateTo: optional(routingSchema),
    links: optional(z.array(linkSchema).max(LINKS_MAX)),
    decision: optional(decisionSchemaSchema),
  })
  .superRefine((request, ctx) => {
    if (request.version === APPROVAL_CONTRACT_VERSION) return;
    for (const field of VERSION_2_FIELDS) {
      if (request[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `needs version: ${APPROVAL_CONTRACT_VERSION} in the request (version 1 means any reviewer, one approval)`,
        });
      }
    }
  });
export type ApprovalRequest = z.output<typeof approvalRequestSchema>;

/** The ids that reach a waiting approval activity without its task token (Temporal's "complete by id"). */
export interface ApprovalKey {
  workflowId: string;
  runId: string;
  activityId: string;
}

/** result.via / details.via: kept for compatibility, never trusted (see VIA_COUNTERSIGN). */
const VIA_MAX = 100;
const viaSchema = optional(z.string().max(VIA_MAX));

/** One approval towards the quorum, as the result lists it. */
export interface ApproverEntry {
  /** Who approved (for a delegate: the delegate). */
  reviewer: string;
  /** The person the reviewer stood in for, when delegated ("reviewer for onBehalfOf"). */
  onBehalfOf?: string;
  /** ISO time. */
  at: string;
  comment?: string;
}

const approverEntrySchema = z.object({
  reviewer: plainText('reviewer').min(1).max(REVIEWER_MAX),
  onBehalfOf: optional(plainText('onBehalfOf').max(REVIEWER_MAX)),
  at: z.string().max(40),
  comment: optional(plainText('comment').max(COMMENT_MAX)),
});

/** What completes the activity when approved. */
export const approvalResultSchema = z.object({
  approved: z.literal(true),
  /** The reviewer whose approval completed it (the last of a quorum). */
  reviewer: plainText('reviewer').min(1).max(REVIEWER_MAX),
  comment: optional(plainText('comment').max(COMMENT_MAX)),
  via: viaSchema,
  onBehalfOf: optional(plainText('onBehalfOf').max(REVIEWER_MAX)),
  /** Every approval that counted, in order (Countersign sends it; other callers may not). */
  approvers: optional(z.array(approverEntrySchema).max(QUORUM_MAX)),
  /** The values the reviewer filled in, when the request carried a decision schema. */
  values: optional(z.record(z.string(), z.unknown())),
});
export type ApprovalResult = {
  approved: true;
  reviewer: string;
  comment?: string;
  via?: string;
  onBehalfOf?: string;
  approvers?: ApproverEntry[];
  values?: DecisionValues;
};

/** Details[0] of an ApprovalDenied failure. */
export interface ApprovalDeniedDetails {
  reviewer: string;
  via?: string;
  onBehalfOf?: string;
}

/** How an approval ended, as the workflow (or the reconciler, reading history) saw it. */
export type ApprovalOutcome =
  | {
      status: 'APPROVED';
      decidedBy: string;
      comment?: string;
      via?: string;
      onBehalfOf?: string;
      approvers?: ApproverEntry[];
      values?: Record<string, unknown>;
    }
  | { status: 'REJECTED'; decidedBy: string; reason: string; via?: string }
  | { status: 'EXPIRED' }
  | { status: 'CANCELLED' | 'TERMINATED'; reason?: string; by?: string };

const decidedBySchema = plainText('decidedBy').min(1, 'decidedBy is required').max(REVIEWER_MAX);

/** What recordApprovalOutcome accepts from a workflow (ApprovalOutcome; unknown keys dropped). */
export const approvalOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('APPROVED'),
    decidedBy: decidedBySchema,
    comment: optional(plainText('comment').max(COMMENT_MAX)),
    via: viaSchema,
    onBehalfOf: optional(plainText('onBehalfOf').max(REVIEWER_MAX)),
    approvers: optional(z.array(approverEntrySchema).max(QUORUM_MAX)),
    values: optional(z.record(z.string(), z.unknown())),
  }),
  z.object({
    status: z.literal('REJECTED'),
    decidedBy: decidedBySchema,
    // A Go caller's nil reason arrives as null.
    reason: z.preprocess((v) => v ?? '', plainText('reason').max(REASON_MAX)),
    via: viaSchema,
  }),
  z.object({ status: z.literal('EXPIRED') }),
  z.object({
    status: z.enum(['CANCELLED', 'TERMINATED']),
    reason: optional(plainText('reason').max(REASON_MAX)),
    by: optional(plainText('by').max(REVIEWER_MAX)),
  }),
]);

/** The activity id a workflow names when it records an outcome (Temporal's own limit is 1000 bytes). */
export const approvalActivityIdSchema = plainText('activityId').min(1, 'activityId is required').max(1000);

/** The non-retryable failure for input that breaks the contract: every problem, named by its field. */
export function invalidInput(subject: string, error: z.ZodError): ApplicationFailure {
  const problems = error.issues
    .map((issue) => `${spellOutForbidden(issue.path.map(String).join('.')) || subject}: ${issue.message}`)
    .join('; ');
  return ApplicationFailure.nonRetryable(`Invalid ${subject}: ${problems}`, INVALID_APPROVAL_REQUEST);
}

/** The outcome of a completed approval activity: never approved on anything but a well-formed approval. */
export function outcomeOfResult(result: unknown): ApprovalOutcome {
  const parsed = approvalResultSchema.safeParse(result);
  if (!parsed.success) return { status: 'REJECTED', decidedBy: 'unknown', reason: 'The approval was completed with an invalid result' };
  const { reviewer, comment, via, onBehalfOf, approvers, values } = parsed.data;
  return {
    status: 'APPROVED',
    decidedBy: reviewer,
    ...(comment ? { comment } : {}),
    ...(via ? { via } : {}),
    ...(onBehalfOf ? { onBehalfOf } : {}),
    ...(approvers ? { approvers } : {}),
    ...(values ? { values } : {}),
  };
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
  // Anyone may fail the activity, with any text: keep it within what the outcome may hold.
  // `via` is passed on for compatibility (cut to its limit); it decides nothing.
  const clean = (text: string, max: number) => spellOutForbidden(text).slice(0, max);
  const via = field('via')?.slice(0, VIA_MAX);
  return {
    status: 'REJECTED',
    decidedBy: clean(field('reviewer') ?? '', REVIEWER_MAX) || 'unknown',
    reason: clean(failure.message, REASON_MAX),
    ...(via ? { via } : {}),
  };
}
