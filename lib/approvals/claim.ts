// Claims: a reviewer takes a request, and everyone sees who holds it. A claim
// is also sent to Temporal as an external heartbeat whose details name the
// holder (visible in the pending activity's heartbeat details). If Temporal
// answers that the activity was cancelled, the request is marked cancelled.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db';
import { keyOf } from './activity-call';
import { ApprovalError, claimedByOther } from './errors';
import { acknowledgeCancelled, approvalIdSchema, heartbeatLocked, lockPendingRow, temporalUnavailable, type ClaimHeartbeat, type LockedRow } from './locked-row';
import { explainGoneActivity } from './reconcile';

export type { ClaimHeartbeat } from './locked-row';

export const claimInputSchema = z.object({ id: approvalIdSchema });
export type ClaimInput = z.infer<typeof claimInputSchema>;

export interface Claimant {
  email: string;
}

type Outcome = { kind: 'ok'; claimedBy: string | null; claimedAt: Date | null } | { kind: 'gone' | 'cancelled'; row: LockedRow };

async function changeClaim(deps: { db: Db; temporal: Client }, id: string, actor: Claimant, claim: boolean): Promise<{ claimedBy: string | null; claimedAt: Date | null }> {
  const { db, temporal } = deps;
  const outcome = await db.$transaction(
    async (tx): Promise<Outcome> => {
      const row = await lockPendingRow(tx, id);
      if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
      if (!claim && !row.claimed_by) return { kind: 'ok', claimedBy: null, claimedAt: null };
      const claimedAt = claim ? new Date() : null;
      const details: ClaimHeartbeat = { claimedBy: claim ? actor.email : null, claimedAt: claimedAt?.toISOString() ?? null };
      const answer = await heartbeatLocked(tx, temporal, row, details, actor.email);
      if (answer !== 'ok') return { kind: answer, row };
      await tx.approvalRequest.update({ where: { id: row.id }, data: { claimedBy: details.claimedBy, claimedAt } });
      await tx.auditEvent.create({
        data: { approvalRequestId: row.id, actor: actor.email, action: claim ? 'CLAIMED' : 'RELEASED', path: 'DASHBOARD', details: { heartbeat: { ...details } } },
      });
      return { kind: 'ok', claimedBy: details.claimedBy, claimedAt };
    },
    { maxWait: 30_000, timeout: 30_000 },
  );
  if (outcome.kind !== 'ok') {
    if (outcome.kind === 'cancelled') throw await acknowledgeCancelled(temporal, outcome.row);
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
