import type { Metadata } from 'next';
import { CreateGroupForm } from '@/components/admin/create-group-form';
import { GroupEditor } from '@/components/admin/group-editor';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listActiveUsers, listGroups } from '@/lib/directory';
import { addMemberAction, createGroupAction, deleteGroupAction, removeMemberAction } from './actions';
import { AdminsOnly } from '@/components/admin/admins-only';

export const metadata: Metadata = { title: 'Groups' };
export const dynamic = 'force-dynamic';

export default async function GroupsPage() {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="Groups are managed by admins." />;
  }
  const db = getDb();
  const [groups, people] = await Promise.all([listGroups(db, user), listActiveUsers(db)]);
  const emails = people.map((p) => p.email);
  const actions = { addMemberAction, removeMemberAction, deleteGroupAction };

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Groups</h1>

      <section aria-labelledby="new-group-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="new-group-heading" className="mb-1 text-lg font-semibold">
          New group
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          Policies and requests name groups to say who may decide. A group is never renamed, and cannot be deleted while a policy or a
          pending request names it.
        </p>
        <CreateGroupForm action={createGroupAction} />
      </section>

      <section aria-labelledby="groups-heading" className="space-y-3">
        <h2 id="groups-heading" className="text-lg font-semibold">
          {groups.length === 1 ? '1 group' : `${groups.length} groups`}
        </h2>
        {groups.length === 0 && <p className="text-sm text-slate-600">No groups yet.</p>}
        <div className="grid gap-4 lg:grid-cols-2">
          {groups.map((group) => (
            <GroupEditor key={group.name} group={group} people={emails} actions={actions} />
          ))}
        </div>
      </section>
    </div>
  );
}
