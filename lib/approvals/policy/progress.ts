// A quorum's progress: the approvals a request's current run holds, as the
// request page shows them, the result lists them and the pending activity's
// heartbeat details carry them (`temporal workflow describe`).
import type { ApproverEntry } from '../../contract/approval';
import type { Db } from '../../db';
import type { Tx } from '../commands/locked-row';

export interface Vote {
  voter: string;
  actor: string;
  attempt: number;
  comment: string | null;
  values: unknown;
  at: Date;
}

export interface QuorumProgress {
  approvals: number;
  quorum: number;
  approvers: ApproverEntry[];
}

/** The approvals of a run, oldest first. */
export function readVotes(db: Db | Tx, approvalRequestId: string, runId: string): Promise<Vote[]> {
  return db.approvalVote.findMany({
    where: { approvalRequestId, runId },
    orderBy: { at: 'asc' },
    select: { voter: true, actor: true, attempt: true, comment: true, values: true, at: true },
  });
}

/** How the result and the heartbeat name one approval: "actor", or "actor for voter". */
export function approverEntry(vote: Pick<Vote, 'voter' | 'actor' | 'at' | 'comment'>): ApproverEntry {
  return {
    reviewer: vote.actor,
    ...(vote.voter !== vote.actor ? { onBehalfOf: vote.voter } : {}),
    at: vote.at.toISOString(),
    ...(vote.comment ? { comment: vote.comment } : {}),
  };
}

export function progressOf(quorum: number, votes: Pick<Vote, 'voter' | 'actor' | 'at' | 'comment'>[]): QuorumProgress {
  return { approvals: votes.length, quorum, approvers: votes.map(approverEntry) };
}

/** The heartbeat details of a pending request: who holds it, and the quorum's progress. */
export async function progressHeartbeat(db: Db | Tx, approvalRequestId: string) {
  const row = await db.approvalRequest.findUniqueOrThrow({
    where: { id: approvalRequestId },
    select: { runId: true, quorum: true, claimedBy: true, claimedAt: true },
  });
  const votes = await readVotes(db, approvalRequestId, row.runId);
  return { claimedBy: row.claimedBy, claimedAt: row.claimedAt?.toISOString() ?? null, progress: progressOf(row.quorum, votes) };
}
