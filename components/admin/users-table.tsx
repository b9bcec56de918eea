import type { UserView } from '@/lib/directory/users';
import { LocalTime } from '../ui/local-time';
import { ColumnHeaders } from '../ui/table';
import { UserRowControls, type UserRowActions } from './user-row-controls';

const COLUMNS = [{ label: 'Person' }, { label: 'Role' }, { label: 'Status' }, { label: 'Groups' }, { label: 'Away' }, { label: 'Change' }];

function Status({ user }: { user: UserView }) {
  if (!user.active) {
    return (
      <span className="text-red-800">
        Deactivated
        {user.deactivatedAt && (
          <>
            {' '}
            <LocalTime iso={user.deactivatedAt.toISOString()} className="text-xs text-slate-500" />
          </>
        )}
      </span>
    );
  }
  if (user.hasPassword) return <span className="text-green-800">Active</span>;
  return (
    <span className="text-amber-900">
      Invited, no password yet
      <span className="block text-xs text-slate-500">
        {user.linkExpiresAt ? (
          <>
            link expires <LocalTime iso={user.linkExpiresAt.toISOString()} />
          </>
        ) : (
          'link expired: send a new one'
        )}
      </span>
    </span>
  );
}

/** Everyone, with what an admin may change about each; nobody changes themselves. */
export function UsersTable({ users, currentUserId, actions }: { users: UserView[]; currentUserId: string; actions: UserRowActions }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">People</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <ColumnHeaders columns={COLUMNS} className="px-3 py-2" />
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((user) => {
            const emailId = `user-${user.id}`;
            return (
              <tr key={user.id} data-testid="user-row" data-email={user.email} className="align-top">
                <td className="px-3 py-3">
                  <span id={emailId} className="font-medium">
                    {user.email}
                  </span>
                  {user.name && <span className="block text-slate-600">{user.name}</span>}
                </td>
                <td data-testid="user-role" className="px-3 py-3">
                  {user.role === 'ADMIN' ? 'Admin' : 'Reviewer'}
                </td>
                <td data-testid="user-status" className="px-3 py-3">
                  <Status user={user} />
                </td>
                <td data-testid="user-groups" className="px-3 py-3">
                  {user.groups.length ? user.groups.join(', ') : <span className="text-slate-500">—</span>}
                </td>
                <td className="px-3 py-3">
                  {user.away ? (
                    <>
                      until <LocalTime iso={user.away.until.toISOString()} />
                      <span className="block text-xs text-slate-600">{user.away.delegate} decides</span>
                    </>
                  ) : (
                    <span className="text-slate-500">—</span>
                  )}
                </td>
                <td className="min-w-72 px-3 py-3">
                  {user.id === currentUserId ? (
                    <span className="text-slate-600">You (another admin changes your account)</span>
                  ) : (
                    <UserRowControls userId={user.id} emailId={emailId} role={user.role} active={user.active} actions={actions} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
