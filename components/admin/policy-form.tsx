'use client';

import { useActionState, type ReactNode } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import type { PolicyFormValues } from '@/lib/approvals/policy/policies';
import { IDLE, type ActionState } from '@/lib/web/action-state';

/** The policy form's answer: a refused form carries what was sent, so the fields keep it. */
export type PolicyFormState = ActionState & { values?: PolicyFormValues };

type Action = (state: PolicyFormState, formData: FormData) => Promise<PolicyFormState>;

const BLANK: PolicyFormValues = {
  name: '',
  description: '',
  approverGroups: [],
  approverUsers: '',
  quorum: '1',
  quorumRules: [],
  fourEyes: true,
  escalateGroups: [],
  escalateUsers: '',
};

/** Empty rule rows beyond the filled ones (a form with no script adds none), up to the 10 a policy may hold. */
const RULE_ROWS_MIN = 3;
const RULE_ROWS_MAX = 10;

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-600';
const label = 'block text-sm font-medium text-slate-700';
const hint = 'font-normal text-slate-500';

function GroupChoices({
  id,
  field,
  groups,
  chosen,
  invalid,
}: {
  id: string;
  field: 'approverGroups' | 'escalateGroups';
  groups: string[];
  chosen: string[];
  invalid: boolean;
}) {
  // A group the policy names but that is gone stays listed, so saving does not drop it silently.
  const all = [...new Set([...groups, ...chosen])].sort();
  if (all.length === 0) {
    return (
      <p className="mt-1 text-sm text-slate-600">
        No groups yet: create them on the <a href="/admin/groups">Groups</a> page.
      </p>
    );
  }
  return (
    <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
      {all.map((group) => (
        <li key={group}>
          <label className="inline-flex min-h-10 items-center gap-2 text-sm">
            <input
              type="checkbox"
              name={field}
              value={group}
              defaultChecked={chosen.includes(group)}
              aria-invalid={invalid || undefined}
              aria-describedby={`${id}-${field}-error`}
              className="h-4 w-4"
            />
            <span className="font-mono">{group}</span>
            {!groups.includes(group) && <span className="text-xs text-red-700">(no longer exists)</span>}
          </label>
        </li>
      ))}
    </ul>
  );
}

/**
 * A named policy: who may approve (groups and people; none: any reviewer),
 * how many approvals, amount rules that raise it, four eyes, and who may
 * decide too from the second window. `policy` absent: a new one.
 */
export function PolicyForm({
  action,
  groups,
  policy,
}: {
  action: Action;
  /** Every group's name, to choose among. */
  groups: string[];
  /** The policy being edited; its name cannot change. */
  policy?: PolicyFormValues;
}) {
  const [state, submit, pending] = useActionState<PolicyFormState, FormData>(action, IDLE);
  const editing = policy !== undefined;
  const id = editing ? 'edit-policy' : 'new-policy';
  const values = (state.status === 'error' && state.values) || policy || BLANK;
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const invalid = (field: keyof PolicyFormValues) => (errors?.[field] ? true : undefined);
  const describedBy = (field: keyof PolicyFormValues) => `${id}-${field}-error`;
  const error = (field: keyof PolicyFormValues) => (
    <p id={describedBy(field)} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
      {errors?.[field]}
    </p>
  );
  const ruleRows = Math.min(RULE_ROWS_MAX, Math.max(RULE_ROWS_MIN, values.quorumRules.length + 1));
  const fieldset = (legend: ReactNode, children: ReactNode) => (
    <fieldset className="rounded-md border border-slate-200 p-3 sm:col-span-2">
      <legend className="px-1 text-sm font-semibold text-slate-800">{legend}</legend>
      {children}
    </fieldset>
  );

  return (
    <form action={submit} className="grid gap-4 sm:grid-cols-2" noValidate aria-describedby={`${id}-message`}>
      <div>
        <label htmlFor={`${id}-name`} className={label}>
          Name{' '}
          {editing ? (
            <span className={hint}>(fixed: requests refer to it)</span>
          ) : (
            <span className={hint}>(e.g. large-payments; cannot be changed later)</span>
          )}
        </label>
        <input
          id={`${id}-name`}
          name="name"
          required
          maxLength={63}
          autoComplete="off"
          readOnly={editing}
          defaultValue={values.name}
          aria-invalid={invalid('name')}
          aria-describedby={describedBy('name')}
          className={`${input} font-mono read-only:bg-slate-50`}
        />
        {error('name')}
      </div>
      <div>
        <label htmlFor={`${id}-description`} className={label}>
          Description <span className={hint}>(optional)</span>
        </label>
        <input
          id={`${id}-description`}
          name="description"
          maxLength={500}
          defaultValue={values.description}
          aria-invalid={invalid('description')}
          aria-describedby={describedBy('description')}
          className={input}
        />
        {error('description')}
      </div>

      {fieldset(
        'Who may approve',
        <>
          <p className="text-sm text-slate-600">People in any of these groups, or named below. None: any reviewer.</p>
          <fieldset aria-describedby={describedBy('approverGroups')} className="mt-2">
            <legend className={label}>Approver groups</legend>
            <GroupChoices
              id={id}
              field="approverGroups"
              groups={groups}
              chosen={values.approverGroups}
              invalid={!!errors?.approverGroups}
            />
          </fieldset>
          {error('approverGroups')}
          <label htmlFor={`${id}-approverUsers`} className={label}>
            Approvers by email <span className={hint}>(comma or one per line)</span>
          </label>
          <textarea
            id={`${id}-approverUsers`}
            name="approverUsers"
            rows={2}
            defaultValue={values.approverUsers}
            aria-invalid={invalid('approverUsers')}
            aria-describedby={describedBy('approverUsers')}
            className={input}
          />
          {error('approverUsers')}
        </>,
      )}

      {fieldset(
        'How many must approve',
        <>
          <div className="max-w-48">
            <label htmlFor={`${id}-quorum`} className={label}>
              Approvals needed
            </label>
            <input
              id={`${id}-quorum`}
              name="quorum"
              type="number"
              min={1}
              max={20}
              step={1}
              required
              defaultValue={values.quorum}
              aria-invalid={invalid('quorum')}
              aria-describedby={describedBy('quorum')}
              className={input}
            />
            {error('quorum')}
          </div>
          <fieldset aria-describedby={`${id}-rules-hint ${describedBy('quorumRules')}`}>
            <legend className={label}>Amount rules</legend>
            <p id={`${id}-rules-hint`} className="text-sm text-slate-600">
              A request for more than the amount needs that many distinct approvals; the highest that applies wins. Leave a row empty to
              skip it.
            </p>
            <ol className="mt-2 space-y-2">
              {Array.from({ length: ruleRows }, (_, i) => {
                const rule = values.quorumRules[i];
                return (
                  <li key={i} className="flex flex-wrap items-center gap-2 text-sm">
                    <label htmlFor={`${id}-rule-${i}-amount`}>
                      <span className="sr-only">Rule {i + 1}: </span>Amount over
                    </label>
                    <input
                      id={`${id}-rule-${i}-amount`}
                      name={`quorumRules.${i}.amountOver`}
                      inputMode="decimal"
                      defaultValue={rule?.amountOver ?? ''}
                      aria-invalid={invalid('quorumRules')}
                      aria-describedby={describedBy('quorumRules')}
                      className="w-36 rounded-md border border-slate-300 px-2 py-1.5 aria-[invalid=true]:border-red-600"
                    />
                    <span aria-hidden="true">→</span>
                    <label htmlFor={`${id}-rule-${i}-quorum`}>
                      <span className="sr-only">Rule {i + 1}: </span>needs
                    </label>
                    <input
                      id={`${id}-rule-${i}-quorum`}
                      name={`quorumRules.${i}.quorum`}
                      type="number"
                      min={1}
                      max={20}
                      step={1}
                      defaultValue={rule?.quorum ?? ''}
                      aria-invalid={invalid('quorumRules')}
                      aria-describedby={describedBy('quorumRules')}
                      className="w-20 rounded-md border border-slate-300 px-2 py-1.5 aria-[invalid=true]:border-red-600"
                    />
                    <span>approvals</span>
                  </li>
                );
              })}
            </ol>
          </fieldset>
          {error('quorumRules')}
          <label className="inline-flex min-h-10 items-center gap-2 text-sm font-medium text-slate-700">
            <input type="checkbox" name="fourEyes" defaultChecked={values.fourEyes} className="h-4 w-4" />
            Four eyes: the requester may not approve their own request
          </label>
        </>,
      )}

      {fieldset(
        'Escalation',
        <>
          <p className="text-sm text-slate-600">From the second window on, these may decide too. None: no escalation.</p>
          <fieldset aria-describedby={describedBy('escalateGroups')} className="mt-2">
            <legend className={label}>Escalation groups</legend>
            <GroupChoices
              id={id}
              field="escalateGroups"
              groups={groups}
              chosen={values.escalateGroups}
              invalid={!!errors?.escalateGroups}
            />
          </fieldset>
          {error('escalateGroups')}
          <label htmlFor={`${id}-escalateUsers`} className={label}>
            Escalate to, by email <span className={hint}>(comma or one per line)</span>
          </label>
          <textarea
            id={`${id}-escalateUsers`}
            name="escalateUsers"
            rows={2}
            defaultValue={values.escalateUsers}
            aria-invalid={invalid('escalateUsers')}
            aria-describedby={describedBy('escalateUsers')}
            className={input}
          />
          {error('escalateUsers')}
        </>,
      )}

      <div className="flex flex-wrap items-center gap-4 sm:col-span-2">
        <SubmitButton
          pending={pending}
          label={editing ? 'Save policy' : 'Create policy'}
          pendingLabel={editing ? 'Saving…' : 'Creating…'}
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        />
        <p
          id={`${id}-message`}
          role="status"
          aria-live="polite"
          className={`text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-800'}`}
        >
          {state.status === 'idle' ? '' : state.message}
        </p>
      </div>
    </form>
  );
}
