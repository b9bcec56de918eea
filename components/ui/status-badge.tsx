import type { ApprovalStatus } from '@/lib/contract/statuses';

const STYLES: Record<ApprovalStatus, string> = {
  PENDING: 'bg-amber-100 text-amber-900',
  APPROVED: 'bg-green-100 text-green-900',
  REJECTED: 'bg-red-100 text-red-900',
  EXPIRED: 'bg-orange-100 text-orange-900',
  CANCELLED: 'bg-slate-200 text-slate-800',
  TERMINATED: 'bg-slate-300 text-slate-900',
};

export function StatusBadge({ status }: { status: ApprovalStatus }) {
  return (
    <span data-testid="status" className={`rounded-full px-2.5 py-0.5 text-xs font-semibold uppercase tracking-wide ${STYLES[status]}`}>
      {status.toLowerCase()}
    </span>
  );
}

/** A request re-issued after its window passed, now in window N (its escalation people, if any, are eligible from window 2). */
export function ReissuedMark({ attempt }: { attempt: number }) {
  if (attempt <= 1) return null;
  return (
    <span
      data-testid="reissued"
      title={`Re-issued after its window passed: window ${attempt}`}
      className="rounded bg-orange-100 px-1.5 py-0.5 text-xs font-medium text-orange-900"
    >
      re-issued · window {attempt}
    </span>
  );
}
