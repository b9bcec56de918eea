'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { DECISION_FIELDS, DecisionFieldLabel, type DecisionKind } from '@/components/ui/decision-field';
import { SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const button = 'rounded-md px-4 py-2 font-medium text-white disabled:opacity-60';
const BUTTONS = {
  approve: { label: 'Approve', pendingLabel: 'Approving…', className: `${button} bg-green-700 hover:bg-green-800` },
  reject: { label: 'Reject', pendingLabel: 'Rejecting…', className: `${button} bg-red-700 hover:bg-red-800` },
};

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <p id={id} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {message}
    </p>
  );
}

/** One of the two forms: the request's id, the comment or reason with its error line, and the button. */
function DecisionForm({
  kind,
  approvalId,
  action,
  state,
  pending,
  busy,
  onSend,
}: {
  kind: DecisionKind;
  approvalId: string;
  action: (formData: FormData) => void;
  state: ActionState;
  /** This form is being sent. */
  pending: boolean;
  /** Either form is being sent. */
  busy: boolean;
  onSend: (kind: DecisionKind) => void;
}) {
  const field = DECISION_FIELDS[kind];
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const fieldError = errors?.[field.name];
  return (
    <form action={action} onSubmit={() => onSend(kind)} className="space-y-2">
      <input type="hidden" name="id" value={approvalId} />
      <DecisionFieldLabel kind={kind} htmlFor={field.name} />
      <textarea
        id={field.name}
        name={field.name}
        rows={3}
        maxLength={field.maxLength}
        aria-describedby={`${field.name}-error`}
        aria-invalid={kind === 'reject' && fieldError ? true : undefined}
        className="w-full rounded-md border border-slate-300 px-3 py-2"
      />
      <FieldError id={`${field.name}-error`} message={fieldError ?? errors?.id} />
      <SubmitButton pending={pending} disabled={busy} {...BUTTONS[kind]} />
    </form>
  );
}

/** Approve (optional comment) and reject (reason required) for one pending request. */
export function DecisionPanel({
  approvalId,
  approveAction,
  rejectAction,
}: {
  approvalId: string;
  approveAction: Action;
  rejectAction: Action;
}) {
  const [approveState, approve, approving] = useActionState(approveAction, IDLE);
  const [rejectState, reject, rejecting] = useActionState(rejectAction, IDLE);
  // Both forms keep their state; the message shown is the answer to the last one sent.
  const [lastSent, setLastSent] = useState<DecisionKind>('approve');
  const latest = lastSent === 'approve' ? approveState : rejectState;
  const both = { approvalId, busy: approving || rejecting, onSend: setLastSent };

  return (
    <section aria-labelledby="decide-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="decide-heading" className="text-lg font-semibold">
        Decide
      </h2>
      <div aria-live="polite">
        <ActionOutcome state={latest} />
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <DecisionForm kind="approve" action={approve} state={approveState} pending={approving} {...both} />
        <DecisionForm kind="reject" action={reject} state={rejectState} pending={rejecting} {...both} />
      </div>
    </section>
  );
}
