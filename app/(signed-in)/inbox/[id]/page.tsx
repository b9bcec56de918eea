import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ClaimPanel } from '@/components/request/claim-panel';
import { DecisionPanel } from '@/components/request/decision-panel';
import { RoutingPanel } from '@/components/request/routing-panel';
import { DeadlineTone, LocalTime, RelativeDeadline } from '@/components/ui/local-time';
import { ReissuedMark, StatusBadge } from '@/components/ui/status-badge';
import { Timeline } from '@/components/request/timeline';
import { closedSummary } from '@/lib/approvals/closed-sentences';
import type { ApprovalStatus } from '@/lib/contract/statuses';
import { getApproval, type ApprovalDetail } from '@/lib/approvals/reads/queries';
import { listEligiblePeople } from '@/lib/approvals/reads/eligible-people';
import { loadActor } from '@/lib/approvals/policy/actor';
import { eligibilityOf, type Eligibility } from '@/lib/approvals/policy/eligibility';
import { actingFor } from '@/lib/approvals/policy/progress-words';
import { decisionFieldLabel, decisionFields, decisionValueText } from '@/lib/contract/decision';
import type { Db } from '@/lib/db';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { temporalEnv } from '@/lib/env';
import { formatMoney } from '@/lib/format';
import { approveAction, claimAction, rejectAction, releaseAction } from '../actions';

export const metadata: Metadata = { title: 'Request' };
export const dynamic = 'force-dynamic';

const CLOSED_STYLE: Partial<Record<ApprovalStatus, string>> = {
  APPROVED: 'border-green-200 bg-green-50',
  REJECTED: 'border-red-200 bg-red-50',
  EXPIRED: 'border-orange-200 bg-orange-50',
};

/** "orderId" → "Order id". */
function fieldLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the signed-in person may do with a pending request now, and why not when they may not. */
async function eligibilityFor(db: Db, approval: ApprovalDetail, email: string): Promise<Eligibility> {
  const actor = await loadActor(db, email);
  if (!actor) return { ok: false, reason: 'Your account is not active. Sign in again, or ask an admin.' };
  return eligibilityOf(approval.routing, actor, approval.votes);
}

/** The approved values, by the labels of the request's decision schema where it has one. */
function ApprovedValues({ values, approval }: { values: Record<string, unknown>; approval: ApprovalDetail }) {
  const schema = approval.request.decision;
  const known = schema ? decisionFields(schema).filter(({ name }) => Object.hasOwn(values, name)) : [];
  const rest = Object.keys(values).filter((name) => !known.some((field) => field.name === name));
  const rows = [
    ...known.map(({ name, property }) => ({
      name,
      label: decisionFieldLabel(name, property),
      text: decisionValueText(property, values[name]),
    })),
    ...rest.map((name) => ({ name, label: name, text: typeof values[name] === 'string' ? values[name] : JSON.stringify(values[name]) })),
  ];
  return (
    <div className="mt-3">
      <h2 className="text-sm font-semibold">Approved values</h2>
      <dl data-testid="approved-values" className="mt-1 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map((row) => (
          <div key={row.name} className="contents">
            <dt className="text-slate-600">{row.label}</dt>
            <dd className="whitespace-pre-wrap break-words">{row.text}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function temporalUiLink(workflowId: string, runId: string): string {
  const { TEMPORAL_UI_URL, TEMPORAL_NAMESPACE } = temporalEnv();
  return `${TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.string().uuid().safeParse(id).success) notFound();
  const db = getDb();
  const [approval, user] = await Promise.all([getApproval(db, id), getCurrentUser()]);
  if (!approval || !user) notFound();
  const pending = approval.status === 'PENDING';
  const [eligibility, eligible, couldStill] = await Promise.all([
    pending ? eligibilityFor(db, approval, user.email) : null,
    pending ? listEligiblePeople(db, { ...approval.routing, id: approval.id, runId: approval.runId }) : null,
    // Who could still approve at any window: the count the warning gives.
    approval.unreachable
      ? listEligiblePeople(db, { ...approval.routing, id: approval.id, runId: approval.runId }, { limit: 1, atAnyWindow: true })
      : null,
  ]);
  const unreachable = couldStill ? { possible: approval.approvals + couldStill.total } : null;
  const mayDecide = eligibility?.ok === true;
  const heldByOther = approval.claimedBy !== null && approval.claimedBy !== user.email;
  const now = new Date().toISOString();
  const deadline = approval.deadline.toISOString();
  const requestedAt = approval.requestedAt.toISOString();
  const { request } = approval;

  return (
    <div className="space-y-6">
      <Link href="/inbox" className="inline-flex min-h-10 items-center text-sm text-brand-700 hover:underline">
        ← Inbox
      </Link>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{approval.title}</h1>
          <StatusBadge status={approval.status} />
          <ReissuedMark attempt={approval.attempt} />
        </div>
        {request.summary && <p className="text-slate-700">{request.summary}</p>}
      </header>

      {approval.status !== 'PENDING' && (
        <section
          data-testid="decision"
          className={`rounded-lg border p-4 ${CLOSED_STYLE[approval.status] ?? 'border-slate-300 bg-slate-50'}`}
        >
          <p className="font-medium">
            {closedSummary({
              status: approval.status,
              // "bob for alice" when a delegate decided.
              decidedBy: approval.decidedBy && actingFor(approval.decidedBy, approval.decidedFor),
              decidedAt: approval.decidedAt,
              windows: approval.attempt,
              path: approval.decisionPath,
            })}
          </p>
          {approval.comment && <p className="mt-1 text-sm">Comment: {approval.comment}</p>}
          {approval.reason && <p className="mt-1 text-sm">Reason: {approval.reason}</p>}
          {approval.routing.quorum > 1 && approval.votes.length > 0 && (
            <p data-testid="approvers" className="mt-1 text-sm">
              Approvers: {approval.votes.map((vote) => actingFor(vote.actor, vote.voter !== vote.actor ? vote.voter : null)).join(', ')}
            </p>
          )}
          {approval.values && Object.keys(approval.values).length > 0 && <ApprovedValues values={approval.values} approval={approval} />}
        </section>
      )}

      <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-5 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-500">Amount</dt>
          <dd className="text-lg font-semibold tabular-nums">{formatMoney(approval.amount, approval.currency)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Requester</dt>
          <dd data-testid="requester">{request.requester ?? approval.routing.requester ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Request type</dt>
          <dd data-testid="request-type">{approval.workflowType ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Requested</dt>
          <dd>
            <LocalTime iso={requestedAt} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Deadline</dt>
          <DeadlineTone
            as="dd"
            deadline={deadline}
            requestedAt={requestedAt}
            now={now}
            tones={approval.status === 'PENDING' ? { overdue: 'font-medium text-red-700' } : {}}
          >
            <LocalTime iso={deadline} />
            {approval.status === 'PENDING' && (
              <>
                {' ('}
                <RelativeDeadline deadline={deadline} requestedAt={requestedAt} now={now} overdueClassName="" badge={false} />)
              </>
            )}
          </DeadlineTone>
        </div>
        {Object.entries(request.fields ?? {}).map(([key, value]) => (
          <div key={key}>
            <dt className="text-slate-500">{fieldLabel(key)}</dt>
            <dd>{String(value)}</dd>
          </div>
        ))}
        <div>
          <dt className="text-slate-500">Workflow</dt>
          <dd>
            <a
              href={temporalUiLink(approval.workflowId, approval.runId)}
              target="_blank"
              rel="noreferrer"
              className="text-brand-700 hover:underline"
            >
              {approval.workflowId}
            </a>{' '}
            <span className="text-slate-500">attempt {approval.attempt}</span>
          </dd>
        </div>
        {request.links && request.links.length > 0 && (
          <div>
            <dt className="text-slate-500">Links</dt>
            <dd>
              {/* Only http(s) URLs reach here: the contract refuses any other scheme. */}
              <ul data-testid="request-links" className="flex flex-wrap gap-x-4">
                {request.links.map((link) => (
                  <li key={`${link.label} ${link.url}`}>
                    <a href={link.url} target="_blank" rel="noopener noreferrer" className="text-brand-700 hover:underline">
                      {link.label}
                      <span className="sr-only"> (opens in a new tab)</span>
                    </a>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>

      <RoutingPanel
        routing={approval.routing}
        votes={approval.votes}
        approvals={approval.approvals}
        pending={pending}
        eligible={eligible}
        unreachable={unreachable}
        me={user.email}
      />

      {eligibility && !eligibility.ok && (
        <section
          aria-labelledby="not-eligible-heading"
          data-testid="not-eligible"
          className="rounded-lg border border-slate-300 bg-slate-50 p-4 text-sm"
        >
          <h2 id="not-eligible-heading" className="font-semibold">
            You cannot decide this request
          </h2>
          <p className="mt-1">{eligibility.reason}</p>
        </section>
      )}
      {pending && (
        <ClaimPanel
          approvalId={approval.id}
          claimedBy={approval.claimedBy}
          claimedAt={approval.claimedAt?.toISOString() ?? null}
          me={user.email}
          mayClaim={mayDecide}
          claimAction={claimAction}
          releaseAction={releaseAction}
        />
      )}
      {pending && mayDecide && !heldByOther && (
        <DecisionPanel
          approvalId={approval.id}
          approveAction={approveAction}
          rejectAction={rejectAction}
          decision={request.decision}
          me={user.email}
          onBehalfOf={eligibility.onBehalfOf}
        />
      )}

      <Timeline events={approval.events} />
    </div>
  );
}
