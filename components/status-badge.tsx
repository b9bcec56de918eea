const STYLES: Record<string, string> = {
  PENDING: 'bg-amber-100 text-amber-900',
  APPROVED: 'bg-green-100 text-green-900',
  REJECTED: 'bg-red-100 text-red-900',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="status" className={`rounded-full px-2.5 py-0.5 text-xs font-semibold uppercase tracking-wide ${STYLES[status] ?? 'bg-slate-100 text-slate-700'}`}>
      {status.toLowerCase()}
    </span>
  );
}
