'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2';

/** Admins start an orderWorkflow, which asks for an approval. */
export function CreateRequestForm({ action }: { action: Action }) {
  const [state, submit, pending] = useActionState(action, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const error = (field: string) => (
    <p id={`${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <form action={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
      <div>
        <label htmlFor="customer" className="block text-sm font-medium text-slate-700">
          Customer
        </label>
        <input id="customer" name="customer" required aria-describedby="customer-error" className={input} />
        {error('customer')}
      </div>
      <div className="grid grid-cols-[1fr_6rem] gap-2">
        <div>
          <label htmlFor="amount" className="block text-sm font-medium text-slate-700">
            Amount
          </label>
          <input id="amount" name="amount" inputMode="decimal" required aria-describedby="amount-error" className={input} />
          {error('amount')}
        </div>
        <div>
          <label htmlFor="currency" className="block text-sm font-medium text-slate-700">
            Currency
          </label>
          <select id="currency" name="currency" defaultValue="USD" className={input}>
            <option>USD</option>
            <option>EUR</option>
            <option>GBP</option>
            <option>JPY</option>
          </select>
        </div>
      </div>
      <div className="sm:col-span-2">
        <label htmlFor="items" className="block text-sm font-medium text-slate-700">
          Items <span className="font-normal text-slate-500">(optional, e.g. SKU-1:2, SKU-2:1)</span>
        </label>
        <input id="items" name="items" aria-describedby="items-error" className={input} />
        {error('items')}
      </div>
      <div className="flex items-center gap-4 sm:col-span-2">
        <SubmitButton
          pending={pending}
          label="Request approval"
          pendingLabel="Starting…"
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p role="status" aria-live="polite" className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}>
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
    </form>
  );
}
