// The REST API's shapes, as zod schemas: the handlers parse their input and
// every response with these, and lib/api/openapi.ts generates the OpenAPI
// document from the same ones (so the document cannot drift from the code).
import { z } from 'zod';
import { COMMENT_MAX, REASON_MAX } from '../contract/limits';
import { APPROVAL_STATUSES, DECISION_PATHS } from '../contract/statuses';
import { INBOX_COUNT_CAP, INBOX_SCOPES, INBOX_SORTS, INBOX_STATUSES } from '../approvals/reads/inbox/query';
import { API_ERROR_CODES } from './errors';

/** Request bodies and parameters (the document shows them as a caller sends them: io 'input'). */
export const inputSchemas = z.registry<{ id: string }>();
/** Responses (io 'output'). */
export const outputSchemas = z.registry<{ id: string }>();

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');

// --- inputs ---------------------------------------------------------------

export const requestIdSchema = z.uuid('Not a request id (a UUID).').describe('The request id (a UUID).');

const flag = z.enum(['0', '1', 'true', 'false']);

/** GET /api/v1/requests: the inbox's filters, as query parameters. */
export const listQuerySchema = z
  .object({
    status: z.enum(INBOX_STATUSES).optional().describe('One status, or all. Default: pending.'),
    scope: z.enum(INBOX_SCOPES).optional().describe("me: what the key's user may decide now (default); all: every request."),
    waiting: flag.optional().describe("1: pending ones the key's user may decide and has not approved yet."),
    group: z.string().max(63).optional().describe('Routed to this group (as an approver or escalation group).'),
    type: z.string().max(200).optional().describe('The request type: the workflow type that asked.'),
    customer: z.string().max(200).optional().describe('Customer contains this text.'),
    q: z.string().max(200).optional().describe('Free text: title, customer, workflow id.'),
    min: z.string().max(40).optional().describe('Minimum amount, e.g. 1200 or 99.50.'),
    max: z.string().max(40).optional().describe('Maximum amount.'),
    sort: z.enum(INBOX_SORTS).optional().describe('Default: deadline.'),
    dir: z.enum(['asc', 'desc']).optional().describe('Default: deadline asc, age desc, amount desc.'),
    after: z.string().max(500).optional().describe('The `nextCursor` of the previous page.'),
    before: z.string().max(500).optional().describe('The `prevCursor` of the next page.'),
  })
  .strict();

export const approveBodySchema = z
  .object({
    comment: z.string().max(COMMENT_MAX).optional().describe('Shown in the timeline and sent to the workflow.'),
    values: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Typed values for the request's decision schema (`request.decision`); its defaults when left out."),
  })
  .strict();

export const rejectBodySchema = z
  .object({ reason: z.string().min(1).max(REASON_MAX).describe('Required: sent to the workflow as the ApprovalDenied message.') })
  .strict();

inputSchemas.add(approveBodySchema, { id: 'ApproveBody' });
inputSchemas.add(rejectBodySchema, { id: 'RejectBody' });

// --- outputs --------------------------------------------------------------

const status = z.enum(APPROVAL_STATUSES);

export const requestSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  customer: z.string().nullable(),
  amount: z.string().nullable().describe('Decimal text, two places.'),
  currency: z.string().nullable(),
  status,
  attempt: z.int().describe('The window: above 1, the request was re-issued (escalated).'),
  claimedBy: z.string().nullable(),
  decidedBy: z.string().nullable(),
  requestedAt: isoTime,
  deadline: isoTime,
  workflowType: z.string().nullable(),
  requester: z.string().nullable(),
  quorum: z.int(),
  approvals: z.int(),
  escalated: z.boolean(),
  unreachable: z.boolean().describe('Pending, and fewer people can still approve it than its quorum needs.'),
});

export const requestListSchema = z.object({
  requests: z.array(requestSummarySchema),
  total: z
    .int()
    .describe(
      `Requests matching the filters, over all pages, counted up to ${INBOX_COUNT_CAP}: when more match, it is ${INBOX_COUNT_CAP} and \`totalExact\` is false.`,
    ),
  totalExact: z.boolean().describe('False when more requests match than `total` says (the count stopped at its cap).'),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last.'),
  prevCursor: z.string().nullable().describe('Pass as `before` for the previous page; null on the first.'),
});

const jsonObject = z.record(z.string(), z.unknown());

export const routingSchema = z.object({
  policyName: z.string().nullable(),
  quorum: z.int(),
  fourEyes: z.boolean(),
  approverGroups: z.array(z.string()),
  approverUsers: z.array(z.string()),
  escalateGroups: z.array(z.string()),
  escalateUsers: z.array(z.string()),
  attempt: z.int(),
  requester: z.string().nullable(),
});

export const voteSchema = z.object({
  voter: z.string().describe('Who the approval counts for.'),
  actor: z.string().describe('Who gave it (differs for a delegate).'),
  attempt: z.int(),
  comment: z.string().nullable(),
  values: z.unknown(),
  at: isoTime,
});

export const auditEventSchema = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.string(),
  path: z.enum(DECISION_PATHS),
  at: isoTime,
  details: z.unknown(),
});

export const requestDetailSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  status,
  customer: z.string().nullable(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  attempt: z.int(),
  workflowId: z.string(),
  runId: z.string(),
  activityId: z.string(),
  workflowType: z.string().nullable(),
  requestedAt: isoTime,
  deadline: isoTime,
  claimedBy: z.string().nullable(),
  claimedAt: isoTime.nullable(),
  decidedBy: z.string().nullable(),
  decidedFor: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  decisionPath: z.enum(DECISION_PATHS).nullable(),
  comment: z.string().nullable(),
  reason: z.string().nullable(),
  values: jsonObject.nullable().describe("The approver's typed values, once approved."),
  request: z
    .looseObject({ title: z.string() })
    .describe('The request as the workflow sent it (contract v2): summary, fields, links, decision (the values schema)…'),
  routing: routingSchema,
  progress: z.object({ approvals: z.int(), quorum: z.int() }),
  votes: z.array(voteSchema),
  unreachable: z.boolean(),
  timeline: z.array(auditEventSchema).describe('The audit events, oldest first.'),
});

export const decisionResultSchema = z.object({
  id: z.uuid(),
  status: z.enum(['APPROVED', 'REJECTED', 'PENDING']).describe('PENDING: the approval was recorded; the quorum needs more.'),
  decidedBy: z.string(),
  onBehalfOf: z.string().nullable(),
  decidedAt: isoTime,
  progress: z.object({ approvals: z.int(), quorum: z.int() }),
  recorded: z.boolean().describe('False: Temporal took the decision, and the database catches up by itself.'),
});

export const claimResultSchema = z.object({
  id: z.uuid(),
  claimedBy: z.string().nullable(),
  claimedAt: isoTime.nullable(),
  previous: z.string().nullable().describe('Who held it before.'),
  changed: z.boolean(),
});

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(API_ERROR_CODES),
    message: z.string(),
    details: z.object({ fields: z.record(z.string(), z.string()).optional() }).optional(),
  }),
});

/** The response schemas by their name in the document's components. */
export const RESPONSE_SCHEMAS = {
  RequestSummary: requestSummarySchema,
  RequestList: requestListSchema,
  Routing: routingSchema,
  Vote: voteSchema,
  AuditEvent: auditEventSchema,
  RequestDetail: requestDetailSchema,
  DecisionResult: decisionResultSchema,
  ClaimResult: claimResultSchema,
  Error: errorSchema,
} as const;
for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) outputSchemas.add(schema, { id });

export type RequestSummary = z.output<typeof requestSummarySchema>;
export type RequestList = z.output<typeof requestListSchema>;
export type RequestDetail = z.output<typeof requestDetailSchema>;
export type DecisionResult = z.output<typeof decisionResultSchema>;
export type ClaimResult = z.output<typeof claimResultSchema>;
export type ApiErrorBody = z.output<typeof errorSchema>;
