'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/lib/db';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';
import {
  createWebhook,
  createWebhookSchema,
  deleteWebhook,
  redeliverWebhookDelivery,
  updateWebhook,
  updateWebhookSchema,
} from '@/lib/webhooks/endpoints';

/** The create form's answer: the usual state, and the new webhook's secret, shown once. */
export type CreateWebhookState = ActionState & { secret?: string };

function revalidateWebhooks(id?: string): void {
  revalidatePath('/admin/webhooks');
  if (id) revalidatePath(`/admin/webhooks/${id}`);
}

/** The form's fields; events are checkboxes (a repeated key), active a checkbox (absent when off). */
function readWebhookForm(formData: FormData) {
  const fields = formFields(formData);
  return {
    ...fields,
    events: formData.getAll('events').filter((value): value is string => typeof value === 'string'),
    active: fields.active === 'on',
  };
}

export async function createWebhookAction(_previous: CreateWebhookState, formData: FormData): Promise<CreateWebhookState> {
  let secret: string | undefined;
  const state = await runAction({
    role: 'ADMIN',
    schema: createWebhookSchema,
    input: readWebhookForm(formData),
    async run(user, input) {
      const created = await createWebhook(getDb(), user, input);
      secret = created.secret;
      revalidateWebhooks(created.webhook.id);
      return `Created the webhook for ${created.webhook.url}. Copy its signing secret now: it is not shown again.`;
    },
  });
  return secret ? { ...state, secret } : state;
}

export async function updateWebhookAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: updateWebhookSchema,
    input: readWebhookForm(formData),
    async run(user, input) {
      const { webhook, changed } = await updateWebhook(getDb(), user, input);
      revalidateWebhooks(webhook.id);
      return changed.length ? 'Saved. Events from now on follow it.' : 'Nothing changed.';
    },
  });
}

const webhookRefSchema = z.object({ id: z.string().min(1, 'Choose a webhook.') });

/** Deletes a webhook, then goes back to the list. */
export async function deleteWebhookAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction({
    role: 'ADMIN',
    schema: webhookRefSchema,
    input: formFields(formData),
    async run(user, input) {
      await deleteWebhook(getDb(), user, input.id);
      revalidateWebhooks(input.id);
      return input.id;
    },
  });
  // Outside runAction: redirect() throws, and runAction would take it for a failure.
  if (state.status === 'ok') redirect('/admin/webhooks?deleted=1');
  return state;
}

const deliveryRefSchema = z.object({ id: z.string().min(1, 'Choose a webhook.'), deliveryId: z.string().min(1, 'Choose a delivery.') });

/** "Send again": the delivery goes back to PENDING, and the worker sends it on its next round. */
export async function sendDeliveryAgainAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: deliveryRefSchema,
    input: formFields(formData),
    async run(user, input) {
      await redeliverWebhookDelivery(getDb(), user, input.id, input.deliveryId);
      revalidateWebhooks(input.id);
      return 'Queued to send again.';
    },
  });
}
