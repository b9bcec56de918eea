'use server';

import { revalidatePath } from 'next/cache';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';
import { claimApproval, claimInputSchema, releaseClaim } from '@/lib/approvals/commands/claim';
import { approveInputSchema, decideApproval, rejectInputSchema } from '@/lib/approvals/commands/decide';
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
      const decided = await decideApproval({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'APPROVED', ...input }, user);
      revalidateApproval(input.id);
      return decided.recorded
        ? 'Approved. The workflow has resumed.'
        : 'Approved: Temporal has the decision. This page catches up in a moment.';
    },
  });
}

export async function rejectAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: rejectInputSchema,
    input: formFields(formData),
    async run(user, input) {
      const decided = await decideApproval({ db: getDb(), temporal: await getTemporalClient() }, { decision: 'REJECTED', ...input }, user);
      revalidateApproval(input.id);
      return decided.recorded
        ? 'Rejected. The workflow has been told why.'
        : 'Rejected: Temporal has the decision. This page catches up in a moment.';
    },
  });
}

export async function claimAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: claimInputSchema,
    input: formFields(formData),
    async run(user, input) {
      await claimApproval({ db: getDb(), temporal: await getTemporalClient() }, input, user);
      revalidateApproval(input.id);
      return 'Claimed. Others see that you hold it.';
    },
  });
}

export async function releaseAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: claimInputSchema,
    input: formFields(formData),
    async run(user, input) {
      await releaseClaim({ db: getDb(), temporal: await getTemporalClient() }, input, user);
      revalidateApproval(input.id);
      return 'Released. Anyone may claim it now.';
    },
  });
}
