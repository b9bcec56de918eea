'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type LinkActionState } from '@/lib/web/action-state';
import { LinkBox } from './link-box';

type Action = (state: LinkActionState, formData: FormData) => Promise<LinkActionState>;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2';

/**
 * Admins invite someone: email, name, role, groups. Nobody types a password
 * here: the answer is a one-time link for the person to set their own.
 */
export function InviteForm({ action, groups }: { action: Action; groups: string[] }) {
  const [state, submit, pending] = useActionState<LinkActionState, FormData>(action, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const error = (field: string) => (
    <p id={`invite-${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <form action={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
      <div>
        <label htmlFor="invite-email" className="block text-sm font-medium text-slate-700">
          Email
        </label>
        <input
          id="invite-email"
          name="email"
          type="email"
          required
          autoComplete="off"
          aria-describedby="invite-email-error"
          aria-invalid={errors?.email ? true : undefined}
          className={input}
        />
        {error('email')}
      </div>
      <div>
        <label htmlFor="invite-name" className="block text-sm font-medium text-slate-700">
          Name <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <input id="invite-name" name="name" autoComplete="off" aria-describedby="invite-name-error" className={input} />
        {error('name')}
      </div>
      <div>
        <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
          Role
        </label>
        <select id="invite-role" name="role" defaultValue="REVIEWER" aria-describedby="invite-role-error" className={input}>
          <option value="REVIEWER">Reviewer</option>
          <option value="ADMIN">Admin</option>
        </select>
        {error('role')}
      </div>
      <fieldset className="min-w-0">
        <legend className="block text-sm font-medium text-slate-700">Groups</legend>
        {groups.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No groups yet.</p>
        ) : (
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {groups.map((group) => (
              <label key={group} className="inline-flex min-h-10 items-center gap-2 text-sm">
                <input type="checkbox" name="groups" value={group} className="h-4 w-4" />
                {group}
              </label>
            ))}
          </div>
        )}
        {error('groups')}
      </fieldset>
      <div className="flex flex-wrap items-center gap-4 sm:col-span-2">
        <SubmitButton
          pending={pending}
          label="Invite"
          pendingLabel="Inviting…"
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p role="status" aria-live="polite" className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}>
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
      {state.status === 'ok' && state.link && (
        <div className="sm:col-span-2">
          <LinkBox link={state.link} label="Set-password link" />
        </div>
      )}
    </form>
  );
}
