// How a closed request ended, in words: the request page's summary and the
// message of a command refused because the request is closed both come from here.
import type { ClosedStatus, DecisionPath } from '../contract/statuses';
import { formatTimestamp } from '../format';

export interface ClosedRequest {
  status: ClosedStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Windows the request had (its attempt): said for an expired one. */
  windows?: number;
  /** How the decision reached Countersign, said after who decided. */
  path?: DecisionPath | null;
}

/**
 * Where a decision came from, after "Approved by X". Only DASHBOARD vouches
 * for X: anyone with Temporal access can complete an activity naming anyone.
 */
export const PATH_WORDS: Record<DecisionPath, string> = {
  DASHBOARD: 'in Countersign',
  EXTERNAL: '(decided outside Countersign, reviewer named by the caller)',
  WORKER: '',
  RECONCILER: '(found in Temporal by the reconciler)',
  API: 'in Countersign, through its API',
  EMAIL: 'in Countersign, from an email link',
};

const at = (date: Date | null) => (date ? ` at ${formatTimestamp(date)}` : '');
const by = (who: string | null) => (who ? ` by ${who}` : '');

/** Why nothing more can happen, after the colon. */
function consequence(request: ClosedRequest): string {
  switch (request.status) {
    case 'EXPIRED': {
      const windows = request.windows
        ? `its ${request.windows} approval window${request.windows === 1 ? '' : 's'}`
        : 'its approval windows';
      return `no one decided it within ${windows}`;
    }
    case 'CANCELLED':
      return 'its workflow no longer waits for a decision';
    default:
      return 'it can no longer be decided';
  }
}

/** The request page's one sentence: "Approved by X at T in Countersign.", "Expired at T: …". */
export function closedSummary(request: ClosedRequest): string {
  const { status, decidedBy, decidedAt } = request;
  switch (status) {
    case 'APPROVED':
    case 'REJECTED': {
      const path = request.path ? PATH_WORDS[request.path] : '';
      return `${status === 'APPROVED' ? 'Approved' : 'Rejected'} by ${decidedBy ?? 'unknown'}${at(decidedAt)}${path ? ` ${path}` : ''}.`;
    }
    case 'EXPIRED':
      return `Expired${at(decidedAt)}: ${consequence(request)}.`;
    case 'CANCELLED':
      return `Cancelled${at(decidedAt)}${by(decidedBy)}: ${consequence(request)}.`;
    case 'TERMINATED':
      return `Its workflow was terminated${at(decidedAt)}${by(decidedBy)}: ${consequence(request)}.`;
  }
}

/** A refused command's message: "Already decided by X at T.", "This request expired at T: …". */
export function closedRefusal(request: ClosedRequest): string {
  const { status, decidedBy, decidedAt } = request;
  switch (status) {
    case 'APPROVED':
    case 'REJECTED':
      return `Already decided by ${decidedBy ?? 'someone else'}${at(decidedAt)}.`;
    case 'EXPIRED':
      return `This request expired${at(decidedAt)}: ${consequence(request)}.`;
    case 'CANCELLED':
      return `This request was cancelled${at(decidedAt)}${by(decidedBy)}: ${consequence(request)}.`;
    case 'TERMINATED':
      return closedSummary(request);
  }
}
