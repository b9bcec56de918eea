import type { Metadata } from 'next';
import Link from 'next/link';
import { DecisionPanel } from '@/components/request/decision-panel';
import { LocalTime } from '@/components/ui/local-time';
import { actingFor } from '@/lib/approvals/policy/progress-words';
import { getDb } from '@/lib/db';
import { inspectDecisionLink, type LinkedRequest } from '@/lib/email/links';
import { formatMoney } from '@/lib/format';
import { approveByLinkAction, rejectByLinkAction } from './actions';

// The link is a secret: no search engine, and no address of it sent on to another site.
export const metadata: Metadata = { title: 'Decide', robots: { index: false, follow: false }, referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

function Summary({ request }: { request: LinkedRequest }) {
  return (
    <dl data-testid="link-request" className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      <dt className="text-slate-500">Request</dt>
      <dd className="font-medium">{request.title}</dd>
      {request.customer && (
        <>
          <dt className="text-slate-500">Customer</dt>
          <dd>{request.customer}</dd>
        </>
      )}
      <dt className="text-slate-500">Amount</dt>
      <dd data-testid="link-amount">{formatMoney(request.amount, request.currency)}</dd>
      {request.requester && (
        <>
          <dt className="text-slate-500">Requested by</dt>
          <dd>{request.requester}</dd>
        </>
      )}
      <dt className="text-slate-500">Decide by</dt>
      <dd>
        <LocalTime iso={request.deadline.toISOString()} />
      </dd>
    </dl>
  );
}

/**
 * A decision link from an email: open to anyone who holds it, signed in or
 * not. Opening it (GET, HEAD) changes nothing: mail scanners and link
 * previews fetch every address. Only sending one of its forms decides, and
 * the forms are shown only to a reviewer the domain would let decide now;
 * anyone else reads why not, in the words the inbox would use.
 */
export default async function DecideByLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await inspectDecisionLink(getDb(), token);
  const request = link.status === 'unknown' ? null : link.request;
  return (
    <main className="flex min-h-screen items-start justify-center px-4 py-10">
      <div className="w-full max-w-3xl space-y-4 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Countersign: confirm your decision</h1>
        {request && <Summary request={request} />}
        {link.status === 'valid' ? (
          <>
            <p className="text-sm text-slate-600">
              Deciding as <span className="font-medium text-slate-900">{actingFor(link.email, link.onBehalfOf)}</span>. Nothing happens
              until you press Approve or Reject.
            </p>
            <DecisionPanel
              approvalId={link.request.id}
              approveAction={approveByLinkAction.bind(null, token)}
              rejectAction={rejectByLinkAction.bind(null, token)}
              decision={link.request.decision}
              me={link.email}
              onBehalfOf={link.onBehalfOf}
            />
          </>
        ) : (
          <>
            {link.status !== 'unknown' && link.yours && (
              <p role="status" data-testid="link-outcome" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
                {link.yours}
              </p>
            )}
            <p role="alert" data-testid="link-refused" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              {link.message}
            </p>
          </>
        )}
        <p className="text-sm">
          <Link
            href={request ? `/inbox/${request.id}` : '/inbox'}
            className="inline-flex min-h-10 items-center font-medium text-brand-700 hover:underline"
          >
            {request ? 'Open this request in Countersign' : 'Go to the inbox'}
          </Link>
        </p>
      </div>
    </main>
  );
}
