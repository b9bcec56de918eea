import type { Metadata } from 'next';
import { ApprovalTable } from '@/components/admin/admin-queue-table';
import { AgeHistogram } from '@/components/charts/age-histogram';
import { DecisionTimeChart } from '@/components/charts/decision-time-chart';
import { ExpiryRateChart } from '@/components/charts/expiry-rate-chart';
import { ReviewerLoadChart } from '@/components/charts/reviewer-load-chart';
import { CreateRequestForm } from '@/components/admin/create-request-form';
import { LocalTime } from '@/components/ui/local-time';
import { StatusBadge } from '@/components/ui/status-badge';
import { totalText } from '@/lib/approvals/reads/inbox/query';
import { listAdminQueue, listAssignees, listRecentDecisions } from '@/lib/approvals/reads/queries';
import { loadAdminStats, type PeriodCounts } from '@/lib/approvals/reads/stats';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { createOrderRequestAction, reassignClaimAction, releaseAnyClaimAction } from './actions';
import { AdminsOnly } from '@/components/admin/admins-only';

export const metadata: Metadata = { title: 'Admin' };
export const dynamic = 'force-dynamic';

/** The search box's text: the first `q`, trimmed and bounded; anything else is no search. */
function searchText(q: string | string[] | undefined): string {
  const first = Array.isArray(q) ? q[0] : q;
  return (first ?? '').trim().slice(0, 200);
}

function Tile({ id, label, value, hint }: { id: string; label: string; value: number; hint?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd data-testid={`count-${id}`} className="text-2xl font-semibold tabular-nums">
        {value}
      </dd>
      {hint && <dd className="text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

function ClosedCount({ id, label, counts }: { id: string; label: string; counts: PeriodCounts }) {
  return (
    <div className="flex items-baseline gap-2">
      <dt className="text-slate-500">{label}</dt>
      <dd data-testid={`count-${id}`} className="tabular-nums">
        <span className="font-semibold">{counts.today}</span> today · <span className="font-semibold">{counts.week}</span> this week
      </dd>
    </div>
  );
}

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="The admin queue is for admins." />;
  }
  const search = searchText((await searchParams).q);
  const db = getDb();
  const now = new Date();
  const [stats, queue, assignees, recent] = await Promise.all([
    loadAdminStats(db, now),
    listAdminQueue(db, { search }),
    listAssignees(db),
    listRecentDecisions(db),
  ]);
  const { counts } = stats;

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Admin queue</h1>

      <section aria-labelledby="counts-heading" className="space-y-3">
        <h2 id="counts-heading" className="sr-only">
          Counts
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Tile id="pending" label="Pending" value={counts.pending} />
          <Tile id="overdue" label="Overdue" value={counts.overdue} hint="past their deadline" />
          <Tile id="reissued" label="Re-issued" value={counts.reissued} hint="in a later window" />
          <Tile id="decided-today" label="Decided today" value={counts.decided.today} hint="approved or rejected (UTC)" />
          <Tile id="decided-week" label="Decided this week" value={counts.decided.week} hint="since Monday (UTC)" />
        </dl>
        <dl className="flex flex-wrap gap-x-8 gap-y-1 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm">
          <ClosedCount id="expired" label="Expired" counts={counts.expired} />
          <ClosedCount id="cancelled" label="Cancelled" counts={counts.cancelled} />
          <ClosedCount id="terminated" label="Terminated" counts={counts.terminated} />
        </dl>
      </section>

      <section aria-labelledby="charts-heading" className="space-y-3">
        <h2 id="charts-heading" className="text-lg font-semibold">
          Trends
        </h2>
        <div className="grid gap-4 lg:grid-cols-2">
          <AgeHistogram buckets={stats.ages} />
          <DecisionTimeChart days={stats.days} />
          <ExpiryRateChart days={stats.days} />
          <ReviewerLoadChart reviewers={stats.reviewers} />
        </div>
      </section>

      <section aria-labelledby="create-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="create-heading" className="mb-3 text-lg font-semibold">
          New approval request
        </h2>
        <CreateRequestForm action={createOrderRequestAction} />
      </section>

      <section aria-labelledby="pending-heading" className="space-y-3">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <h2 id="pending-heading" className="text-lg font-semibold">
            Pending
          </h2>
          <form role="search" method="get" action="/admin" className="flex items-center gap-2 text-sm">
            <label htmlFor="admin-search" className="text-slate-600">
              Search pending
            </label>
            <input
              id="admin-search"
              name="q"
              type="search"
              defaultValue={search}
              maxLength={200}
              placeholder="title, customer or workflow id"
              className="w-64 rounded-md border border-slate-300 px-2 py-1"
            />
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 font-medium text-slate-700 hover:bg-slate-50">
              Search
            </button>
          </form>
        </div>
        <p data-testid="queue-summary" className="text-sm text-slate-600">
          {search ? `${totalText(queue)} pending match “${search}”` : `${totalText(queue)} pending`}
          {queue.total > queue.rows.length ? `, the first ${queue.rows.length} shown` : ''} · soonest deadline first
        </p>
        <ApprovalTable
          approvals={queue.rows}
          now={now}
          caption="Pending approval requests"
          assignees={assignees.map((a) => a.email)}
          releaseAction={releaseAnyClaimAction}
          reassignAction={reassignClaimAction}
        />
      </section>

      <section aria-labelledby="recent-heading" className="space-y-3">
        <h2 id="recent-heading" className="text-lg font-semibold">
          Recent decisions
        </h2>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {recent.length === 0 && <li className="p-4 text-slate-600">No decisions yet.</li>}
          {recent.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center gap-3 px-4 py-2">
              <StatusBadge status={a.status} />
              <a href={`/inbox/${a.id}`} className="font-medium text-brand-700 hover:underline">
                {a.title}
              </a>
              <span className="text-slate-600">by {a.decidedBy ?? 'unknown'}</span>
              {a.decidedAt && <LocalTime iso={a.decidedAt.toISOString()} className="ml-auto tabular-nums text-slate-500" />}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
