// The REST API's errors: one stable code per case, one HTTP status per code,
// and a JSON body `{ "error": { "code", "message", "details"? } }`. Domain
// errors (ApprovalError) are mapped here; nothing raw reaches a caller.
import { ApprovalError, InvalidValuesError, type ApprovalErrorCode } from '../approvals/errors';
import type { ClosedStatus } from '../contract/statuses';

export const API_ERRORS = {
  malformed_json: { status: 400, when: 'The body is not JSON.' },
  invalid_request: {
    status: 400,
    when: 'A parameter or the body fails its schema (details.fields names them), or the id is no request id.',
  },
  missing_key: { status: 401, when: 'No `Authorization: Bearer cs_…` header.' },
  invalid_key: { status: 401, when: 'The key is unknown or its secret is wrong.' },
  revoked_key: { status: 401, when: 'The key was revoked.' },
  expired_key: { status: 401, when: 'The key has passed its expiry.' },
  inactive_user: { status: 401, when: "The key's user is deactivated." },
  scope: { status: 403, when: 'The key lacks the scope the endpoint needs (`read`, or `decide`).' },
  not_eligible: { status: 403, when: "The key's user may not decide this request (policy, four eyes, already approved)." },
  forbidden: { status: 403, when: 'Anything else the user is not allowed to do.' },
  not_found: { status: 404, when: 'No such request.' },
  already_decided: { status: 409, when: 'The request was approved or rejected already.' },
  claimed: { status: 409, when: 'Someone else holds (claimed) the request.' },
  reissued: { status: 409, when: 'The request was re-issued (a new window) while deciding: read it again and retry.' },
  paused: { status: 409, when: 'The activity is paused in Temporal.' },
  duplicate: { status: 409, when: 'The same change was already made.' },
  expired: { status: 410, when: 'The request expired: nobody decided within its windows.' },
  cancelled: { status: 410, when: 'The workflow cancelled the request.' },
  terminated: { status: 410, when: 'The workflow was terminated.' },
  too_large: { status: 413, when: 'The body is over 64 KB.' },
  invalid_values: { status: 422, when: "The values do not fit the request's decision schema (details.fields: one message per field)." },
  rate_limited: { status: 429, when: 'Too many requests with this key; wait `Retry-After` seconds.' },
  busy: { status: 429, when: "The key's user has too many decisions in flight; retry after `Retry-After` seconds." },
  temporal_unavailable: { status: 503, when: 'Temporal did not confirm in time; read the request before retrying.' },
  overloaded: { status: 503, when: 'Countersign is saturated; retry after `Retry-After` seconds.' },
  internal: { status: 500, when: 'An unexpected error (logged on the server).' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;
export const API_ERROR_CODES = Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]];

export interface ApiErrorDetails {
  /** Per field: `values.<name>` for decision values, the parameter or body field otherwise. */
  fields?: Record<string, string>;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: ApiErrorDetails,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): number {
    return API_ERRORS[this.code].status;
  }
}

const DOMAIN_CODES: Record<Exclude<ApprovalErrorCode, 'NO_LONGER_PENDING'>, ApiErrorCode> = {
  FORBIDDEN: 'forbidden',
  NOT_ELIGIBLE: 'not_eligible',
  INVALID_VALUES: 'invalid_values',
  NOT_FOUND: 'not_found',
  ALREADY_DECIDED: 'already_decided',
  REISSUED: 'reissued',
  PAUSED: 'paused',
  CLAIMED: 'claimed',
  DUPLICATE: 'duplicate',
  BUSY: 'busy',
  TEMPORAL_UNAVAILABLE: 'temporal_unavailable',
  OVERLOADED: 'overloaded',
};

const GONE_CODES: Record<Exclude<ClosedStatus, 'APPROVED' | 'REJECTED'>, ApiErrorCode> = {
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
};

/**
 * The API error for a domain refusal. NO_LONGER_PENDING carries no status, so
 * `statusOf` reads the row's (an expired, cancelled or terminated request is 410).
 */
export async function apiErrorOf(error: ApprovalError, statusOf: () => Promise<string | null>): Promise<ApiError> {
  if (error instanceof InvalidValuesError) return new ApiError('invalid_values', error.message, { fields: error.fieldErrors });
  if (error.code === 'NO_LONGER_PENDING') {
    const status = await statusOf();
    const code = status && status in GONE_CODES ? GONE_CODES[status as keyof typeof GONE_CODES] : 'already_decided';
    return new ApiError(code, error.message);
  }
  const code = DOMAIN_CODES[error.code];
  const retryAfter = code === 'busy' || code === 'overloaded' || code === 'temporal_unavailable' ? 1 : undefined;
  return new ApiError(code, error.message, undefined, retryAfter);
}

export function errorResponse(error: ApiError): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="countersign"';
  return Response.json(
    { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } },
    { status: error.status, headers },
  );
}
