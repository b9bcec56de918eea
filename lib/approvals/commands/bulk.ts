// Deciding many requests at once: each one is decided on its own (its own row
// lock, its own Temporal call), a few at a time, and each gets its own answer.
// One refusal or failure never stops the rest.
import { z } from 'zod';
import { BULK_MAX } from '../../contract/limits';
import type { ApprovalDeps } from '../deps';
import { approveInputSchema, decideInSlot, rejectInputSchema, type Decider, type Decision } from './decide';
import { ApprovalError, type ApprovalErrorCode } from '../errors';
import { BULK_LANES, inFlight } from './in-flight';
import { approvalIdSchema } from './locked-row';

/** Ids as sent (repeated form fields), de-duplicated; 1 to BULK_MAX of them. */
export const bulkIdsSchema = z.preprocess(
  // One spelling first (ids are case-insensitive), so each request is decided once.
  (value) => (Array.isArray(value) ? [...new Set(value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)))] : value),
  z
    .array(approvalIdSchema, { error: 'Select at least one request' })
    .min(1, 'Select at least one request')
    .max(BULK_MAX, `Select at most ${BULK_MAX} requests at a time`),
);

export const bulkApproveInputSchema = z.object({ ids: bulkIdsSchema, comment: approveInputSchema.shape.comment });
export const bulkRejectInputSchema = z.object({ ids: bulkIdsSchema, reason: rejectInputSchema.shape.reason });
export type BulkApproveInput = z.infer<typeof bulkApproveInputSchema>;
export type BulkRejectInput = z.infer<typeof bulkRejectInputSchema>;

export type BulkDecision = ({ decision: 'APPROVED' } & BulkApproveInput) | ({ decision: 'REJECTED' } & BulkRejectInput);

/** What happened to one request of a bulk decision. */
export type BulkItemResult = { id: string; title: string | null } & (
  | {
      outcome: 'decided';
      /** PENDING: the approval was recorded, and the quorum needs more (`progress`). */
      status: 'APPROVED' | 'REJECTED' | 'PENDING';
      decidedBy: string;
      onBehalfOf: string | null;
      decidedAt: string;
      progress: { approvals: number; quorum: number };
      recorded: boolean;
    }
  /** Countersign's answer in words: already decided by X at T, claimed by someone else, expired, unknown… */
  | { outcome: 'refused'; code: ApprovalErrorCode; message: string }
  /** Something unexpected; the message says so without internals. */
  | { outcome: 'failed'; message: string }
);

const UNEXPECTED = 'Countersign could not complete this one just now. Try it again in a moment.';

/** Refusals that say the next try would wait and fail the same way; after two in a row the rest are not tried. */
const NOT_TRIED: Partial<Record<ApprovalErrorCode, string>> = {
  TEMPORAL_UNAVAILABLE: 'Not tried: Temporal is not answering. Nothing was changed; try again in a moment.',
  OVERLOADED: 'Not tried: Countersign is busy. Nothing was changed; try again in a moment.',
};

/** Runs `fn` over `items`, at most `limit` at a time; results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function decisionFor(bulk: BulkDecision, id: string): Decision {
  return bulk.decision === 'APPROVED'
    ? { decision: 'APPROVED', id, comment: bulk.comment }
    : { decision: 'REJECTED', id, reason: bulk.reason };
}

/**
 * Decides each of `bulk.ids` in the decider's free in-flight slots (./in-flight.ts),
 * `concurrency` at most: the lanes are slots, so a bulk decision never waits
 * for, or is refused by, its own. BUSY only when the decider has none free.
 */
export async function decideApprovals(
  deps: ApprovalDeps,
  bulk: BulkDecision,
  decider: Decider,
  { concurrency = BULK_LANES }: { concurrency?: number } = {},
): Promise<BulkItemResult[]> {
  const ids = [...new Set(bulk.ids)];
  // The input schema holds callers to this; a caller that skipped it is a programming error.
  if (ids.length > BULK_MAX) throw new RangeError(`decideApprovals takes at most ${BULK_MAX} requests, not ${ids.length}`);
  return inFlight(deps.db).asUser(decider.email, Math.min(concurrency, ids.length), async (lanes) => {
    const titles = new Map(
      (await deps.db.approvalRequest.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } })).map((row) => [
        row.id,
        row.title,
      ]),
    );
    // Temporal down, or the process saturated: each try costs a deadline. After two such in a row, the rest are not tried.
    let unavailable: { code: ApprovalErrorCode; inARow: number } = { code: 'TEMPORAL_UNAVAILABLE', inARow: 0 };
    return mapBounded(ids, lanes, async (id): Promise<BulkItemResult> => {
      const title = titles.get(id) ?? null;
      const notTried = NOT_TRIED[unavailable.code];
      if (unavailable.inARow >= 2 && notTried) return { id, title, outcome: 'refused', code: unavailable.code, message: notTried };
      try {
        const decided = await decideInSlot(deps, decisionFor(bulk, id), decider);
        unavailable = { ...unavailable, inARow: 0 };
        return {
          id,
          title,
          outcome: 'decided',
          status: decided.status,
          decidedBy: decided.decidedBy,
          onBehalfOf: decided.onBehalfOf,
          decidedAt: decided.decidedAt.toISOString(),
          progress: decided.progress,
          recorded: decided.recorded,
        };
      } catch (error) {
        if (error instanceof ApprovalError) {
          unavailable = NOT_TRIED[error.code] ? { code: error.code, inARow: unavailable.inARow + 1 } : { ...unavailable, inARow: 0 };
          return { id, title, outcome: 'refused', code: error.code, message: error.message };
        }
        console.error(`[countersign] bulk decision on approval ${id} failed:`, error instanceof Error ? error.message : error);
        return { id, title, outcome: 'failed', message: UNEXPECTED };
      }
    });
  });
}
