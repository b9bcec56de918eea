// A request's timeline: requested, claimed (each claim is a heartbeat to
// Temporal), re-issued, decided or closed, with who, when and through which path.
import { PATH_WORDS } from '@/lib/approvals/closed-sentences';
import type { DecisionPath } from '@/lib/contract/statuses';
import { formatTimestamp } from '@/lib/format';

export interface TimelineEvent {
  id: string;
  actor: string;
  action: string;
  path: DecisionPath;
  at: Date;
  details: unknown;
}

const ACTION_LABEL: Record<string, string> = {
  REQUESTED: 'Requested',
  REISSUED: 'Re-issued (escalated)',
  CLAIMED: 'Claimed',
  RELEASED: 'Released',
  REASSIGNED: 'Reassigned',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
  TERMINATED: 'Terminated',
};

const MARKER: Record<string, string> = {
  REQUESTED: 'bg-brand-500',
  REISSUED: 'bg-orange-500',
  CLAIMED: 'bg-slate-500',
  RELEASED: 'bg-slate-300',
  REASSIGNED: 'bg-slate-500',
  APPROVED: 'bg-green-600',
  REJECTED: 'bg-red-600',
  EXPIRED: 'bg-orange-600',
};

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

function who(event: TimelineEvent): string {
  const action = ACTION_LABEL[event.action] ?? event.action.toLowerCase();
  if (event.path === 'WORKER') return `${action} by the workflow`;
  if (event.path === 'RECONCILER' && event.actor === 'reconciler') return `${action} ${PATH_WORDS.RECONCILER}`;
  return [action, `by ${event.actor}`, PATH_WORDS[event.path]].filter(Boolean).join(' ');
}

/** The line under an event: the window and deadline of a (re-)issue, the heartbeat a claim sent, a correction. */
function detail(event: TimelineEvent): string | null {
  const details = record(event.details);
  if ((event.action === 'REQUESTED' || event.action === 'REISSUED') && typeof details.attempt === 'number') {
    const deadline = typeof details.deadline === 'string' ? `, due ${formatTimestamp(new Date(details.deadline))}` : '';
    return `Window ${details.attempt}${deadline}`;
  }
  const heartbeat = record(details.heartbeat);
  if ('claimedBy' in heartbeat) {
    return heartbeat.claimedBy
      ? `Heartbeat sent to Temporal: held by ${String(heartbeat.claimedBy)}`
      : 'Heartbeat sent to Temporal: no holder';
  }
  if (details.noticedBy === 'heartbeat') return 'Temporal answered a heartbeat: the workflow withdrew the approval';
  if (typeof details.corrected === 'string') return `Corrected by the workflow (was ${details.corrected.toLowerCase()})`;
  return null;
}

export function Timeline({ events }: { events: TimelineEvent[] }) {
  return (
    <section aria-labelledby="timeline-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="timeline-heading" className="mb-4 text-lg font-semibold">
        Timeline
      </h2>
      <ol data-testid="timeline" className="relative space-y-4 border-l border-slate-200 pl-5 text-sm">
        {events.map((event) => {
          const line = detail(event);
          return (
            <li key={event.id} data-testid="timeline-event" className="relative">
              <span
                aria-hidden="true"
                className={`absolute -left-[1.65rem] top-1 h-3 w-3 rounded-full ring-4 ring-white ${MARKER[event.action] ?? 'bg-slate-400'}`}
              />
              <p className="font-medium">{who(event)}</p>
              <p className="text-slate-500">
                <time dateTime={event.at.toISOString()} className="tabular-nums">
                  {formatTimestamp(event.at)}
                </time>
                {line && <span> · {line}</span>}
              </p>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
