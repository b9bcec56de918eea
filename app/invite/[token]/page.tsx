import type { Metadata } from 'next';
import Link from 'next/link';
import { SetPasswordForm } from '@/components/shell/set-password-form';
import { PASSWORD_MIN } from '@/lib/auth/passwords';
import { getDb } from '@/lib/db';
import { inspectPasswordLink, LINK_REFUSALS } from '@/lib/directory';
import { setPasswordAction } from './actions';

// The link is a secret: no search engine, and no address of it sent on to another site.
export const metadata: Metadata = { title: 'Set your password', robots: { index: false, follow: false }, referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

/** A one-time set-password link (an invite or a reset): open to anyone who holds it, signed in or not. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await inspectPasswordLink(getDb(), token);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Countersign</h1>
        {link.status === 'valid' ? (
          <>
            <p className="mt-1 text-sm text-slate-600">
              {link.invited ? 'Welcome' : 'A new password'} for <span className="font-medium text-slate-900">{link.email}</span>
              {link.name ? ` (${link.name})` : ''}. Choose a password to sign in with.
            </p>
            <SetPasswordForm action={setPasswordAction} token={token} email={link.email} min={PASSWORD_MIN} />
          </>
        ) : (
          <>
            <p role="alert" data-testid="link-refused" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              {LINK_REFUSALS[link.status]}
            </p>
            <Link href="/signin" className="mt-4 inline-flex min-h-10 items-center text-sm font-medium text-brand-700 hover:underline">
              Go to sign in
            </Link>
          </>
        )}
      </div>
    </main>
  );
}
