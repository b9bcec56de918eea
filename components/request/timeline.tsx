// A request's timeline: requested, claimed (each claim is a heartbeat to
// Temporal), re-issued, decided or closed, with who, when and through which path.
import { PATH_WORDS } from '@/lib/approvals/closed-sentences';
import { actingFor } from '@/lib/approvals/policy/progress-words';
import type { DecisionPath } from '@/lib/contract/statuses';
import type { ReactNode } from 'react';
import { LocalTime } from '@/components/ui/local-time';

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
  APPROVAL_RECORDED: 'Approval recorded',
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
  APPROVAL_RECORDED: 'bg-green-400',
  REJECTED: 'bg-red-600',
  EXPIRED: 'bg-orange-600',
};

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** "(1 of 2)" after an approval towards a quorum. */
function tally(details: Record<string, unknown>): string | null {
  const { approvals, quorum } = details;
  return typeof approvals === 'number' && typeof quorum === 'number' ? `(${approvals} of ${quorum})` : null;
}

function who(event: TimelineEvent): string {
  const details = record(event.details);
  // "bob for alice" when a delegate decided in an away colleague's place.
  const actor = actingFor(event.actor, text(details.onBehalfOf));
  if (event.action === 'APPROVAL_RECORDED') return [actor, 'approved', tally(details), PATH_WORDS[event.path]].filter(Boolean).join(' ');
  const action = ACTION_LABEL[event.action] ?? event.action.toLowerCase();
  if (event.path === 'WORKER') return `${action} by the workflow`;
  if (event.path === 'RECONCILER' && event.actor === 'reconciler') return `${action} ${PATH_WORDS.RECONCILER}`;
  return [action, `by ${actor}`, event.action === 'APPROVED' ? tally(details) : null, PATH_WORDS[event.path]].filter(Boolean).join(' ');
}

/** Characters of one value the timeline shows; the request page shows the approved values whole. */
const VALUE_SHOWN = 80;

/** The values an approval carried, in one line: "Values: subject: Hello, to: a@x". */
function valuesLine(values: unknown): string | null {
  const entries = Object.entries(record(values));
  if (entries.length === 0) return null;
  const shown = (value: unknown) => {
    const full = typeof value === 'string' ? value : JSON.stringify(value);
    return full.length > VALUE_SHOWN ? `${full.slice(0, VALUE_SHOWN)}…` : full;
  };
  return `Values: ${entries.map(([name, value]) => `${name}: ${shown(value)}`).join(', ')}`;
}

/** The line under an event: the window and deadline of a (re-)issue, the heartbeat a claim sent, a correction. */
function detail(event: TimelineEvent): ReactNode {
  const details = record(event.details);
  if ((event.action === 'REQUESTED' || event.action === 'REISSUED') && typeof details.attempt === 'number') {
    return (
      <>
        Window {details.attempt}
        {typeof details.deadline === 'string' && (
          <>
            , due <LocalTime iso={details.deadline} />
          </>
        )}
      </>
    );
  }
  const heartbeat = record(details.heartbeat);
  if ('claimedBy' in heartbeat) {
    return heartbeat.claimedBy
      ? `Heartbeat sent to Temporal: held by ${String(heartbeat.claimedBy)}`
      : 'Heartbeat sent to Temporal: no holder';
  }
  if (details.noticedBy === 'heartbeat') return 'Temporal answered a heartbeat: the workflow withdrew the approval';
  if (typeof details.corrected === 'string') return `Corrected by the workflow (was ${details.corrected.toLowerCase()})`;
  // An approval short of the quorum lets go of its approver's claim: the approvals still needed are others'.
  const released = details.releasedClaim === true ? 'Claim released, so others can give the approvals still needed' : null;
  return [released, valuesLine(details.values)].filter(Boolean).join(' · ') || null;
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
                <LocalTime iso={event.at.toISOString()} className="tabular-nums" />
                {line && <span> · {line}</span>}
              </p>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
