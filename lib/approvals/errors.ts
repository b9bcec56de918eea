// Coded domain errors: each code maps to one HTTP status, and each message is
// one a reviewer can act on. Raw gRPC or Prisma errors never reach a page.
import { CodedError } from '../coded-error';
import type { ClosedStatus } from '../contract/statuses';
import { formatTimestamp } from '../format';
import { closedRefusal } from './closed-sentences';

export type ApprovalErrorCode =
  | 'FORBIDDEN'
  | 'NOT_ELIGIBLE'
  | 'INVALID_VALUES'
  | 'NOT_FOUND'
  | 'ALREADY_DECIDED'
  | 'NO_LONGER_PENDING'
  | 'REISSUED'
  | 'PAUSED'
  | 'CLAIMED'
  | 'DUPLICATE'
  | 'BUSY'
  | 'TEMPORAL_UNAVAILABLE'
  | 'OVERLOADED';

const HTTP_STATUS: Record<ApprovalErrorCode, number> = {
  FORBIDDEN: 403,
  NOT_ELIGIBLE: 403,
  INVALID_VALUES: 422,
  NOT_FOUND: 404,
  ALREADY_DECIDED: 409,
  NO_LONGER_PENDING: 409,
  REISSUED: 409,
  PAUSED: 409,
  CLAIMED: 409,
  DUPLICATE: 409,
  BUSY: 429,
  TEMPORAL_UNAVAILABLE: 503,
  OVERLOADED: 503,
};

export class ApprovalError extends CodedError<ApprovalErrorCode> {
  override readonly name = 'ApprovalError';

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

/** Not among who may decide this request now: the reason says why (the policy, four eyes, already approved). */
export const notEligible = (reason: string) => new ApprovalError('NOT_ELIGIBLE', reason);

/** Values that fail the request's decision schema: one message per form field (`values.<name>`). */
export class InvalidValuesError extends ApprovalError {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string>,
  ) {
    super('INVALID_VALUES', message);
  }
}

export function alreadyDecided(decidedBy: string | null, decidedAt: Date | null): ApprovalError {
  return new ApprovalError('ALREADY_DECIDED', closedRefusal({ status: 'APPROVED', decidedBy, decidedAt }));
}

/** Why a request that is no longer pending cannot be decided or claimed, in words a reviewer can act on. */
export function notPending(status: ClosedStatus, decidedBy: string | null, decidedAt: Date | null): ApprovalError {
  if (status === 'APPROVED' || status === 'REJECTED') return alreadyDecided(decidedBy, decidedAt);
  return new ApprovalError('NO_LONGER_PENDING', closedRefusal({ status, decidedBy, decidedAt }));
}

export function reissued(attempt: number): ApprovalError {
  return new ApprovalError(
    'REISSUED',
    `This request was re-issued (window ${attempt}) while you were deciding. Nothing was changed: reload and decide again.`,
  );
}

export function claimedByOther(claimedBy: string, claimedAt: Date | null): ApprovalError {
  const when = claimedAt ? ` since ${formatTimestamp(claimedAt)}` : '';
  return new ApprovalError('CLAIMED', `Claimed by ${claimedBy}${when}. Only they can decide it until they release it.`);
}

export function paused(): ApprovalError {
  return new ApprovalError('PAUSED', 'This request is paused in Temporal. Nothing was changed: try again once it is resumed.');
}

/** The person already has `limit` decisions or claims in flight (commands/in-flight.ts). */
export function busy(limit: number): ApprovalError {
  return new ApprovalError('BUSY', `You have ${limit} decisions in progress; wait for them to finish, then try again.`);
}

/** No database connection, statement or decision slot in time: the process is saturated, not the request wrong. */
export function overloaded(): ApprovalError {
  return new ApprovalError('OVERLOADED', 'Countersign is busy right now. Nothing was changed: try again in a moment.');
}
