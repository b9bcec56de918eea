'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** "Send again" for one delivery in a webhook's log. */
export function SendAgainForm({ action, webhookId, deliveryId }: { action: Action; webhookId: string; deliveryId: string }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  return (
    <form action={submit} className="space-y-1">
      <input type="hidden" name="id" value={webhookId} />
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <SubmitButton
        pending={pending}
        label="Send again"
        pendingLabel="Queuing…"
        className="min-h-10 rounded-md border border-slate-300 px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
      />
      <div aria-live="polite">
        <ActionOutcome state={state} />
      </div>
    </form>
  );
}

/** Deleting a webhook, behind a disclosure that says what follows. */
export function DeleteWebhookForm({ action, webhookId, url }: { action: Action; webhookId: string; url: string }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  const warningId = `delete-${webhookId}-warning`;
  return (
    <details className="rounded-md border border-red-200 p-3" open={state.status === 'error' || undefined}>
      <summary className="min-h-10 cursor-pointer py-2 text-sm font-medium text-red-800">Delete webhook…</summary>
      <form action={submit} className="mt-2 space-y-3">
        <input type="hidden" name="id" value={webhookId} />
        <p id={warningId} className="text-sm text-slate-700">
          Delete the webhook for <span className="font-mono">{url}</span> for good? Deliveries not yet sent are dropped; to pause it
          instead, clear Active.
        </p>
        <SubmitButton
          pending={pending}
          label="Delete webhook"
          pendingLabel="Deleting…"
          aria-describedby={warningId}
          className="min-h-10 rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-50 disabled:opacity-60"
        />
        <div aria-live="polite">
          <ActionOutcome state={state} />
        </div>
      </form>
    </details>
  );
}
