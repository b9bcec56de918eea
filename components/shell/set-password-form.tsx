'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const input =
  'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100';

/** Choosing a password through a one-time link; then on to sign in. */
export function SetPasswordForm({ action, token, email, min }: { action: Action; token: string; email: string; min: number }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  if (state.status === 'ok') {
    return (
      <div className="mt-6 space-y-4">
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {state.message}
        </p>
        <Link
          href="/signin"
          className="block w-full rounded-md bg-brand-600 px-4 py-2 text-center font-medium text-white hover:bg-brand-700"
        >
          Go to sign in
        </Link>
      </div>
    );
  }
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={submit} className="mt-6 space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      {/* For password managers: the account the new password belongs to. */}
      <input type="hidden" name="username" autoComplete="username" value={email} />
      <div>
        <label htmlFor="new-password" className="block text-sm font-medium text-slate-700">
          New password <span className="font-normal text-slate-500">(at least {min} characters)</span>
        </label>
        <input
          id="new-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={min}
          aria-describedby="password-error"
          aria-invalid={errors?.password ? true : undefined}
          className={input}
        />
        <p id="password-error" aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
          {errors?.password}
        </p>
      </div>
      <div>
        <label htmlFor="confirm-password" className="block text-sm font-medium text-slate-700">
          Repeat it
        </label>
        <input
          id="confirm-password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          aria-describedby="confirm-error"
          aria-invalid={errors?.confirm ? true : undefined}
          className={input}
        />
        <p id="confirm-error" aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
          {errors?.confirm}
        </p>
      </div>
      <p role="alert" aria-live="polite" className="min-h-5 text-sm text-red-700">
        {state.status === 'error' && !errors ? state.message : ''}
      </p>
      <SubmitButton
        pending={pending}
        label="Set password"
        pendingLabel="Setting…"
        className="w-full rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      />
    </form>
  );
}
