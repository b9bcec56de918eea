'use server';

import { revalidatePath } from 'next/cache';
import type { ActionState } from '@/lib/action-state';
import { formFields, runAction } from '@/lib/actions';
import { approveInputSchema, decideApproval, rejectInputSchema } from '@/lib/approvals/decide-approval';
import { getDb } from '@/lib/db';
import { getTemporalClient } from '@/lib/temporal';

function revalidateApproval(id: string) {
  revalidatePath('/inbox');
  revalidatePath(`/inbox/${id}`);
  revalidatePath('/admin');
}

export async function approveAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: approveInputSchema,
    input: formFields(formData),
    async run(user, input) {
      await decideApproval({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'APPROVED', ...input }, user);
      revalidateApproval(input.id);
      return 'Approved. The workflow has resumed.';
    },
  });
}

export async function rejectAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: rejectInputSchema,
    input: formFields(formData),
    async run(user, input) {
      await decideApproval({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'REJECTED', ...input }, user);
      revalidateApproval(input.id);
      return 'Rejected. The workflow has been told why.';
    },
  });
}
