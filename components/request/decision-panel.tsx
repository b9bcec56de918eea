'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { IDLE, type ActionState } from '@/lib/web/action-state';
import { COMMENT_MAX, REASON_MAX } from '@/lib/contract/limits';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <p id={id} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {message}
    </p>
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
  const busy = approving || rejecting;
  const rejectErrors = rejectState.status === 'error' ? rejectState.fieldErrors : undefined;
  const approveErrors = approveState.status === 'error' ? approveState.fieldErrors : undefined;
  // Both forms keep their state; the message shown is the answer to the last one sent.
  const [lastSent, setLastSent] = useState<'approve' | 'reject'>('approve');
  const latest = lastSent === 'approve' ? approveState : rejectState;

  return (
    <section aria-labelledby="decide-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="decide-heading" className="text-lg font-semibold">
        Decide
      </h2>
      <div aria-live="polite">
        <ActionOutcome state={latest} />
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <form action={approve} onSubmit={() => setLastSent('approve')} className="space-y-2">
          <input type="hidden" name="id" value={approvalId} />
          <label htmlFor="comment" className="block text-sm font-medium text-slate-700">
            Comment <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <textarea
            id="comment"
            name="comment"
            rows={3}
            maxLength={COMMENT_MAX}
            aria-describedby="comment-error"
            className="w-full rounded-md border border-slate-300 px-3 py-2"
          />
          <FieldError id="comment-error" message={approveErrors?.comment ?? approveErrors?.id} />
          <button
            type="submit"
            disabled={busy}
            className="rounded-md bg-green-700 px-4 py-2 font-medium text-white hover:bg-green-800 disabled:opacity-60"
          >
            {approving ? 'Approving…' : 'Approve'}
          </button>
        </form>
        <form action={reject} onSubmit={() => setLastSent('reject')} className="space-y-2">
          <input type="hidden" name="id" value={approvalId} />
          <label htmlFor="reason" className="block text-sm font-medium text-slate-700">
            Reason <span className="font-normal text-slate-500">(required to reject)</span>
          </label>
          <textarea
            id="reason"
            name="reason"
            rows={3}
            maxLength={REASON_MAX}
            aria-describedby="reason-error"
            aria-invalid={rejectErrors?.reason ? true : undefined}
            className="w-full rounded-md border border-slate-300 px-3 py-2"
          />
          <FieldError id="reason-error" message={rejectErrors?.reason ?? rejectErrors?.id} />
          <button
            type="submit"
            disabled={busy}
            className="rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 disabled:opacity-60"
          >
            {rejecting ? 'Rejecting…' : 'Reject'}
          </button>
        </form>
      </div>
    </section>
  );
}
