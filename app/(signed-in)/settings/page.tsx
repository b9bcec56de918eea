import type { Metadata } from 'next';
import { DelegationForm } from '@/components/settings/delegation-form';
import { EmailNotificationsForm } from '@/components/settings/email-notifications-form';
import { LocalTime } from '@/components/ui/local-time';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { loadDelegation } from '@/lib/directory';
import { readEmailNotifications } from '@/lib/email/preferences';
import { clearDelegationAction, setDelegationAction, setEmailNotificationsAction } from './actions';

export const metadata: Metadata = { title: 'Settings' };
export const dynamic = 'force-dynamic';

export default async function SettingsPage() {
  const user = await getCurrentUser();
  // The signed-in layout has sent a signed-out visitor to sign in already.
  if (!user) return null;
  const { current, delegators, candidates } = await loadDelegation(getDb(), user);
  const emailNotifications = await readEmailNotifications(getDb(), user);

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>

      <section aria-labelledby="delegation-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="delegation-heading" className="text-lg font-semibold">
          Away: who decides for you
        </h2>
        <p className="text-sm text-slate-600">
          While you are away, the person you choose may decide the requests that come to you, in your place. You stay able to decide them
          yourself.
        </p>
        <p data-testid="current-delegation" className="rounded-md bg-slate-50 px-3 py-2 text-sm">
          {current ? (
            <>
              Your requests go to <span className="font-medium">{current.delegate}</span> until{' '}
              <LocalTime iso={current.awayUntil.toISOString()} />.
              {!current.delegateActive && ' They are deactivated, so nobody decides for you: choose someone else.'}
            </>
          ) : (
            'You are not away: your requests come to you.'
          )}
        </p>
        <DelegationForm
          setAction={setDelegationAction}
          clearAction={clearDelegationAction}
          candidates={candidates}
          current={current ? { delegate: current.delegate } : null}
        />
      </section>

      <section aria-labelledby="email-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="email-heading" className="text-lg font-semibold">
          Email
        </h2>
        <p className="text-sm text-slate-600">
          Countersign can email you when a request needs you, when one is escalated to you and when one is due soon. Each email has a link
          to approve or reject it, for you only, once.
        </p>
        <EmailNotificationsForm action={setEmailNotificationsAction} on={emailNotifications} />
      </section>

      <section aria-labelledby="delegators-heading" className="space-y-3">
        <h2 id="delegators-heading" className="text-lg font-semibold">
          People who delegated to you
        </h2>
        <ul data-testid="delegators" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {delegators.length === 0 && <li className="p-4 text-slate-600">Nobody is away with their requests going to you.</li>}
          {delegators.map((person) => (
            <li key={person.email} className="flex flex-wrap items-baseline gap-x-3 px-4 py-2">
              <span className="font-medium">{person.email}</span>
              {person.name && <span className="text-slate-600">{person.name}</span>}
              <span className="ml-auto text-slate-600">
                away until <LocalTime iso={person.awayUntil.toISOString()} />
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
