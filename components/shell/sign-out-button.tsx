'use client';

import { signOut } from 'next-auth/react';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => void signOut({ callbackUrl: '/signin' })}
      className="min-h-10 rounded-md border border-slate-300 px-3 hover:bg-slate-50"
    >
      Sign out
    </button>
  );
}
