// A quorum's state as the inbox and the admin queue mark it: the approvals so
// far ("1/2", read out in words) and a request that can never reach its quorum.
import { approvalsOf } from '@/lib/approvals/policy/progress-words';

export function ApprovalCount({
  row,
  testId,
  className,
}: {
  row: { approvals: number; quorum: number };
  testId: string;
  className: string;
}) {
  return (
    <span data-testid={testId} className={className}>
      <span aria-hidden="true">
        {row.approvals}/{row.quorum}
      </span>
      <span className="sr-only">{approvalsOf(row)}</span>
    </span>
  );
}

export function UnreachableMark({ className }: { className: string }) {
  return (
    <span
      data-testid="unreachable"
      title="Fewer people can still approve it than its quorum needs: an admin must add approvers, or it will expire."
      className={`rounded bg-red-100 px-1.5 py-0.5 text-red-900 ${className}`}
    >
      can’t reach quorum
    </span>
  );
}
