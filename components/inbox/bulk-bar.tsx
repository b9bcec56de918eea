'use client';

// Deciding several requests at once from the inbox: the bar shown while some
// are selected, the dialog the a / r shortcuts open, and the per-request results.
import { useId, useState, type FormEvent } from 'react';
import type { BulkItemResult } from '@/lib/approvals/commands/bulk';
import { approvalRecorded } from '@/lib/approvals/policy/progress-words';
import type { BulkActionState } from '@/lib/web/action-state';
import { BULK_MAX, COMMENT_MAX, REASON_MAX } from '@/lib/contract/limits';
import { DECISION_FIELDS, DecisionFieldLabel, type DecisionKind } from '../ui/decision-field';
import { ModalDialog } from './shortcuts-help';

export type { DecisionKind };
export type BulkDispatch = (formData: FormData) => void;

const REASON_REQUIRED = 'A reason is required to reject';

function IdFields({ ids, decision }: { ids: readonly string[]; decision: DecisionKind }) {
  return (
    <>
      <input type="hidden" name="decision" value={decision === 'approve' ? 'APPROVED' : 'REJECTED'} />
      {ids.map((id) => (
        <input key={id} type="hidden" name="ids" value={id} />
      ))}
    </>
  );
}

/** Stops a reject form without a reason before it is sent; the server checks again. */
function requireReason(event: FormEvent<HTMLFormElement>, setError: (message: string | undefined) => void): boolean {
  const reason = new FormData(event.currentTarget).get('reason');
  if (typeof reason === 'string' && reason.trim()) {
    setError(undefined);
    return true;
  }
  event.preventDefault();
  setError(REASON_REQUIRED);
  event.currentTarget.querySelector<HTMLElement>('[name="reason"]')?.focus();
  return false;
}

const plural = (n: number) => `${n} request${n === 1 ? '' : 's'}`;

const buttonBase = 'min-h-10 rounded-md px-4 py-2 font-medium disabled:opacity-60';

/** Shown while one or more requests are selected. */
export function BulkBar({
  ids,
  dispatch,
  pending,
  onClear,
}: {
  ids: readonly string[];
  dispatch: BulkDispatch;
  pending: boolean;
  onClear: () => void;
}) {
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [sent, setSent] = useState<DecisionKind | null>(null);
  const tooMany = ids.length > BULK_MAX;
  const disabled = pending || tooMany;
  return (
    <section
      aria-labelledby="bulk-heading"
      data-testid="bulk-bar"
      className="sticky bottom-0 z-10 mt-3 space-y-2 rounded-lg border border-brand-100 bg-white p-3 shadow-lg md:p-4"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="bulk-heading" className="font-semibold">
          {plural(ids.length)} selected
        </h2>
        <button type="button" onClick={onClear} className={`${buttonBase} border border-slate-300 text-slate-700 hover:bg-slate-50`}>
          Clear selection
        </button>
        {tooMany && (
          <p role="alert" className="basis-full text-sm text-red-800">
            Select at most {BULK_MAX} requests at a time.
          </p>
        )}
      </div>
      <div className="grid gap-2 md:grid-cols-2 md:gap-4">
        <form action={dispatch} onSubmit={() => setSent('approve')}>
          <IdFields ids={ids} decision="approve" />
          <label htmlFor="bulk-comment" className="block text-sm font-medium text-slate-700">
            Comment <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id="bulk-comment"
              name="comment"
              type="text"
              maxLength={COMMENT_MAX}
              className="min-h-10 min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2"
            />
            <button type="submit" disabled={disabled} className={`${buttonBase} shrink-0 bg-green-700 text-white hover:bg-green-800`}>
              {pending && sent === 'approve' ? 'Approving…' : 'Approve selected'}
            </button>
          </div>
        </form>
        <form
          action={dispatch}
          onSubmit={(event) => {
            if (requireReason(event, setReasonError)) setSent('reject');
          }}
        >
          <IdFields ids={ids} decision="reject" />
          <label htmlFor="bulk-reason" className="block text-sm font-medium text-slate-700">
            Reason <span className="font-normal text-slate-500">(required to reject)</span>
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id="bulk-reason"
              name="reason"
              type="text"
              maxLength={REASON_MAX}
              aria-required="true"
              aria-invalid={reasonError ? true : undefined}
              aria-describedby="bulk-reason-error"
              className="min-h-10 min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2"
            />
            <button type="submit" disabled={disabled} className={`${buttonBase} shrink-0 bg-red-700 text-white hover:bg-red-800`}>
              {pending && sent === 'reject' ? 'Rejecting…' : 'Reject selected'}
            </button>
          </div>
          <p id="bulk-reason-error" aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden">
            {reasonError}
          </p>
        </form>
      </div>
    </section>
  );
}

/** What the a and r shortcuts open: approve (optional comment) or reject (reason required) the given requests, after a confirmation. */
export function DecideDialog({
  kind,
  targets,
  dispatch,
  onClose,
}: {
  kind: DecisionKind | null;
  targets: readonly { id: string; title: string }[];
  dispatch: BulkDispatch;
  onClose: () => void;
}) {
  const [reasonError, setReasonError] = useState<string | undefined>();
  const fieldId = useId();
  const approve = kind === 'approve';
  const decision: DecisionKind = approve ? 'approve' : 'reject';
  const field = DECISION_FIELDS[decision];
  const inputId = `${fieldId}-${field.name}`;
  const errorId = `${fieldId}-reason-error`;
  const shown = targets.slice(0, 5);
  const tooMany = targets.length > BULK_MAX;
  return (
    <ModalDialog
      open={kind !== null && targets.length > 0}
      onClose={() => {
        setReasonError(undefined);
        onClose();
      }}
      labelledBy="decide-dialog-heading"
      testId="decide-dialog"
    >
      <form
        action={dispatch}
        onSubmit={(event) => {
          if (!approve && !requireReason(event, setReasonError)) return;
          onClose();
        }}
        className="space-y-4 p-5"
      >
        <h2 id="decide-dialog-heading" className="text-lg font-semibold">
          {approve ? 'Approve' : 'Reject'} {plural(targets.length)}?
        </h2>
        <ul className="list-disc space-y-1 pl-5 text-sm [overflow-wrap:anywhere]">
          {shown.map((t) => (
            <li key={t.id}>{t.title}</li>
          ))}
          {targets.length > shown.length && <li>and {targets.length - shown.length} more</li>}
        </ul>
        <IdFields ids={targets.map((t) => t.id)} decision={decision} />
        <div>
          <DecisionFieldLabel kind={decision} htmlFor={inputId} />
          <input
            id={inputId}
            name={field.name}
            type="text"
            maxLength={field.maxLength}
            data-autofocus
            aria-required={approve ? undefined : 'true'}
            aria-invalid={!approve && reasonError ? true : undefined}
            aria-describedby={approve ? undefined : errorId}
            className="min-h-10 w-full rounded-md border border-slate-300 px-3 py-2"
          />
          {!approve && (
            <p id={errorId} aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden">
              {reasonError}
            </p>
          )}
        </div>
        {tooMany && (
          <p role="alert" className="text-sm text-red-800">
            Select at most {BULK_MAX} requests at a time.
          </p>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={onClose} className={`${buttonBase} border border-slate-300 text-slate-700 hover:bg-slate-50`}>
            Cancel
          </button>
          <button
            type="submit"
            disabled={tooMany}
            className={`${buttonBase} text-white ${approve ? 'bg-green-700 hover:bg-green-800' : 'bg-red-700 hover:bg-red-800'}`}
          >
            {approve ? 'Approve' : 'Reject'} {plural(targets.length)}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

function describeResult(result: BulkItemResult): string {
  switch (result.outcome) {
    case 'decided': {
      if (result.status === 'PENDING') return approvalRecorded(result.progress);
      const done = result.status === 'APPROVED' ? 'Approved' : 'Rejected';
      return result.recorded ? `${done}.` : `${done}: Temporal has the decision; the list catches up in a moment.`;
    }
    case 'refused':
    case 'failed':
      return result.message;
  }
}

/** The answer to the last bulk decision, request by request. Sits inside an aria-live region the caller keeps mounted. */
export function BulkResults({ state }: { state: BulkActionState }) {
  if (state.status === 'idle') return null;
  const results = state.results ?? [];
  const decided = results.filter((r) => r.outcome === 'decided');
  const notDecided = results.filter((r) => r.outcome !== 'decided');
  const fieldErrors = state.status === 'error' ? Object.values(state.fieldErrors ?? {}) : [];
  return (
    <div
      data-testid="bulk-results"
      className={`space-y-2 rounded-md border px-3 py-2 text-sm ${state.status === 'error' || notDecided.length > 0 ? 'border-amber-300 bg-amber-50 text-slate-900' : 'border-green-200 bg-green-50 text-green-900'}`}
    >
      <p role={state.status === 'error' ? 'alert' : 'status'} className="font-medium">
        {state.message}
        {fieldErrors.length > 0 && ` ${fieldErrors.join(' ')}`}
      </p>
      {decided.length > 0 && (
        <ul aria-label="Decided" className="space-y-1 [overflow-wrap:anywhere]">
          {decided.map((r) => (
            <li key={r.id} data-testid="bulk-result" data-outcome="decided" data-id={r.id}>
              <span className="font-medium">{r.title ?? r.id}</span>: {describeResult(r)}
            </li>
          ))}
        </ul>
      )}
      {notDecided.length > 0 && (
        <ul aria-label="Not decided" className="space-y-1 [overflow-wrap:anywhere]">
          {notDecided.map((r) => (
            <li key={r.id} data-testid="bulk-result" data-outcome={r.outcome} data-id={r.id}>
              <span className="font-medium">{r.title ?? r.id}</span>: <span className="text-red-800">{describeResult(r)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
