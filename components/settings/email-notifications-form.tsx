'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** Email about requests: one choice, on or off. */
export function EmailNotificationsForm({ action, on }: { action: Action; on: boolean }) {
  const [state, save, saving] = useActionState(action, IDLE);
  return (
    <form key={String(on)} action={save} className="space-y-3">
      <fieldset className="space-y-2">
        <legend className="sr-only">Email about requests</legend>
        <label className="flex min-h-10 items-center gap-2 text-sm">
          <input type="radio" name="emailNotifications" value="on" defaultChecked={on} className="h-4 w-4" />
          Email me about requests that need me
        </label>
        <label className="flex min-h-10 items-center gap-2 text-sm">
          <input type="radio" name="emailNotifications" value="off" defaultChecked={!on} className="h-4 w-4" />
          No email
        </label>
      </fieldset>
      <SubmitButton
        pending={saving}
        label="Save email choice"
        pendingLabel="Saving…"
        className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      />
      <div aria-live="polite">
        <ActionOutcome state={state} />
      </div>
    </form>
  );
}
