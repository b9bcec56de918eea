// Previous / next links between keyset pages of a list. The hrefs keep the
// list's other params; a missing href means there is no page that way.
import Link from 'next/link';

const link = 'inline-flex min-h-10 items-center rounded-md border border-slate-300 bg-white px-3 hover:bg-slate-50';
const off = 'inline-flex min-h-10 items-center rounded-md border border-slate-200 px-3 text-slate-400';

export function Pager({
  prevHref,
  nextHref,
  firstHref,
  label = 'Pages',
}: {
  prevHref: string | null;
  nextHref: string | null;
  firstHref: string | null;
  label?: string;
}) {
  if (!prevHref && !nextHref && !firstHref) return null;
  return (
    <nav aria-label={label} className="mt-4 flex items-center justify-end gap-2 text-sm">
      {firstHref && (
        <Link href={firstHref} className="mr-auto inline-flex min-h-10 items-center text-brand-700 hover:underline">
          First page
        </Link>
      )}
      {prevHref ? (
        <Link href={prevHref} rel="prev" className={link}>
          ← Previous
        </Link>
      ) : (
        <span aria-disabled="true" className={off}>
          ← Previous
        </span>
      )}
      {nextHref ? (
        <Link href={nextHref} rel="next" className={link}>
          Next →
        </Link>
      ) : (
        <span aria-disabled="true" className={off}>
          Next →
        </span>
      )}
    </nav>
  );
}
