'use client';

// The inbox's list of requests. A client component: it owns selection,
// keyboard navigation and the bulk bar (issue 5). Rows come from the server
// page as plain view objects (no task token, dates as ISO strings).
import Link from 'next/link';
import { formatDuration, formatMoney, formatTimeLeft } from '@/lib/format';
import { EscalatedMark } from './status-badge';

/** One row as the server page hands it over. */
export interface InboxRow {
  id: string;
  title: string;
  customer: string | null;
  amount: string | null;
  currency: string | null;
  status: string;
  attempt: number;
  claimedBy: string | null;
  requestedAt: string;
  deadline: string;
  decidedBy: string | null;
}

export function InboxList({ rows, now, me }: { rows: InboxRow[]; now: string; me: string }) {
  const nowDate = new Date(now);
  if (rows.length === 0) {
    return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No requests match.</p>;
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Approval requests</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2">Request</th>
            <th scope="col" className="px-4 py-2">Customer</th>
            <th scope="col" className="px-4 py-2 text-right">Amount</th>
            <th scope="col" className="px-4 py-2">Age</th>
            <th scope="col" className="px-4 py-2">Time left</th>
            <th scope="col" className="px-4 py-2">Claimed by</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((a) => {
            const left = formatTimeLeft(new Date(a.deadline), nowDate);
            return (
              <tr key={a.id} data-testid="approval-row" data-id={a.id} className="hover:bg-slate-50">
                <td className="px-4 py-3">
                  <Link href={`/inbox/${a.id}`} className="font-medium text-brand-700 hover:underline">
                    {a.title}
                  </Link>
                  <span className="ml-2">
                    <EscalatedMark attempt={a.attempt} />
                  </span>
                </td>
                <td className="px-4 py-3">{a.customer ?? '—'}</td>
                <td className="px-4 py-3 text-right tabular-nums">{formatMoney(a.amount, a.currency)}</td>
                <td className="px-4 py-3 tabular-nums">
                  <time dateTime={a.requestedAt}>{formatDuration(nowDate.getTime() - new Date(a.requestedAt).getTime())}</time>
                </td>
                <td className={`px-4 py-3 tabular-nums ${left.overdue ? 'font-medium text-red-700' : ''}`}>
                  <time dateTime={a.deadline}>{left.text}</time>
                </td>
                <td data-testid="claimed-by" className="px-4 py-3">
                  {a.claimedBy === me ? 'you' : (a.claimedBy ?? <span className="text-slate-400">—</span>)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
