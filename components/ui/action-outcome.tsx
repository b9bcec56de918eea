import type { ActionState } from '@/lib/web/action-state';

/** A form's answer: an alert for an error, a status line for success, nothing before the first send. */
export function ActionOutcome({ state }: { state: ActionState }) {
  if (state.status === 'idle') return null;
  return (
    <p
      role={state.status === 'error' ? 'alert' : 'status'}
      className={`rounded-md px-3 py-2 text-sm ${state.status === 'error' ? 'bg-red-50 text-red-800' : 'bg-green-50 text-green-800'}`}
    >
      {state.message}
    </p>
  );
}
