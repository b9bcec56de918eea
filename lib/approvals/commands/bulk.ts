// Deciding many requests at once: each one goes through decideApproval on its
// own (its own row lock, its own Temporal call), a few at a time, and each
// gets its own answer. One refusal or failure never stops the rest.
import { z } from 'zod';
import { BULK_MAX } from '../../contract/limits';
import type { ApprovalDeps } from '../deps';
import { approveInputSchema, decideApproval, rejectInputSchema, type Decider, type Decision } from './decide';
import { ApprovalError, type ApprovalErrorCode } from '../errors';
import { approvalIdSchema } from './locked-row';

/** Decisions in flight at once: each holds a database connection and a row lock while Temporal answers. */
const BULK_CONCURRENCY = 4;

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
  | { outcome: 'decided'; status: 'APPROVED' | 'REJECTED'; decidedBy: string; decidedAt: string; recorded: boolean }
  /** Countersign's answer in words: already decided by X at T, claimed by someone else, expired, unknown… */
  | { outcome: 'refused'; code: ApprovalErrorCode; message: string }
  /** Something unexpected; the message says so without internals. */
  | { outcome: 'failed'; message: string }
);

const UNEXPECTED = 'Countersign could not complete this one just now. Try it again in a moment.';

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

export async function decideApprovals(
  deps: ApprovalDeps,
  bulk: BulkDecision,
  decider: Decider,
  { concurrency = BULK_CONCURRENCY }: { concurrency?: number } = {},
): Promise<BulkItemResult[]> {
  const ids = [...new Set(bulk.ids)];
  // The input schema holds callers to this; a caller that skipped it is a programming error.
  if (ids.length > BULK_MAX) throw new RangeError(`decideApprovals takes at most ${BULK_MAX} requests, not ${ids.length}`);
  const titles = new Map(
    (await deps.db.approvalRequest.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } })).map((row) => [
      row.id,
      row.title,
    ]),
  );
  // Temporal down: each try costs the 5 s deadline. After two in a row, the rest are not tried.
  let unavailableInARow = 0;
  return mapBounded(ids, concurrency, async (id): Promise<BulkItemResult> => {
    const title = titles.get(id) ?? null;
    if (unavailableInARow >= 2) {
      return {
        id,
        title,
        outcome: 'refused',
        code: 'TEMPORAL_UNAVAILABLE',
        message: 'Not tried: Temporal is not answering. Nothing was changed; try again in a moment.',
      };
    }
    try {
      const decided = await decideApproval(deps, decisionFor(bulk, id), decider);
      unavailableInARow = 0;
      return {
        id,
        title,
        outcome: 'decided',
        status: decided.status,
        decidedBy: decided.decidedBy,
        decidedAt: decided.decidedAt.toISOString(),
        recorded: decided.recorded,
      };
    } catch (error) {
      if (error instanceof ApprovalError) {
        unavailableInARow = error.code === 'TEMPORAL_UNAVAILABLE' ? unavailableInARow + 1 : 0;
        return { id, title, outcome: 'refused', code: error.code, message: error.message };
      }
      console.error(`[countersign] bulk decision on approval ${id} failed:`, error instanceof Error ? error.message : error);
      return { id, title, outcome: 'failed', message: UNEXPECTED };
    }
  });
}
