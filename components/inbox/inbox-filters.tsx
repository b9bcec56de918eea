'use client';

// The inbox's filters: a GET form, so every filter and the sort live in the
// URL (a view can be shared or bookmarked, and works without JavaScript).
// With JavaScript, empty fields and defaults are left out of the URL.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent, ReactNode } from 'react';
import type { InboxChoices } from '@/lib/approvals/reads/inbox/choices';
import type { InboxParamIssue, InboxQuery, InboxScope } from '@/lib/approvals/reads/inbox/query';

const input = 'mt-1 h-10 w-full rounded-md border border-slate-300 bg-white px-2 text-sm';

const STATUS_OPTIONS: [InboxQuery['status'], string][] = [
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['expired', 'Expired'],
  ['cancelled', 'Cancelled'],
  ['terminated', 'Terminated'],
  ['all', 'All'],
];

/** One filter: its label above its control (whose id is `id`). */
function Field({ id, label, className, children }: { id: string; label: string; className?: string; children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-xs font-medium uppercase tracking-wide text-slate-500">
        {label}
      </label>
      {children}
    </div>
  );
}

/** A select of names, "any" first; the applied one is offered even when the list no longer has it. */
function NameSelect({
  id,
  name,
  value,
  any,
  names,
}: {
  id: string;
  name: string;
  value: string | undefined;
  any: string;
  names: string[];
}) {
  const options = value === undefined || names.includes(value) ? names : [value, ...names];
  return (
    <select id={id} name={name} defaultValue={value ?? ''} className={input}>
      <option value="">{any}</option>
      {options.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

const SCOPES: { scope: InboxScope; label: string; hint: string }[] = [
  { scope: 'me', label: 'For me', hint: 'Requests you may decide now, yourself or for a colleague who is away.' },
  { scope: 'all', label: 'All requests', hint: 'Every request, including those others must decide.' },
];

/** Values that are the default anyway: left out of the URL. */
const DEFAULTS: Record<string, string> = { scope: 'me', status: 'pending', sort: 'deadline', dir: '' };

export function InboxFilters({
  query,
  dirParam,
  issues,
  choices,
  scopeHrefs,
}: {
  query: InboxQuery;
  dirParam: string;
  issues: InboxParamIssue[];
  /** The groups and request types to offer. */
  choices: InboxChoices;
  /** The same view for me, and for all: the toggle's links. */
  scopeHrefs: Record<InboxScope, string>;
}) {
  const router = useRouter();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) {
      if (typeof value !== 'string') continue;
      const trimmed = value.trim();
      if (trimmed !== '' && DEFAULTS[name] !== trimmed) params.set(name, trimmed);
    }
    const search = params.toString();
    router.push(search ? `/inbox?${search}` : '/inbox');
  }

  return (
    <section aria-label="Find requests" className="mb-4 rounded-lg border border-slate-200 bg-white p-4">
      {issues.length > 0 && (
        <div
          role="alert"
          data-testid="inbox-param-errors"
          className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
        >
          <p className="font-medium">Some of the filters in this link could not be used:</p>
          <ul className="mt-1 list-disc pl-5">
            {issues.map((issue, i) => (
              <li key={`${issue.param}-${i}`}>
                {issue.param && <code className="mr-1 rounded bg-amber-100 px-1">{issue.param}</code>}
                {issue.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-2">
        <div role="group" aria-label="Whose requests" className="inline-flex rounded-md border border-slate-300 text-sm font-medium">
          {SCOPES.map(({ scope, label }, i) => {
            const current = query.scope === scope;
            return (
              <Link
                key={scope}
                href={scopeHrefs[scope]}
                aria-current={current ? 'true' : undefined}
                data-testid={`scope-${scope}`}
                className={`inline-flex min-h-10 items-center px-3 ${i > 0 ? 'border-l border-slate-300' : ''} ${
                  current ? 'bg-brand-600 text-white' : 'bg-white text-slate-700 hover:bg-slate-50'
                } ${i === 0 ? 'rounded-l-md' : ''} ${i === SCOPES.length - 1 ? 'rounded-r-md' : ''}`}
              >
                {label}
              </Link>
            );
          })}
        </div>
        <p className="text-sm text-slate-600">{SCOPES.find((s) => s.scope === query.scope)?.hint}</p>
      </div>
      <form
        method="get"
        action="/inbox"
        onSubmit={submit}
        role="search"
        aria-label="Filter the inbox"
        className="grid grid-cols-2 gap-3 md:grid-cols-6"
      >
        <input type="hidden" name="scope" value={query.scope} />
        <Field id="inbox-q" label="Search" className="col-span-2 md:col-span-3">
          <input
            id="inbox-q"
            name="q"
            type="search"
            defaultValue={query.q ?? ''}
            placeholder="Title, customer or workflow id"
            className={input}
          />
        </Field>
        <Field id="inbox-status" label="Status">
          <select id="inbox-status" name="status" defaultValue={query.status} className={input}>
            {STATUS_OPTIONS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </Field>
        <Field id="inbox-customer" label="Customer" className="col-span-1 md:col-span-2">
          <input id="inbox-customer" name="customer" defaultValue={query.customer ?? ''} className={input} />
        </Field>
        <Field id="inbox-group" label="Group">
          <NameSelect id="inbox-group" name="group" value={query.group} any="Any group" names={choices.groups} />
        </Field>
        <Field id="inbox-type" label="Type">
          <NameSelect id="inbox-type" name="type" value={query.type} any="Any type" names={choices.types} />
        </Field>
        <Field id="inbox-min" label="Min amount">
          <input id="inbox-min" name="min" inputMode="decimal" defaultValue={query.min ?? ''} className={input} />
        </Field>
        <Field id="inbox-max" label="Max amount">
          <input id="inbox-max" name="max" inputMode="decimal" defaultValue={query.max ?? ''} className={input} />
        </Field>
        <Field id="inbox-sort" label="Sort by">
          <select id="inbox-sort" name="sort" defaultValue={query.sort} className={input}>
            <option value="deadline">Deadline</option>
            <option value="age">Age</option>
            <option value="amount">Amount</option>
          </select>
        </Field>
        <Field id="inbox-dir" label="Order">
          <select id="inbox-dir" name="dir" defaultValue={dirParam} className={input}>
            <option value="">Default</option>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </Field>
        <fieldset className="col-span-2 flex flex-wrap items-end gap-x-4 text-sm md:col-span-4">
          <legend className="sr-only">Only</legend>
          <label className="flex min-h-10 items-center gap-2">
            <input type="checkbox" name="waiting" value="1" defaultChecked={query.waiting} className="h-5 w-5" /> Waiting on me
          </label>
          <label className="flex min-h-10 items-center gap-2">
            <input type="checkbox" name="mine" value="1" defaultChecked={query.mine} className="h-5 w-5" /> Claimed by me
          </label>
          <label className="flex min-h-10 items-center gap-2">
            <input type="checkbox" name="overdue" value="1" defaultChecked={query.overdue} className="h-5 w-5" /> Overdue
          </label>
        </fieldset>
        <div className="col-span-2 flex items-end gap-3">
          <button type="submit" className="min-h-10 rounded-md bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700">
            Apply
          </button>
          <Link href="/inbox" className="inline-flex min-h-10 items-center px-1 text-sm text-brand-700 hover:underline">
            Clear
          </Link>
        </div>
      </form>
    </section>
  );
}
