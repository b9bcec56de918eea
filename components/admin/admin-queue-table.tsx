import { formatMoney } from '@/lib/format';
import type { ActionState } from '@/lib/web/action-state';
import type { AdminQueueRow } from '@/lib/approvals/reads/queries';
import { AdminClaimControls } from './admin-claim-controls';
import { Elapsed, RelativeDeadline } from '../ui/local-time';
import { ApprovalCount, UnreachableMark } from '../ui/quorum-marks';
import { RequestTitle } from '../ui/request-title';
import { ColumnHeaders, REQUEST_COLUMNS } from '../ui/table';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const COLUMNS = [...REQUEST_COLUMNS, { label: 'Claim' }];

/** A quorum's progress ("1/2") where it needs more than one approval, and a request that can never reach it. */
function QuorumMarks({ row }: { row: AdminQueueRow }) {
  if (row.quorum <= 1 && !row.unreachable) return null;
  return (
    <span className="mt-1 flex flex-wrap gap-2 text-xs">
      {row.quorum > 1 && (
        <ApprovalCount
          row={row}
          testId="quorum-progress"
          className="rounded bg-slate-100 px-1.5 py-0.5 font-medium tabular-nums text-slate-800"
        />
      )}
      {row.unreachable && <UnreachableMark className="font-semibold" />}
    </span>
  );
}

/** The admin queue's pending requests: age, time left, who holds each, and the controls to move a claim. */
export function ApprovalTable({
  approvals,
  now,
  caption,
  assignees,
  releaseAction,
  reassignAction,
}: {
  approvals: AdminQueueRow[];
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
            return (
              <tr key={a.id} data-testid="approval-row" data-id={a.id} className="align-top hover:bg-slate-50">
                <td className="min-w-56 px-3 py-3">
                  <RequestTitle request={a} id={`title-${a.id}`} className="font-medium text-brand-700 hover:underline" />
                  <QuorumMarks row={a} />
                </td>
                <td className="px-3 py-3">{a.workflowType ?? '—'}</td>
                <td className="px-3 py-3">{a.requester ?? '—'}</td>
                <td className="whitespace-nowrap px-3 py-3 text-right tabular-nums">{formatMoney(a.amount, a.currency)}</td>
                <td className="whitespace-nowrap px-3 py-3 tabular-nums">
                  <Elapsed since={a.requestedAt.toISOString()} now={now.toISOString()} />
                </td>
                <td className="whitespace-nowrap px-3 py-3 tabular-nums">
                  <RelativeDeadline
                    deadline={a.deadline.toISOString()}
                    requestedAt={a.requestedAt.toISOString()}
                    now={now.toISOString()}
                    overdueClassName="font-medium text-red-700"
                    badge={false}
                  />
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
