'use server';

import type { z } from 'zod';
import {
  bulkApproveInputSchema,
  bulkRejectInputSchema,
  decideApprovals,
  type BulkDecision,
  type BulkItemResult,
} from '@/lib/approvals/commands/bulk';
import type { BulkActionState } from '@/lib/web/action-state';
import { approvalDeps, formFields, runAction } from '@/lib/web/actions';
import { revalidateApprovals } from '@/lib/web/revalidate';

/** The form's fields, with `ids` as every value sent under that name (formFields keeps one value per key). */
function bulkInput(formData: FormData) {
  return { ...formFields(formData), ids: formData.getAll('ids') };
}

/** "2 approved." or "2 approved, 1 not: see each below." */
function summarize(results: readonly BulkItemResult[], decision: BulkDecision['decision']): string {
  const decided = results.filter((r) => r.outcome === 'decided' && r.status !== 'PENDING').length;
  const recorded = results.filter((r) => r.outcome === 'decided' && r.status === 'PENDING').length;
  const others = results.length - decided - recorded;
  const verb = decision === 'APPROVED' ? 'approved' : 'rejected';
  const parts = [`${decided} ${verb}`];
  if (recorded) parts.push(`${recorded} approval${recorded === 1 ? '' : 's'} recorded, waiting for more`);
  if (others === 0) return `${parts.join(', ')}.`;
  return `${parts.join(', ')}, ${others} not: see each below.`;
}

/** One bulk decision through the action wrapper: the form gets the summary and a result per request. */
async function runBulk<S extends z.ZodType>(
  formData: FormData,
  schema: S,
  toDecision: (input: z.output<S>) => BulkDecision,
): Promise<BulkActionState> {
  let results: BulkItemResult[] | undefined;
  const state = await runAction({
    role: 'REVIEWER',
    schema,
    input: bulkInput(formData),
    async run(user, input) {
      const bulk = toDecision(input);
      results = await decideApprovals(await approvalDeps(), bulk, user);
      revalidateApprovals();
      return summarize(results, bulk.decision);
    },
  });
  return results ? { ...state, results } : state;
}

export async function bulkApproveAction(_previous: BulkActionState, formData: FormData): Promise<BulkActionState> {
  return runBulk(formData, bulkApproveInputSchema, (input) => ({ decision: 'APPROVED', ...input }));
}

export async function bulkRejectAction(_previous: BulkActionState, formData: FormData): Promise<BulkActionState> {
  return runBulk(formData, bulkRejectInputSchema, (input) => ({ decision: 'REJECTED', ...input }));
}
