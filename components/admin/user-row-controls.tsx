'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import type { Role } from '@/lib/auth/access';
import { IDLE, type ActionState, type LinkActionState } from '@/lib/web/action-state';
import { LinkBox } from './link-box';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;
type LinkAction = (state: LinkActionState, formData: FormData) => Promise<LinkActionState>;

export interface UserRowActions {
  changeRoleAction: Action;
  deactivateAction: Action;
  reactivateAction: Action;
  issueLinkAction: LinkAction;
}

type Form = 'role' | 'deactivate' | 'reactivate' | 'link';

const small = 'min-h-10 rounded-md border px-2.5 py-1 text-xs font-medium disabled:opacity-60';

/** One person's row: their role, deactivate or reactivate, and a new set-password link. */
export function UserRowControls({
  userId,
  emailId,
  role,
  active,
  actions,
}: {
  userId: string;
  /** The id of the element that shows the person's email (the row's first cell). */
  emailId: string;
  role: Role;
  active: boolean;
  actions: UserRowActions;
}) {
  const [roleState, changeRole, changingRole] = useActionState(actions.changeRoleAction, IDLE);
  const [deactivateState, deactivate, deactivating] = useActionState(actions.deactivateAction, IDLE);
  const [reactivateState, reactivate, reactivating] = useActionState(actions.reactivateAction, IDLE);
  const [linkState, issueLink, issuingLink] = useActionState<LinkActionState, FormData>(actions.issueLinkAction, IDLE);
  // The answer to whichever form was sent last.
  const [last, setLast] = useState<Form | null>(null);
  const busy = changingRole || deactivating || reactivating || issuingLink;
  const states: Record<Form, ActionState> = { role: roleState, deactivate: deactivateState, reactivate: reactivateState, link: linkState };
  const latest = last ? states[last] : IDLE;
  const shown: ActionState =
    latest.status === 'error'
      ? { status: 'error', message: Object.values(latest.fieldErrors ?? {}).find(Boolean) ?? latest.message }
      : latest;
  const button = (form: Form) => ({ disabled: busy, 'aria-describedby': emailId, onClick: () => setLast(form) });
  const selectId = `role-${userId}`;

  return (
    <div className="flex flex-wrap items-center gap-2">
      {/* Keyed by the role, so the select shows the stored one again after a change. */}
      <form key={role} action={changeRole} className="flex items-center gap-1.5">
        <input type="hidden" name="userId" value={userId} />
        <label htmlFor={selectId} className="sr-only">
          Role
        </label>
        <select
          id={selectId}
          name="role"
          defaultValue={role}
          aria-describedby={emailId}
          className="min-h-10 rounded-md border border-slate-300 px-1.5 py-1 text-xs"
        >
          <option value="REVIEWER">Reviewer</option>
          <option value="ADMIN">Admin</option>
        </select>
        <SubmitButton
          pending={changingRole}
          label="Change role"
          pendingLabel="Saving…"
          {...button('role')}
          className={`${small} border-slate-300 text-slate-700 hover:bg-slate-50`}
        />
      </form>
      {active ? (
        <form action={deactivate}>
          <input type="hidden" name="userId" value={userId} />
          <SubmitButton
            pending={deactivating}
            label="Deactivate"
            pendingLabel="Deactivating…"
            {...button('deactivate')}
            className={`${small} border-red-300 text-red-800 hover:bg-red-50`}
          />
        </form>
      ) : (
        <form action={reactivate}>
          <input type="hidden" name="userId" value={userId} />
          <SubmitButton
            pending={reactivating}
            label="Reactivate"
            pendingLabel="Reactivating…"
            {...button('reactivate')}
            className={`${small} border-slate-300 text-slate-700 hover:bg-slate-50`}
          />
        </form>
      )}
      {active && (
        <form action={issueLink}>
          <input type="hidden" name="userId" value={userId} />
          <SubmitButton
            pending={issuingLink}
            label="New link"
            pendingLabel="Making a link…"
            {...button('link')}
            className={`${small} border-brand-700 text-brand-700 hover:bg-brand-50`}
          />
        </form>
      )}
      <div aria-live="polite" className="basis-full empty:hidden">
        <ActionOutcome state={shown} />
        {last === 'link' && linkState.status === 'ok' && linkState.link && <LinkBox link={linkState.link} label="Set-password link" />}
      </div>
    </div>
  );
}
