import type { Metadata } from 'next';
import { ApprovalTable } from '@/components/approval-table';
import { CreateRequestForm } from '@/components/create-request-form';
import { StatusBadge } from '@/components/status-badge';
import { countQueue, listPendingApprovals, listRecentDecisions } from '@/lib/approvals/queries';
import { getCurrentUser, hasRole } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { formatTimestamp } from '@/lib/format';
import { createOrderRequestAction } from './actions';

export const metadata: Metadata = { title: 'Admin' };
export const dynamic = 'force-dynamic';

export default async function AdminPage() {
  const user = await getCurrentUser();
  if (!user || !hasRole(user, 'ADMIN')) {
    return (
      <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-red-800">
        The admin queue is for admins. Ask an admin for access.
      </p>
    );
  }
  const db = getDb();
  const now = new Date();
  const [counts, pending, recent] = await Promise.all([countQueue(db, now), listPendingApprovals(db), listRecentDecisions(db)]);
  const tiles = [
    ['Pending', counts.pending],
    ['Overdue', counts.overdue],
    ['Re-issued', counts.reissued],
    ['Decided today', counts.decidedToday],
  ] as const;

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Admin queue</h1>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {tiles.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white p-4">
            <dt className="text-sm text-slate-500">{label}</dt>
            <dd className="text-2xl font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="create-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="create-heading" className="mb-3 text-lg font-semibold">New approval request</h2>
        <CreateRequestForm action={createOrderRequestAction} />
      </section>

      <section aria-labelledby="pending-heading" className="space-y-3">
        <h2 id="pending-heading" className="text-lg font-semibold">Pending</h2>
        <ApprovalTable approvals={pending} now={now} caption="Pending approval requests" />
      </section>

      <section aria-labelledby="recent-heading" className="space-y-3">
        <h2 id="recent-heading" className="text-lg font-semibold">Recent decisions</h2>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {recent.length === 0 && <li className="p-4 text-slate-600">No decisions yet.</li>}
          {recent.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center gap-3 px-4 py-2">
              <StatusBadge status={a.status} />
              <a href={`/inbox/${a.id}`} className="font-medium text-brand-700 hover:underline">{a.title}</a>
              <span className="text-slate-600">by {a.decidedBy ?? 'unknown'}</span>
              {a.decidedAt && <span className="ml-auto tabular-nums text-slate-500">{formatTimestamp(a.decidedAt)}</span>}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
