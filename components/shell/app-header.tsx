import Link from 'next/link';
import { isAdmin } from '@/lib/auth/access';
import type { SessionUser } from '@/lib/auth/users';
import { SignOutButton } from './sign-out-button';

const NAV_LINK = 'inline-flex min-h-10 items-center px-1 text-slate-700 hover:text-brand-600';

/** Everyone's pages, then the admins'. */
const EVERYONE = [{ href: '/inbox', label: 'Inbox' }];
const ADMINS = [
  { href: '/admin', label: 'Admin' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/groups', label: 'Groups' },
  { href: '/admin/policies', label: 'Policies' },
  { href: '/admin/api-keys', label: 'API keys' },
  { href: '/admin/webhooks', label: 'Webhooks' },
];
const SETTINGS = { href: '/settings', label: 'Settings' };

export function AppHeader({ user }: { user: SessionUser }) {
  const links = [...EVERYONE, ...(isAdmin(user) ? ADMINS : []), SETTINGS];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/inbox" className="inline-flex min-h-10 items-center text-lg font-semibold tracking-tight text-brand-900">
          Countersign
        </Link>
        <nav aria-label="Main" className="flex flex-wrap gap-x-4 text-sm">
          {links.map((link) => (
            <Link key={link.href} href={link.href} className={NAV_LINK}>
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
          <span>
            {user.email}{' '}
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs uppercase text-slate-600">{user.role.toLowerCase()}</span>
          </span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
