'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { RequestButtonForm, SubmitButton } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** One row of the admin queue: release whoever holds the request, or hand it to someone else. */
export function AdminClaimControls({
  approvalId,
  titleId,
  claimedBy,
  assignees,
  releaseAction,
  reassignAction,
}: {
  approvalId: string;
  /** The id of the element that names the request (its title link in the row). */
  titleId: string;
  claimedBy: string | null;
  /** Emails of the reviewers and admins who may hold it. */
  assignees: string[];
  releaseAction: Action;
  reassignAction: Action;
}) {
  const [releaseState, release, releasing] = useActionState(releaseAction, IDLE);
  const [reassignState, reassign, reassigning] = useActionState(reassignAction, IDLE);
  // The answer to whichever form was sent last.
  const [last, setLast] = useState<'release' | 'reassign' | null>(null);
  const latest = last === 'release' ? releaseState : last === 'reassign' ? reassignState : IDLE;
  const selectId = `reassign-${approvalId}`;
  const fieldError = reassignState.status === 'error' ? reassignState.fieldErrors?.to : undefined;
  // A field error (say, nobody chosen) says more than "correct the highlighted fields".
  const shown: ActionState =
    latest.status === 'error'
      ? { status: 'error', message: Object.values(latest.fieldErrors ?? {}).find(Boolean) ?? latest.message }
      : latest;
  // Both buttons: off while either form is being sent, described by the request's title, and noting which was pressed last.
  const rowButton = (form: 'release' | 'reassign') => ({
    disabled: releasing || reassigning,
    'aria-describedby': titleId,
    onClick: () => setLast(form),
  });

  return (
    <div className="flex flex-wrap items-center gap-2">
      {claimedBy && (
        <RequestButtonForm
          action={release}
          approvalId={approvalId}
          pending={releasing}
          label="Release"
          pendingLabel="Releasing…"
          {...rowButton('release')}
          className="rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
        />
      )}
      {/* Keyed by the holder, so the select starts empty again once the claim moved. */}
      <form key={claimedBy ?? ''} action={reassign} className="flex items-center gap-1.5">
        <input type="hidden" name="id" value={approvalId} />
        <label htmlFor={selectId} className="sr-only">
          {claimedBy ? 'Reassign to' : 'Assign to'}
        </label>
        <select
          id={selectId}
          name="to"
          aria-describedby={titleId}
          defaultValue=""
          aria-invalid={fieldError ? true : undefined}
          className="max-w-40 rounded-md border border-slate-300 px-1.5 py-1 text-xs"
        >
          <option value="">Choose a reviewer…</option>
          {assignees
            .filter((email) => email !== claimedBy)
            .map((email) => (
              <option key={email} value={email}>
                {email}
              </option>
            ))}
        </select>
        <SubmitButton
          pending={reassigning}
          label={claimedBy ? 'Reassign' : 'Assign'}
          pendingLabel="Saving…"
          {...rowButton('reassign')}
          className="rounded-md border border-brand-700 px-2.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50 disabled:opacity-60"
        />
      </form>
      <div aria-live="polite" className="basis-full empty:hidden">
        <ActionOutcome state={shown} />
      </div>
    </div>
  );
}
