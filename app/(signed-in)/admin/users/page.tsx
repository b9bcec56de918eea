import type { Metadata } from 'next';
import { InviteForm } from '@/components/admin/invite-form';
import { RecentChanges } from '@/components/admin/recent-changes';
import { UsersTable } from '@/components/admin/users-table';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listDirectoryEvents, listGroupNames, listUsers } from '@/lib/directory';
import { changeRoleAction, deactivateUserAction, inviteUserAction, issueLinkAction, reactivateUserAction } from './actions';
import { AdminsOnly } from '@/components/admin/admins-only';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="People are managed by admins." />;
  }
  const db = getDb();
  const [users, groups, events] = await Promise.all([listUsers(db, user), listGroupNames(db), listDirectoryEvents(db, user, 50)]);
  const active = users.filter((u) => u.active).length;

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Users</h1>

      <section aria-labelledby="invite-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="invite-heading" className="mb-1 text-lg font-semibold">
          Invite someone
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          You get a link to send them; they choose their own password with it. It works once, for 7 days.
        </p>
        <InviteForm action={inviteUserAction} groups={groups} />
      </section>

      <section aria-labelledby="people-heading" className="space-y-3">
        <h2 id="people-heading" className="text-lg font-semibold">
          People
        </h2>
        <p className="text-sm text-slate-600">
          {users.length} in all, {active} active. Deactivating someone signs them out at once and releases the requests they hold.
        </p>
        <UsersTable
          users={users}
          currentUserId={user.id}
          actions={{
            changeRoleAction,
            deactivateAction: deactivateUserAction,
            reactivateAction: reactivateUserAction,
            issueLinkAction,
          }}
        />
      </section>

      <section aria-labelledby="changes-heading" className="space-y-3">
        <h2 id="changes-heading" className="text-lg font-semibold">
          Recent changes
        </h2>
        <RecentChanges events={events} />
      </section>
    </div>
  );
}
