'use server';

import { claimInputSchema, reassignClaim, reassignInputSchema, releaseAnyClaim } from '@/lib/approvals/commands/claim';
import { newOrderId, orderFormSchema, startOrderApproval } from '@/lib/approvals/commands/start-order';
import { temporalEnv } from '@/lib/env';
import { getTemporalClient } from '@/lib/temporal';
import type { ActionState } from '@/lib/web/action-state';
import { approvalDeps, formFields, runAction } from '@/lib/web/actions';
import { revalidateApprovals } from '@/lib/web/revalidate';

export async function createOrderRequestAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: orderFormSchema,
    input: formFields(formData),
    async run(user, input) {
      const order = { id: newOrderId(), ...input, requestedBy: user.email };
      const started = await startOrderApproval(await getTemporalClient(), temporalEnv().TEMPORAL_TASK_QUEUE, order);
      revalidateApprovals();
      return `Started ${started.workflowId}. It appears in the inbox as soon as the worker picks it up.`;
    },
  });
}

/** An admin releases whoever holds the request. */
export async function releaseAnyClaimAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: claimInputSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await releaseAnyClaim(await approvalDeps(), input, user);
      revalidateApprovals(input.id);
      return change.changed ? `Released ${change.previous}'s claim. Anyone may claim it now.` : 'Nobody holds it: nothing to release.';
    },
  });
}

/** An admin hands the request to another reviewer or admin. */
export async function reassignClaimAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: reassignInputSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await reassignClaim(await approvalDeps(), input, user);
      revalidateApprovals(input.id);
      if (!change.changed) return `${input.to} already holds it.`;
      return change.previous ? `Reassigned from ${change.previous} to ${input.to}.` : `Assigned to ${input.to}.`;
    },
  });
}
