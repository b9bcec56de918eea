'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type LinkActionState } from '@/lib/web/action-state';
import { LinkBox } from './link-box';

type Action = (state: LinkActionState, formData: FormData) => Promise<LinkActionState>;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2';

/** A new API key: its name, the user it acts as (existing, or a new service user), its scopes and expiry. The key is shown once. */
export function ApiKeyForm({ action, people }: { action: Action; people: string[] }) {
  const [state, submit, pending] = useActionState<LinkActionState, FormData>(action, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const error = (field: string) => (
    <p id={`key-${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <form action={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
      <div>
        <label htmlFor="key-name" className="block text-sm font-medium text-slate-700">
          Name <span className="font-normal text-slate-500">(what uses it)</span>
        </label>
        <input id="key-name" name="name" required maxLength={100} autoComplete="off" aria-describedby="key-name-error" className={input} />
        {error('name')}
      </div>
      <div>
        <label htmlFor="key-user" className="block text-sm font-medium text-slate-700">
          User&apos;s email <span className="font-normal text-slate-500">(an existing user, or a new service user)</span>
        </label>
        <input
          id="key-user"
          name="userEmail"
          type="email"
          required
          list="key-people"
          autoComplete="off"
          aria-describedby="key-userEmail-error"
          className={input}
        />
        <datalist id="key-people">
          {people.map((email) => (
            <option key={email} value={email} />
          ))}
        </datalist>
        {error('userEmail')}
      </div>
      <div>
        <label htmlFor="key-user-name" className="block text-sm font-medium text-slate-700">
          New service user&apos;s name <span className="font-normal text-slate-500">(only for a new user)</span>
        </label>
        <input id="key-user-name" name="userName" maxLength={200} aria-describedby="key-userName-error" className={input} />
        {error('userName')}
      </div>
      <div>
        <label htmlFor="key-expires" className="block text-sm font-medium text-slate-700">
          Expires after <span className="font-normal text-slate-500">(optional; the end of that day, UTC)</span>
        </label>
        <input id="key-expires" name="expiresOn" type="date" aria-describedby="key-expiresAt-error" className={input} />
        {error('expiresAt')}
      </div>
      <fieldset className="sm:col-span-2">
        <legend className="text-sm font-medium text-slate-700">Scopes</legend>
        <div className="mt-1 flex flex-wrap gap-6 text-sm">
          <label className="inline-flex min-h-10 items-center gap-2">
            <input type="checkbox" name="scope_read" defaultChecked /> read
          </label>
          <label className="inline-flex min-h-10 items-center gap-2">
            <input type="checkbox" name="scope_decide" defaultChecked /> decide
          </label>
        </div>
        {error('scopes')}
      </fieldset>
      <div className="flex flex-wrap items-center gap-4 sm:col-span-2">
        <SubmitButton
          pending={pending}
          label="Create key"
          pendingLabel="Creating…"
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p role="status" aria-live="polite" className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}>
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
      {state.link && (
        <div className="sm:col-span-2">
          <LinkBox link={state.link} label="The new API key (shown only now)" />
        </div>
      )}
    </form>
  );
}
