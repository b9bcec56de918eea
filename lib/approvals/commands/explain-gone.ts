// Why a command found nothing waiting in Temporal (NotFound): the row is
// brought in line first, so the inbox and the message agree, then the reviewer
// is told in words: decided by X at T, re-issued, expired, cancelled or ended.
import type { ApprovalKey } from '../../contract/approval';
import { notPending, paused, reissued, type ApprovalError } from '../errors';
import { reconcileApproval, type ReconcileDeps } from '../temporal/reconcile';
import type { ApprovalTruth } from '../temporal/truth';

/** For a reviewer, never a raw gRPC error. */
export async function explainGoneActivity(deps: ReconcileDeps, key: ApprovalKey): Promise<ApprovalError> {
  return explainTruth(await reconcileApproval(deps, key));
}

/** Temporal's truth, for a caller who found the activity gone (NotFound): decided, re-issued, expired or ended. */
export function explainTruth(truth: ApprovalTruth): ApprovalError {
  if (truth.state === 'CLOSED') {
    const { outcome, at } = truth;
    const by =
      outcome.status === 'APPROVED' || outcome.status === 'REJECTED'
        ? outcome.decidedBy
        : outcome.status === 'EXPIRED'
          ? null
          : (outcome.by ?? null);
    return notPending(outcome.status, by, at);
  }
  if (truth.state === 'PENDING' && truth.activityState === 'PAUSED') {
    return paused();
  }
  if (truth.state === 'PENDING') return reissued(truth.attempt);
  return notPending('CANCELLED', null, null);
}
