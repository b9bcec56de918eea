'use client';

import { useActionState, useState, type FormEvent } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { DECISION_FIELDS, DecisionFieldLabel, type DecisionKind } from '@/components/ui/decision-field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { DecisionSchema } from '@/lib/contract/decision';
import { actingFor } from '@/lib/approvals/policy/progress-words';
import { IDLE, type ActionState } from '@/lib/web/action-state';
import { DecisionValuesFields } from './decision-values-fields';

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

/** The field errors that are set. */
function definedOnly(errors: Partial<Record<string, string>> | undefined): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors ?? {})) if (message !== undefined) defined[field] = message;
  return defined;
}

/** A form's text fields, as the server action reads them. */
function textFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new FormData(form).entries()) if (typeof value === 'string') fields[key] = value;
  return fields;
}

/** One of the two forms: the request's id, the typed values (approve, when the request asks for them), the comment or reason with its error line, and the button. */
function DecisionForm({
  kind,
  approvalId,
  action,
  state,
  pending,
  busy,
  onSend,
  decision,
  label,
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
  /** The request's decision schema: its fields go into this form. */
  decision?: DecisionSchema;
  /** The button's words, when not the usual ones ("Approve as bob for alice"). */
  label?: string;
}) {
  const field = DECISION_FIELDS[kind];
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const fieldError = errors?.[field.name];
  // What the reviewer last sent: React resets a form after its action, so the values are shown again from here.
  const [submitted, setSubmitted] = useState<{ count: number; fields: Record<string, string> } | null>(null);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    onSend(kind);
    if (decision) {
      const fields = textFields(event.currentTarget);
      setSubmitted((last) => ({ count: (last?.count ?? 0) + 1, fields }));
    }
  };
  return (
    // The server checks the values and answers each field in words; the browser's own bubbles would not say which rule.
    <form action={action} onSubmit={onSubmit} noValidate={decision !== undefined} className="space-y-2">
      <input type="hidden" name="id" value={approvalId} />
      {decision && (
        <DecisionValuesFields
          key={submitted?.count ?? 0}
          schema={decision}
          submitted={submitted?.fields}
          fieldErrors={definedOnly(errors)}
          disabled={busy}
        />
      )}
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
      <SubmitButton pending={pending} disabled={busy} {...BUTTONS[kind]} {...(label ? { label } : {})} />
    </form>
  );
}

/**
 * Approve (optional comment; the request's typed values when it asks for them)
 * and reject (reason required) for one pending request. `onBehalfOf`: the
 * reviewer decides in place of this away colleague, and the buttons say so.
 */
export function DecisionPanel({
  approvalId,
  approveAction,
  rejectAction,
  decision,
  me,
  onBehalfOf,
}: {
  approvalId: string;
  approveAction: Action;
  rejectAction: Action;
  decision?: DecisionSchema;
  me?: string;
  onBehalfOf?: string | null;
}) {
  const [approveState, approve, approving] = useActionState(approveAction, IDLE);
  const [rejectState, reject, rejecting] = useActionState(rejectAction, IDLE);
  // Both forms keep their state; the message shown is the answer to the last one sent.
  const [lastSent, setLastSent] = useState<DecisionKind>('approve');
  const latest = lastSent === 'approve' ? approveState : rejectState;
  const both = { approvalId, busy: approving || rejecting, onSend: setLastSent };
  const as = onBehalfOf && me ? actingFor(me, onBehalfOf) : null;

  return (
    <section aria-labelledby="decide-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="decide-heading" className="text-lg font-semibold">
        Decide
      </h2>
      <div aria-live="polite">
        <ActionOutcome state={latest} />
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <DecisionForm
          kind="approve"
          action={approve}
          state={approveState}
          pending={approving}
          decision={decision}
          label={as ? `Approve as ${as}` : undefined}
          {...both}
        />
        <DecisionForm
          kind="reject"
          action={reject}
          state={rejectState}
          pending={rejecting}
          label={as ? `Reject as ${as}` : undefined}
          {...both}
        />
      </div>
    </section>
  );
}
