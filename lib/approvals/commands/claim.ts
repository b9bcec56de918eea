// Claims: a reviewer takes a request, and everyone sees who holds it. A claim
// is also sent to Temporal as an external heartbeat whose details name the
// holder (visible in the pending activity's heartbeat details). If Temporal
// answers that the activity was cancelled, the request is marked cancelled.
// An admin may release anyone's claim, or hand it to another reviewer.
import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import { hasRole, isAdmin, type Role } from '../../auth/access';
import { keyOf } from '../temporal/activity-call';
import { ApprovalError, claimedByOther, notEligible } from '../errors';
import type { CountersignPath } from '../../contract/statuses';
import {
  acknowledgeCancelled,
  approvalIdSchema,
  heartbeatLocked,
  inLockedTransaction,
  lockPendingRow,
  routedRequestOf,
  temporalUnavailable,
  type ClaimHeartbeat,
  type LockedRow,
} from './locked-row';
import type { ApprovalDeps } from '../deps';
import { explainGoneActivity } from './explain-gone';
import { loadActor, requireActor } from '../policy/actor';
import { eligibilityOf, type Actor } from '../policy/eligibility';
import { progressOf, readVotes } from '../policy/progress';
import { inFlight } from './in-flight';

export const claimInputSchema = z.object({ id: approvalIdSchema });
export type ClaimInput = z.infer<typeof claimInputSchema>;

const CHOOSE_HOLDER = 'Choose who should hold it from the list.';

export const reassignInputSchema = z.object({
  id: approvalIdSchema,
  to: z.string({ error: CHOOSE_HOLDER }).trim().toLowerCase().min(1, CHOOSE_HOLDER).max(200, CHOOSE_HOLDER).email(CHOOSE_HOLDER),
});
export type ReassignInput = z.infer<typeof reassignInputSchema>;

export interface Claimant {
  email: string;
  /** Where the claim is made: the inbox (default) or the REST API, and with which key, for the audit trail. */
  path?: CountersignPath;
  through?: { apiKeyId?: string };
}

/** Whoever moves someone else's claim: only an admin may. */
export interface ClaimAdmin {
  email: string;
  role: Role;
}

/** The claim after a change: who holds it now, who held it before, and whether anything changed. */
export interface ClaimChange {
  claimedBy: string | null;
  claimedAt: Date | null;
  previous: string | null;
  changed: boolean;
}

/** What a change does to the locked row: the new holder and the audit event; null: nothing to change. */
interface Move {
  to: string | null;
  action: 'CLAIMED' | 'RELEASED' | 'REASSIGNED';
  details: (heartbeat: ClaimHeartbeat, from: string | null) => Prisma.InputJsonObject;
}

type Outcome = { kind: 'ok'; change: ClaimChange } | { kind: 'gone' | 'cancelled'; row: LockedRow };

/**
 * Moves the claim of a pending request under its row lock: `plan` looks at
 * the locked row and says what to do (or throws a refusal). Temporal hears the
 * new holder first; the row and the audit trail change only when it said yes.
 * It takes one of the actor's in-flight slots, as a decision does.
 */
function moveClaim(
  deps: ApprovalDeps,
  id: string,
  actor: string,
  plan: (row: LockedRow) => Move | null,
  holder?: Actor,
  via?: Pick<Claimant, 'path' | 'through'>,
): Promise<ClaimChange> {
  return inFlight(deps.db).asUser(actor, 1, () => moveClaimInSlot(deps, id, actor, plan, holder, via));
}

/** `holder`: the person who will hold the claim, who must be among those who may decide it now. */
async function moveClaimInSlot(
  deps: ApprovalDeps,
  id: string,
  actor: string,
  plan: (row: LockedRow) => Move | null,
  holder?: Actor,
  via: Pick<Claimant, 'path' | 'through'> = {},
): Promise<ClaimChange> {
  const { db, temporal } = deps;
  const outcome = await inLockedTransaction(db, async (tx): Promise<Outcome> => {
    const row = await lockPendingRow(tx, id);
    const votes = await readVotes(tx, row.id, row.run_id);
    if (holder) {
      const eligible = eligibilityOf(routedRequestOf(row), holder, votes);
      if (!eligible.ok)
        throw notEligible(holder.email === actor ? eligible.reason : `${holder.email} may not decide this request: ${eligible.reason}`);
    }
    const move = plan(row);
    if (!move)
      return { kind: 'ok', change: { claimedBy: row.claimed_by, claimedAt: row.claimed_at, previous: row.claimed_by, changed: false } };
    const claimedAt = move.to ? new Date() : null;
    const heartbeat: ClaimHeartbeat = {
      claimedBy: move.to,
      claimedAt: claimedAt?.toISOString() ?? null,
      progress: progressOf(row.quorum, votes),
    };
    const answer = await heartbeatLocked(tx, temporal, row, heartbeat, actor);
    if (answer !== 'ok') return { kind: answer, row };
    await tx.approvalRequest.update({ where: { id: row.id }, data: { claimedBy: move.to, claimedAt } });
    await tx.auditEvent.create({
      data: {
        approvalRequestId: row.id,
        actor,
        action: move.action,
        path: via.path ?? 'DASHBOARD',
        details: { ...move.details(heartbeat, row.claimed_by), ...(via.through ?? {}) },
      },
    });
    return { kind: 'ok', change: { claimedBy: move.to, claimedAt, previous: row.claimed_by, changed: true } };
  });
  if (outcome.kind !== 'ok') {
    if (outcome.kind === 'cancelled') throw await acknowledgeCancelled(temporal, outcome.row);
    throw await explainGoneActivity(deps, keyOf(outcome.row)).catch((cause: unknown) =>
      cause instanceof ApprovalError ? cause : temporalUnavailable(id, cause),
    );
  }
  return outcome.change;
}

const heartbeatDetails = (heartbeat: ClaimHeartbeat): Prisma.InputJsonObject => ({
  heartbeat: { claimedBy: heartbeat.claimedBy, claimedAt: heartbeat.claimedAt },
});

/** Claims a pending request for `actor`; refused if someone else holds it. Claiming your own claim renews it. */
export function claimApproval(deps: ApprovalDeps, input: ClaimInput, actor: Claimant): Promise<ClaimChange> {
  // In the slot from the start, as a decision is: the slot bounds the reading of the actor too.
  return inFlight(deps.db).asUser(actor.email, 1, async () => {
    const holder = await requireActor(deps, actor);
    return moveClaimInSlot(
      deps,
      input.id,
      actor.email,
      (row) => {
        if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
        return { to: actor.email, action: 'CLAIMED', details: heartbeatDetails };
      },
      holder,
      actor,
    );
  });
}

/** Lets go of your own claim. */
export function releaseClaim(deps: ApprovalDeps, input: ClaimInput, actor: Claimant): Promise<ClaimChange> {
  return moveClaim(
    deps,
    input.id,
    actor.email,
    (row) => {
      if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
      return row.claimed_by ? { to: null, action: 'RELEASED', details: heartbeatDetails } : null;
    },
    undefined,
    actor,
  );
}

function requireAdmin(actor: ClaimAdmin): void {
  if (!isAdmin(actor)) throw new ApprovalError('FORBIDDEN', 'You do not have permission to do that.');
}

/** An admin lets go of whoever's claim it is (nothing to do when nobody holds it). */
export async function releaseAnyClaim(deps: ApprovalDeps, input: ClaimInput, admin: ClaimAdmin): Promise<ClaimChange> {
  requireAdmin(admin);
  return moveClaim(deps, input.id, admin.email, (row) =>
    row.claimed_by ? { to: null, action: 'RELEASED', details: (_heartbeat, from) => ({ from, to: null }) } : null,
  );
}

/**
 * An admin hands the request to another reviewer or admin (or assigns an
 * unclaimed one). The new holder must be a user; they hold it from now on.
 */
export async function reassignClaim(deps: ApprovalDeps, input: ReassignInput, admin: ClaimAdmin): Promise<ClaimChange> {
  requireAdmin(admin);
  const target = await loadActor(deps.db, input.to);
  if (!target || !target.active || !hasRole(target, 'REVIEWER')) {
    throw new ApprovalError('NOT_FOUND', `No active reviewer or admin has the email ${input.to}. Choose someone from the list.`);
  }
  return moveClaim(
    deps,
    input.id,
    admin.email,
    (row) =>
      row.claimed_by === target.email
        ? null
        : { to: target.email, action: 'REASSIGNED', details: (_heartbeat, from) => ({ from, to: target.email }) },
    target,
  );
}
