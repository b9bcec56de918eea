'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2';

/** A new group: a name that never changes (requests refer to it), and what it is for. */
export function CreateGroupForm({ action }: { action: Action }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const error = (field: string) => (
    <p id={`group-${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <form action={submit} className="grid gap-3 sm:grid-cols-[16rem_1fr]" noValidate>
      <div>
        <label htmlFor="group-name" className="block text-sm font-medium text-slate-700">
          Name <span className="font-normal text-slate-500">(e.g. finance; cannot be changed later)</span>
        </label>
        <input
          id="group-name"
          name="name"
          required
          maxLength={63}
          autoComplete="off"
          aria-describedby="group-name-error"
          aria-invalid={errors?.name ? true : undefined}
          className={input}
        />
        {error('name')}
      </div>
      <div>
        <label htmlFor="group-description" className="block text-sm font-medium text-slate-700">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <input id="group-description" name="description" maxLength={300} aria-describedby="group-description-error" className={input} />
        {error('description')}
      </div>
      <div className="flex flex-wrap items-center gap-4 sm:col-span-2">
        <SubmitButton
          pending={pending}
          label="Create group"
          pendingLabel="Creating…"
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p role="status" aria-live="polite" className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}>
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
    </form>
  );
}
