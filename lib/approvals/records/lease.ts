// A decision in flight leases its request's row. The decision reads the row
// and checks it, takes the lease only if the row is still as it read it (one
// statement, leaseIfUnchanged), calls Temporal holding no transaction and no
// connection, then records what Temporal accepted in one statement that ends
// the lease. Whoever else wants to change the row meanwhile (another decider,
// a claim, the workflow's own record of its outcome, the reconciler) waits
// for the lease to end, as it would have waited for a row lock, then sees
// what the decision left.
//
// A lease ends by itself at `deciding_until` (a process that died mid-way):
// the row is then as it was, and the usual paths (the workflow's record, the
// reconciler) bring it in line with whatever Temporal accepted. The times are
// the database's own clock, so processes' clocks need not agree.
import { randomUUID } from 'node:crypto';
import { Prisma } from '@prisma/client';

/**
 * How long a lease lasts: the Temporal call's deadline (5 s,
 * COMPLETION_DEADLINE_MS) and room for the record after it. A decision that
 * outlives its lease finds the row taken over and leaves it be.
 */
export const LEASE_MS = 10_000;

/** The row is leased to a decision in flight: try again when it is over (waitingOutLeases). */
export class LeaseHeldError extends Error {
  constructor() {
    super('A decision on this request is in flight');
    this.name = 'LeaseHeldError';
  }
}

type Writer = { $executeRaw: Prisma.TransactionClient['$executeRaw'] };

/** SQL true when the row is leased now (a lease past its time is no lease). */
export const LEASED_SQL = 'coalesce(deciding_until > clock_timestamp(), false)';

/** What a decision's checks read of its row: the lease is taken only while these are as they were. */
export interface SeenRow {
  id: string;
  run_id: string;
  attempt: number;
  approvals: number;
  claimed_by: string | null;
}

/**
 * Leases the row to a new decision if it is still as `seen` (pending, not
 * leased, the same run and window, the same votes and the same holder), in
 * one statement: a compare-and-set, not a lock held while the checks ran.
 * Null: it changed since it was read, or another decision leased it first;
 * read it again. A row locked by a claim in flight is waited for (the
 * statement timeout bounds it).
 */
export async function leaseIfUnchanged(db: Writer, seen: SeenRow): Promise<string | null> {
  const lease = randomUUID();
  const taken = await db.$executeRaw`
    UPDATE approval_requests SET deciding_lease = ${lease}::uuid,
      deciding_until = clock_timestamp() + make_interval(secs => ${LEASE_MS / 1000})
    WHERE id = ${seen.id}::uuid AND status = 'PENDING' AND NOT ${Prisma.raw(LEASED_SQL)}
      AND run_id = ${seen.run_id} AND attempt = ${seen.attempt}::int AND approvals = ${seen.approvals}::int
      AND claimed_by IS NOT DISTINCT FROM ${seen.claimed_by}::text`;
  return taken === 1 ? lease : null;
}

/** Ends `lease` on the row, if it still holds it (a decision that changed nothing). */
export async function endLease(tx: Writer, id: string, lease: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE approval_requests SET deciding_lease = NULL, deciding_until = NULL
    WHERE id = ${id}::uuid AND deciding_lease = ${lease}::uuid`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (a transaction that throws LeaseHeldError when it finds the
 * row leased) until it gets through: 10 ms apart at first, then up to 100 ms.
 * It never waits longer than a lease lasts; after that, LeaseHeldError is
 * passed on (it cannot happen: an expired lease is no lease).
 */
export async function waitingOutLeases<T>(attempt: () => Promise<T>): Promise<T> {
  const until = Date.now() + LEASE_MS + 1_000;
  for (let wait = 10; ; wait = Math.min(wait * 2, 100)) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || Date.now() + wait > until) throw error;
    }
    await pause(wait);
  }
}
