'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** Deleting a policy, behind a disclosure that says what follows; refused while pending requests name it. */
export function DeletePolicyForm({ name, pendingRequests, action }: { name: string; pendingRequests: number; action: Action }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  const warningId = `delete-${name}-warning`;
  return (
    <details className="rounded-md border border-red-200 p-3" open={state.status === 'error' || undefined}>
      <summary className="min-h-10 cursor-pointer py-2 text-sm font-medium text-red-800">Delete policy…</summary>
      <form action={submit} className="mt-2 space-y-3">
        <input type="hidden" name="name" value={name} />
        <p id={warningId} className="text-sm text-slate-700">
          Delete <span className="font-mono">{name}</span> for good? Requests that name it from then on are refused.
          {pendingRequests > 0 &&
            ` ${pendingRequests === 1 ? '1 pending request names' : `${pendingRequests} pending requests name`} it now: it cannot be deleted until ${pendingRequests === 1 ? 'it closes' : 'they close'}.`}
        </p>
        <SubmitButton
          pending={pending}
          label={`Delete ${name}`}
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
