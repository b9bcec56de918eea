'use server';

import { approveInputSchema, rejectInputSchema } from '@/lib/approvals/commands/decide';
import { approvalRecorded } from '@/lib/approvals/policy/progress-words';
import { decideWithLink } from '@/lib/email/links';
import type { ActionState } from '@/lib/web/action-state';
import { approvalDeps, formFields, runPublicAction } from '@/lib/web/actions';
import { revalidateApprovals } from '@/lib/web/revalidate';

// No session: the link is the authority, and decideWithLink checks it (and
// decideApproval checks its reviewer) on every send. The request is the
// link's; the form's `id` is only what the shared decision form sends.

/** Approve, from an email link's page (the token is bound by the page). */
export async function approveByLinkAction(token: string, _previous: ActionState, formData: FormData): Promise<ActionState> {
  const fields = formFields(formData);
  return runPublicAction({
    schema: approveInputSchema,
    input: fields,
    async run(input) {
      const decided = await decideWithLink(await approvalDeps(), token, {
        decision: 'APPROVED',
        comment: input.comment,
        valuesForm: fields,
      });
      revalidateApprovals(decided.id);
      if (decided.status === 'PENDING') return approvalRecorded(decided.progress);
      return `Approved by ${decided.decidedBy}. The workflow has resumed.`;
    },
  });
}

/** Reject, from an email link's page. */
export async function rejectByLinkAction(token: string, _previous: ActionState, formData: FormData): Promise<ActionState> {
  return runPublicAction({
    schema: rejectInputSchema,
    input: formFields(formData),
    async run(input) {
      const decided = await decideWithLink(await approvalDeps(), token, { decision: 'REJECTED', reason: input.reason });
      revalidateApprovals(decided.id);
      return `Rejected by ${decided.decidedBy}. The workflow has been told why.`;
    },
  });
}
