// Coded domain errors: each code maps to one HTTP status, and each message is
// one a reviewer can act on. Raw gRPC or Prisma errors never reach a page.
import { formatTimestamp } from '../format';

export type ApprovalErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ALREADY_DECIDED'
  | 'NO_LONGER_PENDING'
  | 'DUPLICATE'
  | 'TEMPORAL_UNAVAILABLE';

const HTTP_STATUS: Record<ApprovalErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_DECIDED: 409,
  NO_LONGER_PENDING: 409,
  DUPLICATE: 409,
  TEMPORAL_UNAVAILABLE: 503,
};

export class ApprovalError extends Error {
  readonly code: ApprovalErrorCode;

  constructor(code: ApprovalErrorCode, message: string) {
    super(message);
    this.name = 'ApprovalError';
    this.code = code;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export function alreadyDecided(decidedBy: string | null, decidedAt: Date | null): ApprovalError {
  const who = decidedBy ?? 'someone else';
  const when = decidedAt ? ` at ${formatTimestamp(decidedAt)}` : '';
  return new ApprovalError('ALREADY_DECIDED', `Already decided by ${who}${when}.`);
}
