'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2';

/**
 * "Away until T, my requests go to U." The time is picked in the browser's
 * own zone (a datetime-local field has none) and sent as an ISO instant, so
 * the server reads the moment the person meant.
 */
export function DelegationForm({
  setAction,
  clearAction,
  candidates,
  current,
}: {
  setAction: Action;
  clearAction: Action;
  /** Whom the person may choose: active people other than themselves. */
  candidates: { email: string; name: string | null }[];
  /** The delegation in force, if any. */
  current: { delegate: string } | null;
}) {
  const [setState, save, saving] = useActionState(setAction, IDLE);
  const [clearState, clear, clearing] = useActionState(clearAction, IDLE);
  const [last, setLast] = useState<'set' | 'clear' | null>(null);
  const errors = setState.status === 'error' ? setState.fieldErrors : undefined;
  const latest = last === 'set' ? setState : last === 'clear' ? clearState : IDLE;

  function send(formData: FormData) {
    const local = String(formData.get('awayUntilLocal') ?? '');
    const instant = local ? new Date(local) : null;
    // An unreadable time is sent as typed, and the server says what is wrong with it.
    formData.set('awayUntil', instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : local);
    formData.delete('awayUntilLocal');
    setLast('set');
    save(formData);
  }

  const error = (field: string) => (
    <p id={`delegation-${field}-error`} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  return (
    <div className="space-y-3">
      {/* Keyed by the delegate in force, so the choice shows the stored one after a change. */}
      <form key={current?.delegate ?? ''} action={send} className="grid gap-3 sm:grid-cols-2" noValidate>
        <div>
          <label htmlFor="away-until" className="block text-sm font-medium text-slate-700">
            Away until <span className="font-normal text-slate-500">(your local time)</span>
          </label>
          <input
            id="away-until"
            name="awayUntilLocal"
            type="datetime-local"
            required
            aria-describedby="delegation-awayUntil-error"
            aria-invalid={errors?.awayUntil ? true : undefined}
            className={input}
          />
          {error('awayUntil')}
        </div>
        <div>
          <label htmlFor="delegate" className="block text-sm font-medium text-slate-700">
            My requests go to
          </label>
          <select
            id="delegate"
            name="delegate"
            defaultValue={current?.delegate ?? ''}
            aria-describedby="delegation-delegate-error"
            aria-invalid={errors?.delegate ? true : undefined}
            className={input}
          >
            <option value="">Choose a person…</option>
            {candidates.map((person) => (
              <option key={person.email} value={person.email}>
                {person.name ? `${person.name} (${person.email})` : person.email}
              </option>
            ))}
          </select>
          {error('delegate')}
        </div>
        <div className="sm:col-span-2">
          <SubmitButton
            pending={saving}
            label="Save delegation"
            pendingLabel="Saving…"
            disabled={saving || clearing}
            className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
          />
        </div>
      </form>
      {current && (
        <form action={clear}>
          <SubmitButton
            onClick={() => setLast('clear')}
            pending={clearing}
            label="End delegation now"
            pendingLabel="Ending…"
            disabled={saving || clearing}
            className="rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
          />
        </form>
      )}
      <div aria-live="polite" className="empty:hidden">
        <ActionOutcome state={latest} />
      </div>
    </div>
  );
}
