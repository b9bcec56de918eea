// The request page's "Who may decide": the request's policy in words, its
// quorum's progress (who approved, for whom, when), who else may decide it now,
// escalation, and a warning when it can never reach its quorum. It explains;
// the domain decides who may act (lib/approvals/policy).
import { LocalTime } from '@/components/ui/local-time';
import { isAnyReviewer, isEscalated, type RoutedRequest } from '@/lib/approvals/policy/eligibility';
import { actingFor, approvalsOf } from '@/lib/approvals/policy/progress-words';
import { describeRouting } from '@/lib/approvals/policy/words';
import type { EligiblePeople } from '@/lib/approvals/reads/eligible-people';

export interface RoutingVote {
  voter: string;
  actor: string;
  at: Date;
  comment: string | null;
}

/** "a", "a or b", "a, b or c". */
function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);

/**
 * "Only 1 person can approve this but it needs 2: ask an admin to add people to finance."
 * `possible`: the approvals given plus the people who could still give one.
 */
export function unreachableSentence(routing: RoutedRequest, possible: number): string {
  const who = possible === 0 ? 'Nobody can approve this' : `Only ${people(possible)} can approve this`;
  const groups = [...new Set([...routing.approverGroups, ...routing.escalateGroups])];
  const ask = isAnyReviewer(routing)
    ? 'ask an admin to add reviewers'
    : groups.length > 0
      ? `ask an admin to add people to ${listed(groups)}`
      : `ask an admin to invite or reactivate ${listed([...routing.approverUsers, ...routing.escalateUsers])}, or to route it to more people`;
  return `${who} but it needs ${routing.quorum}: ${ask}.`;
}

/** Each approval of the run: "bob for alice at 10:02: comment". */
export function VoteList({ votes }: { votes: RoutingVote[] }) {
  return (
    <ol data-testid="votes" className="list-inside list-decimal space-y-1">
      {votes.map((vote) => (
        <li key={`${vote.voter} ${vote.actor}`}>
          <span className="font-medium">{actingFor(vote.actor, vote.voter !== vote.actor ? vote.voter : null)}</span> at{' '}
          <LocalTime iso={vote.at.toISOString()} className="tabular-nums" />
          {vote.comment && <span className="text-slate-700">: “{vote.comment}”</span>}
        </li>
      ))}
    </ol>
  );
}

function EligibleList({
  eligible,
  routing,
  anyApproved,
  me,
}: {
  eligible: EligiblePeople;
  routing: RoutedRequest;
  anyApproved: boolean;
  me: string;
}) {
  if (eligible.anyReviewer) {
    const except = [
      routing.fourEyes && routing.requester ? `the requester (${routing.requester})` : null,
      anyApproved ? 'those who have approved' : null,
    ].filter(Boolean);
    return <p data-testid="eligible-people">Any reviewer{except.length > 0 ? `, except ${except.join(' and ')}` : ''}.</p>;
  }
  if (eligible.total === 0) {
    return <p data-testid="eligible-people">Nobody else: everyone it is routed to has approved, is inactive, or requested it.</p>;
  }
  const more = eligible.total - eligible.people.length;
  return (
    <div data-testid="eligible-people">
      <ul className="flex flex-wrap gap-x-3 gap-y-1">
        {eligible.people.map((email) => (
          <li key={email}>
            {email}
            {email === me && <span className="text-slate-500"> (you)</span>}
          </li>
        ))}
      </ul>
      {more > 0 && <p className="text-slate-600">and {more} more</p>}
    </div>
  );
}

export function RoutingPanel({
  routing,
  votes,
  approvals,
  pending,
  eligible,
  unreachable,
  me,
}: {
  routing: RoutedRequest;
  votes: RoutingVote[];
  /** Approvals the run holds (the row's count; `votes` lists them). */
  approvals: number;
  pending: boolean;
  /** Who else may decide now: for a pending request. */
  eligible: EligiblePeople | null;
  /** A pending request that can never reach its quorum: the approvals plus the people who could still give one. */
  unreachable: { possible: number } | null;
  me: string;
}) {
  const later = [...routing.escalateGroups.map((g) => `${g} (group)`), ...routing.escalateUsers];
  return (
    <section
      aria-labelledby="routing-heading"
      data-testid="routing"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 text-sm"
    >
      <h2 id="routing-heading" className="text-lg font-semibold">
        Who may decide
      </h2>
      <p data-testid="policy-words">{describeRouting(routing)}</p>
      {routing.policyName && (
        <p>
          Policy:{' '}
          <span data-testid="policy-name" className="font-medium">
            {routing.policyName}
          </span>
        </p>
      )}
      {pending && isEscalated(routing) && (
        <p data-testid="escalated-note" className="rounded-md bg-orange-50 px-3 py-2 text-orange-900">
          Escalated: this request is in window {routing.attempt}, so {later.join(', ')} may decide it too.
        </p>
      )}
      {unreachable && (
        <p data-testid="unreachable-warning" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 font-medium text-red-900">
          <span className="font-semibold">Can’t reach its quorum.</span> {unreachableSentence(routing, unreachable.possible)}
        </p>
      )}
      {routing.quorum > 1 && (
        <div className="space-y-1">
          <h3 className="font-medium text-slate-700">Approvals</h3>
          <p data-testid="quorum-progress">
            {approvalsOf({ approvals, quorum: routing.quorum })}
            {votes.length > 0 ? ':' : '.'}
          </p>
          {votes.length > 0 && <VoteList votes={votes} />}
        </div>
      )}
      {pending && eligible && (
        <div className="space-y-1">
          <h3 className="font-medium text-slate-700">Who else may decide</h3>
          <EligibleList eligible={eligible} routing={routing} anyApproved={votes.length > 0} me={me} />
        </div>
      )}
    </section>
  );
}
