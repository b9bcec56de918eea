'use client';

import { signIn } from 'next-auth/react';
import { useState } from 'react';

/**
 * Company sign-in: next-auth's signIn() asks the server for the provider's
 * address (with its CSRF token) and goes there; the provider sends the browser
 * back to /api/auth/callback/<providerId>, then to `callbackUrl`.
 */
export function CompanySignInButton({
  providerId,
  providerName,
  callbackUrl,
}: {
  providerId: string;
  providerName: string;
  callbackUrl: string;
}) {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signIn(providerId, { callbackUrl });
      }}
      className="w-full rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
    >
      {pending ? `Going to ${providerName}…` : `Sign in with ${providerName}`}
    </button>
  );
}
