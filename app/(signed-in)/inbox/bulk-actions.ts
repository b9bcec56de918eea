'use server';

import { revalidatePath } from 'next/cache';
import { formFields, runAction } from '@/lib/web/actions';
import {
  bulkApproveInputSchema,
  bulkRejectInputSchema,
  decideApprovals,
  summarizeBulk,
  type BulkActionState,
  type BulkItemResult,
} from '@/lib/approvals/commands/bulk';
import { getDb } from '@/lib/db';
import { getTemporalClient } from '@/lib/temporal';

/** The form's fields, with `ids` as every value sent under that name (formFields keeps one value per key). */
function bulkInput(formData: FormData) {
  return { ...formFields(formData), ids: formData.getAll('ids') };
}

function revalidateInbox() {
  revalidatePath('/inbox');
  revalidatePath('/admin');
}

export async function bulkApproveAction(_previous: BulkActionState, formData: FormData): Promise<BulkActionState> {
  let results: BulkItemResult[] | undefined;
  const state = await runAction({
    role: 'REVIEWER',
    schema: bulkApproveInputSchema,
    input: bulkInput(formData),
    async run(user, input) {
      results = await decideApprovals({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'APPROVED', ...input }, user);
      revalidateInbox();
      return summarizeBulk(results, 'APPROVED');
    },
  });
  return results ? { ...state, results } : state;
}

export async function bulkRejectAction(_previous: BulkActionState, formData: FormData): Promise<BulkActionState> {
  let results: BulkItemResult[] | undefined;
  const state = await runAction({
    role: 'REVIEWER',
    schema: bulkRejectInputSchema,
    input: bulkInput(formData),
    async run(user, input) {
      results = await decideApprovals({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'REJECTED', ...input }, user);
      revalidateInbox();
      return summarizeBulk(results, 'REJECTED');
    },
  });
  return results ? { ...state, results } : state;
}
