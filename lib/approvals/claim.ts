// Claims: a reviewer takes a request, and everyone sees who holds it. A claim
// is also sent to Temporal as an external heartbeat whose details name the
// holder (visible in the pending activity's heartbeat details). If Temporal
// answers that the activity was cancelled, the request is marked cancelled.
import { ActivityCancelledError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db';
import { ActivityGoneError, callActivity, keyOf } from './activity-call';
import { approvalIdSchema, lockPendingRow, temporalUnavailable, type LockedRow } from './decide-approval';
import { ApprovalError, claimedByOther, notPending } from './errors';
import { explainGoneActivity } from './reconcile';

export const claimInputSchema = z.object({ id: approvalIdSchema });
export type ClaimInput = z.infer<typeof claimInputSchema>;

/** What a claim's heartbeat tells Temporal. */
export interface ClaimHeartbeat {
  claimedBy: string | null;
  claimedAt: string | null;
}

export interface Claimant {
  email: string;
}

const CANCELLED_REASON = 'The workflow cancelled the approval';

type Outcome = { kind: 'done'; claimedBy: string | null; claimedAt: Date | null } | { kind: 'gone'; row: LockedRow } | { kind: 'cancelled'; row: LockedRow };

async function changeClaim(deps: { db: Db; temporal: Client }, id: string, actor: Claimant, claim: boolean): Promise<{ claimedBy: string | null; claimedAt: Date | null }> {
  const { db, temporal } = deps;
  const outcome = await db.$transaction(
    async (tx): Promise<Outcome> => {
      const row = await lockPendingRow(tx, id);
      if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
      if (!claim && !row.claimed_by) return { kind: 'done', claimedBy: null, claimedAt: null };
      const claimedAt = claim ? new Date() : null;
      const details: ClaimHeartbeat = { claimedBy: claim ? actor.email : null, claimedAt: claimedAt?.toISOString() ?? null };
      try {
        await callActivity(temporal, row, (target) =>
          target instanceof Uint8Array ? temporal.activity.heartbeat(target, details) : temporal.activity.heartbeat(target, details),
        );
      } catch (error) {
        if (error instanceof ActivityCancelledError) {
          await tx.approvalRequest.update({
            where: { id: row.id },
            data: { status: 'CANCELLED', decidedAt: new Date(), decisionPath: 'DASHBOARD', reason: CANCELLED_REASON, taskToken: null },
          });
          await tx.auditEvent.create({
            data: { approvalRequestId: row.id, actor: actor.email, action: 'CANCELLED', path: 'DASHBOARD', details: { noticedBy: 'heartbeat' } },
          });
          return { kind: 'cancelled', row };
        }
        if (error instanceof ActivityGoneError) return { kind: 'gone', row };
        throw temporalUnavailable(row.id, error);
      }
      await tx.approvalRequest.update({ where: { id: row.id }, data: { claimedBy: details.claimedBy, claimedAt } });
      await tx.auditEvent.create({
        data: { approvalRequestId: row.id, actor: actor.email, action: claim ? 'CLAIMED' : 'RELEASED', path: 'DASHBOARD', details: { heartbeat: { ...details } } },
      });
      return { kind: 'done', claimedBy: details.claimedBy, claimedAt };
    },
    { maxWait: 30_000, timeout: 30_000 },
  );
  if (outcome.kind === 'cancelled') {
    // Tell Temporal the cancellation was heard, so a workflow waiting on it moves on.
    await callActivity(temporal, outcome.row, (target) =>
      target instanceof Uint8Array ? temporal.activity.reportCancellation(target) : temporal.activity.reportCancellation(target),
    ).catch(() => undefined);
    throw notPending('CANCELLED', null, new Date());
  }
  if (outcome.kind === 'gone') {
    throw await explainGoneActivity(deps, keyOf(outcome.row)).catch((cause: unknown) => (cause instanceof ApprovalError ? cause : temporalUnavailable(id, cause)));
  }
  return { claimedBy: outcome.claimedBy, claimedAt: outcome.claimedAt };
}

/** Claims a pending request for `actor`; refused if someone else holds it. Claiming your own claim renews it. */
export function claimApproval(deps: { db: Db; temporal: Client }, input: ClaimInput, actor: Claimant) {
  return changeClaim(deps, input.id, actor, true);
}

/** Lets go of your own claim. */
export function releaseClaim(deps: { db: Db; temporal: Client }, input: ClaimInput, actor: Claimant) {
  return changeClaim(deps, input.id, actor, false);
}
