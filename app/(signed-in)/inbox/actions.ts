'use server';

import { claimApproval, claimInputSchema, releaseClaim } from '@/lib/approvals/commands/claim';
import { approveInputSchema, decideApproval, rejectInputSchema } from '@/lib/approvals/commands/decide';
import { approvalRecorded } from '@/lib/approvals/policy/progress-words';
import type { ActionState } from '@/lib/web/action-state';
import { approvalDeps, formFields, runAction } from '@/lib/web/actions';
import { revalidateApprovals } from '@/lib/web/revalidate';

export async function approveAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const fields = formFields(formData);
  return runAction({
    role: 'REVIEWER',
    schema: approveInputSchema,
    input: fields,
    async run(user, input) {
      const decided = await decideApproval(await approvalDeps(), { decision: 'APPROVED', ...input, valuesForm: fields }, user);
      revalidateApprovals(input.id);
      if (decided.status === 'PENDING') return approvalRecorded(decided.progress);
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
      const decided = await decideApproval(await approvalDeps(), { decision: 'REJECTED', ...input }, user);
      revalidateApprovals(input.id);
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
      await claimApproval(await approvalDeps(), input, user);
      revalidateApprovals(input.id);
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
      await releaseClaim(await approvalDeps(), input, user);
      revalidateApprovals(input.id);
      return 'Released. Anyone may claim it now.';
    },
  });
}
