'use client';

import { useActionState, useState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { SubmitButton } from '@/components/ui/submit-button';
import type { GroupView } from '@/lib/directory/groups';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

export interface GroupActions {
  addMemberAction: Action;
  removeMemberAction: Action;
  deleteGroupAction: Action;
}

type Form = 'add' | 'remove' | 'delete';

const small = 'min-h-10 rounded-md border px-2.5 py-1 text-xs font-medium disabled:opacity-60';

/** One group: its members, adding and removing them, and deleting the group while nothing names it. */
export function GroupEditor({
  group,
  people,
  actions,
}: {
  group: GroupView;
  /** Active people's emails, whom the group may gain. */
  people: string[];
  actions: GroupActions;
}) {
  const [addState, add, adding] = useActionState(actions.addMemberAction, IDLE);
  const [removeState, remove, removing] = useActionState(actions.removeMemberAction, IDLE);
  const [deleteState, del, deleting] = useActionState(actions.deleteGroupAction, IDLE);
  const [last, setLast] = useState<Form | null>(null);
  const busy = adding || removing || deleting;
  const states: Record<Form, ActionState> = { add: addState, remove: removeState, delete: deleteState };
  const latest = last ? states[last] : IDLE;
  const shown: ActionState =
    latest.status === 'error'
      ? { status: 'error', message: Object.values(latest.fieldErrors ?? {}).find(Boolean) ?? latest.message }
      : latest;
  const headingId = `group-${group.name}`;
  const selectId = `add-to-${group.name}`;
  const members = new Set(group.members.map((m) => m.email));
  const addable = people.filter((email) => !members.has(email));

  return (
    <section
      aria-labelledby={headingId}
      data-testid="group"
      data-group={group.name}
      className="rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <h3 id={headingId} className="font-mono text-base font-semibold">
            {group.name}
          </h3>
          {group.description && <p className="text-sm text-slate-600">{group.description}</p>}
        </div>
        <form action={del}>
          <input type="hidden" name="group" value={group.name} />
          <SubmitButton
            pending={deleting}
            label="Delete group"
            pendingLabel="Deleting…"
            disabled={busy}
            aria-describedby={headingId}
            onClick={() => setLast('delete')}
            className={`${small} border-red-300 text-red-800 hover:bg-red-50`}
          />
        </form>
      </div>

      <ul aria-label={`Members of ${group.name}`} className="mt-3 divide-y divide-slate-100 text-sm">
        {group.members.length === 0 && <li className="py-2 text-slate-600">Nobody yet.</li>}
        {group.members.map((member) => {
          const memberId = `member-${group.name}-${member.email}`;
          return (
            <li key={member.email} data-testid="member" className="flex flex-wrap items-center justify-between gap-2 py-1.5">
              <span id={memberId}>
                {member.email}
                {member.name && <span className="text-slate-600"> · {member.name}</span>}
                {!member.active && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">deactivated</span>}
              </span>
              <form action={remove}>
                <input type="hidden" name="group" value={group.name} />
                <input type="hidden" name="email" value={member.email} />
                <SubmitButton
                  pending={removing}
                  label="Remove"
                  pendingLabel="Removing…"
                  disabled={busy}
                  aria-describedby={memberId}
                  onClick={() => setLast('remove')}
                  className={`${small} border-slate-300 text-slate-700 hover:bg-slate-50`}
                />
              </form>
            </li>
          );
        })}
      </ul>

      <form key={group.members.length} action={add} className="mt-3 flex flex-wrap items-center gap-2">
        <input type="hidden" name="group" value={group.name} />
        <label htmlFor={selectId} className="text-sm text-slate-700">
          Add to {group.name}
        </label>
        <select
          id={selectId}
          name="email"
          defaultValue=""
          className="min-h-10 max-w-72 rounded-md border border-slate-300 px-1.5 py-1 text-sm"
        >
          <option value="">Choose a person…</option>
          {addable.map((email) => (
            <option key={email} value={email}>
              {email}
            </option>
          ))}
        </select>
        <SubmitButton
          pending={adding}
          label="Add"
          pendingLabel="Adding…"
          disabled={busy}
          onClick={() => setLast('add')}
          className={`${small} border-brand-700 text-brand-700 hover:bg-brand-50`}
        />
      </form>
      <div aria-live="polite" className="mt-2 empty:hidden">
        <ActionOutcome state={shown} />
      </div>
    </section>
  );
}
