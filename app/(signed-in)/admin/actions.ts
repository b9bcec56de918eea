'use server';

import { revalidatePath } from 'next/cache';
import type { ActionState } from '@/lib/action-state';
import { formFields, runAction } from '@/lib/actions';
import { newOrderId, startOrderApproval } from '@/lib/approvals/start-order-approval';
import { temporalEnv } from '@/lib/env';
import { orderFormSchema } from '@/lib/orders';
import { getTemporalClient } from '@/lib/temporal';

export async function createOrderRequestAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: orderFormSchema,
    input: formFields(formData),
    async run(user, input) {
      const order = { id: newOrderId(), ...input, requestedBy: user.email };
      const started = await startOrderApproval(await getTemporalClient(), temporalEnv().TEMPORAL_TASK_QUEUE, order);
      revalidatePath('/admin');
      revalidatePath('/inbox');
      return `Started ${started.workflowId}. It appears in the inbox as soon as the worker picks it up.`;
    },
  });
}
