import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { CompanySignInButton } from '@/components/shell/company-sign-in-button';
import { SignInForm } from '@/components/shell/sign-in-form';
import { OIDC_PROVIDER_ID } from '@/lib/auth/oidc';
import { getCurrentUser } from '@/lib/auth/session';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { signInErrorMessage } from '@/lib/auth/sign-in-errors';
import { authEnv } from '@/lib/env';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  // The company sign-in, the password form, or both (PASSWORD_SIGN_IN, OIDC_*).
  const { passwordSignIn, oidc } = authEnv();
  const refused = signInErrorMessage(params.error);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Countersign</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in to review approval requests.</p>
        {refused && (
          <p
            role="alert"
            data-testid="sign-in-refused"
            className="mt-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800"
          >
            {refused}
          </p>
        )}
        {oidc && (
          <div className="mt-6">
            <CompanySignInButton providerId={OIDC_PROVIDER_ID} providerName={oidc.name} callbackUrl={callbackUrl} />
          </div>
        )}
        {oidc && passwordSignIn && (
          <p className="mt-6 flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500" aria-hidden="true">
            <span className="h-px flex-1 bg-slate-200" /> or with a password <span className="h-px flex-1 bg-slate-200" />
          </p>
        )}
        {passwordSignIn && <SignInForm callbackUrl={callbackUrl} />}
      </div>
    </main>
  );
}
