import type { DirectoryEvent } from '@/lib/directory/audit';
import { formatTimestamp } from '@/lib/format';
import { LocalTime } from '../ui/local-time';

const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
const list = (value: unknown): string => (Array.isArray(value) && value.length ? value.map(text).join(', ') : 'none');
const role = (value: unknown) => text(value).toLowerCase();
const time = (value: unknown) => {
  const date = new Date(text(value));
  return Number.isNaN(date.getTime()) ? text(value) : formatTimestamp(date);
};

/** One directory change in words. */
export function describeChange({ action, details: d }: Pick<DirectoryEvent, 'action' | 'details'>): string {
  switch (action) {
    case 'USER_CREATED':
      return `created ${text(d.email)} as ${role(d.role)} (groups: ${list(d.groups)})`;
    case 'USER_INVITED':
      return `invited ${text(d.email)} as ${role(d.role)} (groups: ${list(d.groups)})`;
    case 'LINK_ISSUED':
      return `sent ${text(d.email)} a new ${d.kind === 'reset' ? 'password reset' : 'invite'} link`;
    case 'PASSWORD_SET':
      return 'set their password through their link';
    case 'ROLE_CHANGED':
      return `changed ${text(d.email)} from ${role(d.from)} to ${role(d.to)}`;
    case 'USER_DEACTIVATED': {
      const released = Number(d.releasedClaims ?? 0);
      return `deactivated ${text(d.email)}${released ? `, releasing ${released} ${released === 1 ? 'claim' : 'claims'}` : ''}`;
    }
    case 'USER_REACTIVATED':
      return `reactivated ${text(d.email)}`;
    case 'GROUP_CREATED':
      return `created the group ${text(d.group)}`;
    case 'GROUP_DELETED':
      return `deleted the group ${text(d.group)}`;
    case 'MEMBER_ADDED':
      return `added ${text(d.email)} to ${text(d.group)}`;
    case 'MEMBER_REMOVED':
      return `removed ${text(d.email)} from ${text(d.group)}`;
    case 'DELEGATION_SET':
      return `is away: ${text(d.delegate)} decides for them until ${time(d.awayUntil)}`;
    case 'DELEGATION_CLEARED':
      return `ended their delegation to ${text(d.delegate)}`;
    case 'EMAIL_NOTIFICATIONS_CHANGED':
      return d.emailNotifications === true ? 'turned their email about requests on' : 'turned their email about requests off';
  }
}

/** The newest changes to people, groups and delegation. */
export function RecentChanges({ events }: { events: DirectoryEvent[] }) {
  return (
    <ol data-testid="recent-changes" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
      {events.length === 0 && <li className="p-4 text-slate-600">No changes yet.</li>}
      {events.map((event) => (
        <li key={event.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-2">
          <LocalTime iso={event.at.toISOString()} className="tabular-nums text-slate-500" />
          <span>
            <span className="font-medium">{event.actor}</span> {describeChange(event)}
          </span>
        </li>
      ))}
    </ol>
  );
}
