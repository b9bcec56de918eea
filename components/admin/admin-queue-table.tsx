import { formatDuration, formatMoney, formatTimeLeft } from '@/lib/format';
import type { ActionState } from '@/lib/web/action-state';
import type { ApprovalSummary } from '@/lib/approvals/reads/queries';
import { AdminClaimControls } from './admin-claim-controls';
import { RequestTitle } from '../ui/request-title';
import { ColumnHeaders, REQUEST_COLUMNS } from '../ui/table';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const COLUMNS = [...REQUEST_COLUMNS, { label: 'Claim' }];

/** The admin queue's pending requests: age, time left, who holds each, and the controls to move a claim. */
export function ApprovalTable({
  approvals,
  now,
  caption,
  assignees,
  releaseAction,
  reassignAction,
}: {
  approvals: ApprovalSummary[];
  now: Date;
  caption: string;
  assignees: string[];
  releaseAction: Action;
  reassignAction: Action;
}) {
  if (approvals.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
        Nothing is waiting for a decision.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <ColumnHeaders columns={COLUMNS} className="px-3 py-2" />
        </thead>
        <tbody className="divide-y divide-slate-100">
          {approvals.map((a) => {
            const left = formatTimeLeft(a.deadline, now);
            return (
              <tr key={a.id} data-testid="approval-row" data-id={a.id} className="align-top hover:bg-slate-50">
                <td className="min-w-56 px-3 py-3">
                  <RequestTitle request={a} id={`title-${a.id}`} className="font-medium text-brand-700 hover:underline" />
                </td>
                <td className="px-3 py-3">{a.customer ?? '—'}</td>
                <td className="whitespace-nowrap px-3 py-3 text-right tabular-nums">{formatMoney(a.amount, a.currency)}</td>
                <td className="whitespace-nowrap px-3 py-3 tabular-nums">
                  <time dateTime={a.requestedAt.toISOString()}>{formatDuration(now.getTime() - a.requestedAt.getTime())}</time>
                </td>
                <td className={`whitespace-nowrap px-3 py-3 tabular-nums ${left.overdue ? 'font-medium text-red-700' : ''}`}>
                  <time dateTime={a.deadline.toISOString()}>{left.text}</time>
                </td>
                <td data-testid="claimed-by" className="px-3 py-3">
                  {a.claimedBy ?? <span className="text-slate-500">—</span>}
                </td>
                <td className="px-3 py-3">
                  <AdminClaimControls
                    approvalId={a.id}
                    titleId={`title-${a.id}`}
                    claimedBy={a.claimedBy}
                    assignees={assignees}
                    releaseAction={releaseAction}
                    reassignAction={reassignAction}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
