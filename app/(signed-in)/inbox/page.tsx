import type { Metadata } from 'next';
import { InboxList, type InboxRow } from '@/components/inbox-list';
import { countPendingApprovals, listPendingApprovals } from '@/lib/approvals/queries';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';

export const metadata: Metadata = { title: 'Inbox' };
export const dynamic = 'force-dynamic';

export default async function InboxPage() {
  const db = getDb();
  const [user, approvals, pending] = await Promise.all([requireUser(), listPendingApprovals(db), countPendingApprovals(db)]);
  const rows: InboxRow[] = approvals.map((a) => ({
    id: a.id,
    title: a.title,
    customer: a.customer,
    amount: a.amount,
    currency: a.currency,
    status: a.status,
    attempt: a.attempt,
    claimedBy: a.claimedBy,
    requestedAt: a.requestedAt.toISOString(),
    deadline: a.deadline.toISOString(),
    decidedBy: a.decidedBy,
  }));
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Inbox</h1>
        <p className="text-sm text-slate-600">
          {pending} pending{pending > approvals.length ? `, the first ${approvals.length} shown` : ''} · soonest deadline first
        </p>
      </div>
      <InboxList rows={rows} now={new Date().toISOString()} me={user.email} />
    </>
  );
}
