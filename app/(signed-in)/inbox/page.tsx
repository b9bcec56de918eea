import type { Metadata } from 'next';
import { ApprovalTable } from '@/components/approval-table';
import { countPendingApprovals, listPendingApprovals } from '@/lib/approvals/queries';
import { getDb } from '@/lib/db';

export const metadata: Metadata = { title: 'Inbox' };
export const dynamic = 'force-dynamic';

export default async function InboxPage() {
  const db = getDb();
  const [approvals, pending] = await Promise.all([listPendingApprovals(db), countPendingApprovals(db)]);
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Inbox</h1>
        <p className="text-sm text-slate-600">
          {pending} pending{pending > approvals.length ? `, the first ${approvals.length} shown` : ''} · soonest deadline first
        </p>
      </div>
      <ApprovalTable approvals={approvals} now={new Date()} caption="Pending approval requests" />
    </>
  );
}
