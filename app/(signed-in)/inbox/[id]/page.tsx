import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ClaimPanel } from '@/components/request/claim-panel';
import { DecisionPanel } from '@/components/request/decision-panel';
import { EscalatedMark, StatusBadge } from '@/components/ui/status-badge';
import { Timeline } from '@/components/request/timeline';
import { closedSummary } from '@/lib/approvals/closed-sentences';
import type { ApprovalStatus } from '@/lib/contract/statuses';
import { getApproval } from '@/lib/approvals/reads/queries';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { temporalEnv } from '@/lib/env';
import { formatMoney, formatTimeLeft, formatTimestamp } from '@/lib/format';
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

function temporalUiLink(workflowId: string, runId: string): string {
  const { TEMPORAL_UI_URL, TEMPORAL_NAMESPACE } = temporalEnv();
  return `${TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.string().uuid().safeParse(id).success) notFound();
  const [approval, user] = await Promise.all([getApproval(getDb(), id), getCurrentUser()]);
  if (!approval || !user) notFound();
  const heldByOther = approval.claimedBy !== null && approval.claimedBy !== user.email;
  const now = new Date();
  const left = formatTimeLeft(approval.deadline, now);
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
          <EscalatedMark attempt={approval.attempt} />
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
              decidedBy: approval.decidedBy,
              decidedAt: approval.decidedAt,
              windows: approval.attempt,
              path: approval.decisionPath,
            })}
          </p>
          {approval.comment && <p className="mt-1 text-sm">Comment: {approval.comment}</p>}
          {approval.reason && <p className="mt-1 text-sm">Reason: {approval.reason}</p>}
        </section>
      )}

      <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-5 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-500">Amount</dt>
          <dd className="text-lg font-semibold tabular-nums">{formatMoney(approval.amount, approval.currency)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Requester</dt>
          <dd>{request.requester ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Requested</dt>
          <dd>{formatTimestamp(approval.requestedAt)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Deadline</dt>
          <dd className={left.overdue && approval.status === 'PENDING' ? 'font-medium text-red-700' : ''}>
            {formatTimestamp(approval.deadline)}
            {approval.status === 'PENDING' && ` (${left.text}${left.overdue ? '' : ' left'})`}
          </dd>
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
      </dl>

      {approval.status === 'PENDING' && (
        <ClaimPanel
          approvalId={approval.id}
          claimedBy={approval.claimedBy}
          claimedAt={approval.claimedAt?.toISOString() ?? null}
          me={user.email}
          claimAction={claimAction}
          releaseAction={releaseAction}
        />
      )}
      {approval.status === 'PENDING' && !heldByOther && (
        <DecisionPanel approvalId={approval.id} approveAction={approveAction} rejectAction={rejectAction} />
      )}

      <Timeline events={approval.events} />
    </div>
  );
}
