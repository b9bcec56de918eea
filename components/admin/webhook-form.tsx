'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';
// Types only: lib/outbox is server code; the event types come from the page.
import type { ApprovalEventType } from '@/lib/outbox/emit';

/** The create form's answer carries the new secret, shown once. */
type WebhookFormState = ActionState & { secret?: string };
type Action = (state: WebhookFormState, formData: FormData) => Promise<WebhookFormState>;

export interface WebhookFormValues {
  id: string;
  url: string;
  events: ApprovalEventType[];
  format: 'json' | 'slack';
  active: boolean;
}

const EVENT_WORDS: Record<ApprovalEventType, string> = {
  requested: 'requested: a request arrives',
  decided: 'decided: approved or rejected',
  expired: 'expired: no decision in the last window',
  escalated: 'escalated: a new window widens who may decide',
  reminder: 'reminder: a request still waits',
};

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-600';
const label = 'block text-sm font-medium text-slate-700';

/** Creates a webhook (no `webhook`) or edits one. After a create, the secret is shown here once. */
export function WebhookForm({
  action,
  eventTypes,
  webhook,
}: {
  action: Action;
  eventTypes: readonly ApprovalEventType[];
  webhook?: WebhookFormValues;
}) {
  const [state, submit, pending] = useActionState<WebhookFormState, FormData>(action, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const prefix = webhook ? `webhook-${webhook.id}` : 'new-webhook';
  const error = (field: string) => (
    <p id={`${prefix}-${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <form action={submit} className="space-y-3" noValidate>
      {webhook && <input type="hidden" name="id" value={webhook.id} />}
      <div>
        <label htmlFor={`${prefix}-url`} className={label}>
          URL
        </label>
        <input
          id={`${prefix}-url`}
          name="url"
          type="url"
          required
          autoComplete="off"
          placeholder="https://example.com/countersign"
          defaultValue={webhook?.url}
          aria-describedby={`${prefix}-url-error`}
          aria-invalid={errors?.url ? true : undefined}
          className={input}
        />
        {error('url')}
      </div>
      <fieldset aria-describedby={`${prefix}-events-error`}>
        <legend className={label}>Events</legend>
        <div className="mt-1 flex flex-col gap-1">
          {eventTypes.map((type) => (
            <label key={type} className="inline-flex min-h-10 items-center gap-2 text-sm">
              <input type="checkbox" name="events" value={type} defaultChecked={webhook?.events.includes(type)} className="h-4 w-4" />
              {EVENT_WORDS[type]}
            </label>
          ))}
        </div>
        {error('events')}
      </fieldset>
      <div className="flex flex-wrap gap-6">
        <div>
          <label htmlFor={`${prefix}-format`} className={label}>
            Format
          </label>
          <select id={`${prefix}-format`} name="format" defaultValue={webhook?.format ?? 'json'} className={input}>
            <option value="json">JSON (the event)</option>
            <option value="slack">Slack (text and a link)</option>
          </select>
          {error('format')}
        </div>
        <label className="inline-flex min-h-10 items-center gap-2 self-center text-sm">
          <input type="checkbox" name="active" defaultChecked={webhook?.active ?? true} className="h-4 w-4" />
          Active
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton
          pending={pending}
          label={webhook ? 'Save webhook' : 'Create webhook'}
          pendingLabel={webhook ? 'Saving…' : 'Creating…'}
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p role="status" aria-live="polite" className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}>
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
      {state.status === 'ok' && state.secret && (
        <div className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3">
          <label htmlFor={`${prefix}-secret`} className={label}>
            Signing secret (shown once)
          </label>
          <input
            id={`${prefix}-secret`}
            data-testid="webhook-secret"
            readOnly
            value={state.secret}
            onFocus={(event) => event.currentTarget.select()}
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-xs"
          />
          <p className="text-xs text-slate-700">
            Verify each delivery&apos;s Countersign-Signature with it. Countersign never shows it again: if it is lost, delete the webhook
            and create a new one.
          </p>
        </div>
      )}
    </form>
  );
}
